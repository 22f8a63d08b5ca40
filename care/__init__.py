"""Home visits (走访): helpers and visit plans, the 两不愁三保障 checklist,
festival visits, households' hardship reports and the committee's follow-ups,
and importing helper lists.

Depends on :mod:`village` (the registry, roster and models), and its reminders
and hardship alerts (:mod:`care.reminders`, :mod:`care.hardship_alert`) on
:mod:`notifications` for delivery; :mod:`village` never imports from here. Its tables live in :mod:`care.models`.
"""
