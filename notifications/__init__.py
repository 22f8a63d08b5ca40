"""Outreach delivery: the durable outbox, its channels (Telegram, SMS), the scheduler.

Who is told what, and when, belongs to the domain packages (``care.reminders``,
``fund.reminders``, ``fund.messages``, ``points.messages``, the policy notices in
:mod:`outreach` …), which build on this one; :mod:`notifications.jobs` is the one
place that wires their sweeps in.
"""
