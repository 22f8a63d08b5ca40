"""who did what, for acts whose own rows do not name the person

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_member.id"], name="fk_action_log_actor_id_staff_member"
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["village.id"], name="fk_action_log_village_id_village"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_action_log"),
    )
    with op.batch_alter_table("action_log", schema=None) as batch_op:
        batch_op.create_index("ix_action_log_village_id", ["village_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_log", schema=None) as batch_op:
        batch_op.drop_index("ix_action_log_village_id")
    op.drop_table("action_log")
