"""Policy notices (政策宣传): who a notice is for, when it fires, what it reaches and costs.

These are the committee's rules, not delivery, so they live above :mod:`notifications`
(the outbox, its channels and the scheduler) and plan their messages through it;
:mod:`notifications` never imports from here, except the wiring in
:mod:`notifications.jobs`, which fires due notices. The tables (``Notice``,
``NoticeOccurrence``) stay in :mod:`notifications.models`, because outbox rows
reference them and :mod:`notifications.notice_text` renders a notice for each channel.
"""
