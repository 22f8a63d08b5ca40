"""Home visits (走访): helpers and visit plans, the 两不愁三保障 checklist,
festival visits, households' hardship reports and the committee's follow-ups,
and importing helper lists.

Depends on :mod:`village` (the registry, roster and models); :mod:`village`
never imports from here. The tables still live in :mod:`village.models`.
"""
