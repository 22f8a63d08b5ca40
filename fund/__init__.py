"""The 孝善基金: supporters' pledges and their schedule, the fund's ledger
(donations, payouts to elders, reversals, verification), the council's rules,
monthly statements and the honour roll, and what a supporter sees of it.

Depends on :mod:`village` (the registry, its models and access rules) only;
neither :mod:`village` nor :mod:`care` imports from here. The fund's tables live in :mod:`fund.models`.
"""
