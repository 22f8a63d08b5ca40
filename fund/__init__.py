"""The 孝善基金: supporters' pledges and their schedule, the fund's ledger
(donations, payouts to elders, reversals, verification), the council's rules,
monthly statements and the honour roll, and what a supporter sees of it.

Depends on :mod:`village` (the registry, its models and access rules); its
messages and reminders (:mod:`fund.messages`, :mod:`fund.reminders`) also on
:mod:`notifications` for delivery and on :mod:`points` for the family stars.
Neither :mod:`village` nor :mod:`care` imports from here. The fund's tables live in :mod:`fund.models`.
"""
