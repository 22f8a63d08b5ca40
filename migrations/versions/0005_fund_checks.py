"""fund balances never below zero

The database refuses what the fund's code already refuses, as it does for the
points ledger: a negative balance or pool, a forward entry that is not positive
(a reversal is the only negative one), a pledge of nothing, a due day outside a
month, a matching rate outside 0–100 % or a negative cap. SQLite cannot add a
constraint to a table, so batch mode rebuilds each table there.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 13:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKS: dict[str, list[tuple[str, str]]] = {
    "fund_account": [
        ("fund_balance_not_negative", "balance_fen >= 0"),
        ("fund_pool_not_negative", "pool_fen >= 0"),
    ],
    "fund_entry": [
        (
            "fund_entry_amount_sign",
            "(reverses_id IS NULL AND amount_fen > 0) OR (reverses_id IS NOT NULL AND amount_fen < 0)",
        ),
    ],
    "pledge": [
        ("pledge_monthly_positive", "monthly_fen > 0"),
        ("pledge_due_day_in_month", "due_day BETWEEN 1 AND 31"),
    ],
    "fund_rule": [
        ("fund_rule_rate_in_range", "rate >= 0 AND rate <= 1"),
        ("fund_rule_cap_not_negative", "cap_fen IS NULL OR cap_fen >= 0"),
    ],
    "honour_roll_name": [("honour_paid_not_negative", "paid_fen >= 0")],
}


def upgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(name, condition)


def downgrade() -> None:
    for table, checks in reversed(CHECKS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _condition in reversed(checks):
                batch_op.drop_constraint(name, type_="check")
