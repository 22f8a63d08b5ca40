"""each price change of the 扶贫超市, with who made it

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "price_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("old_points", sa.Integer(), nullable=False),
        sa.Column("new_points", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_member.id"], name="fk_price_change_actor_id_staff_member"
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["catalogue_item.id"], name="fk_price_change_item_id_catalogue_item"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_price_change"),
    )
    with op.batch_alter_table("price_change", schema=None) as batch_op:
        batch_op.create_index("ix_price_change_item_id", ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("price_change", schema=None) as batch_op:
        batch_op.drop_index("ix_price_change_item_id")
    op.drop_table("price_change")
