"""Tables of the points scheme.

The ledger (``ledger_entry``) is append-only: rows are inserted, never updated
or deleted. ``points_account.balance`` is the running total kept beside it so a
balance is one indexed read; ``xiangxin ledger verify`` recomputes it from the
entries. The database itself refuses a negative balance or stock.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import created_at_field


class RoundStatus(StrEnum):
    DRAFT = "draft"  # 草稿
    REVIEW = "review"  # 评议
    PUBLICITY = "publicity"  # 公示
    EFFECTIVE = "effective"  # 生效


class AwardStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"  # not approved in 评议
    WITHDRAWN = "withdrawn"  # an objection was upheld
    CREDITED = "credited"  # points are in the ledger


class ObjectionStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    REJECTED = "rejected"


class EntryKind(StrEnum):
    AWARD = "award"
    REDEMPTION = "redemption"
    COMMENDATION = "commendation"
    REVERSAL = "reversal"


class RedemptionStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    RETURNED = "returned"  # 退货: completed, then points and stock went back together


class StarCategory(SQLModel, table=True):
    __tablename__ = "star_category"
    __table_args__ = (UniqueConstraint("village_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    name: str = Field(max_length=32)
    points: int
    sort_order: int = 0
    active: bool = True


class RatingRound(SQLModel, table=True):
    __tablename__ = "rating_round"
    __table_args__ = (UniqueConstraint("village_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    name: str = Field(max_length=64)
    year: int
    status: str = Field(default=RoundStatus.DRAFT.value, max_length=16)
    publicity_days: int = 5
    created_by: int = Field(foreign_key="staff_member.id")
    created_at: datetime = created_at_field()
    published_at: datetime | None = None
    publicity_ends_at: datetime | None = None
    effective_at: datetime | None = None


class Award(SQLModel, table=True):
    __tablename__ = "award"
    __table_args__ = (UniqueConstraint("round_id", "household_id", "category_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rating_round.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    category_id: int = Field(foreign_key="star_category.id")
    points: int
    reason: str = Field(max_length=500)
    status: str = Field(default=AwardStatus.PROPOSED.value, max_length=16)
    proposed_by: int = Field(foreign_key="staff_member.id")
    proposed_at: datetime = created_at_field()
    reviewed_by: int | None = Field(default=None, foreign_key="staff_member.id")
    reviewed_at: datetime | None = None
    review_note: str = Field(default="", max_length=500)


class Objection(SQLModel, table=True):
    """An objection lodged during 公示 by anyone in the village (not only staff)."""

    __tablename__ = "objection"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rating_round.id", index=True)
    award_id: int = Field(foreign_key="award.id", index=True)
    lodged_by: str = Field(max_length=64)
    contact: str = Field(default="", max_length=40)
    reason: str = Field(max_length=500)
    status: str = Field(default=ObjectionStatus.OPEN.value, max_length=16)
    lodged_at: datetime = created_at_field()
    resolved_by: int | None = Field(default=None, foreign_key="staff_member.id")
    resolved_at: datetime | None = None
    resolution: str = Field(default="", max_length=500)


class RoundEvent(SQLModel, table=True):
    """Who did what to a round, and when: the round's public record."""

    __tablename__ = "round_event"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="rating_round.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="staff_member.id")
    actor_name: str = Field(max_length=64)
    action: str = Field(max_length=32)
    detail: str = Field(default="", max_length=500)
    at: datetime = created_at_field()


class PointsAccount(SQLModel, table=True):
    __tablename__ = "points_account"
    __table_args__ = (CheckConstraint("balance >= 0", name="points_balance_not_negative"),)

    household_id: int = Field(foreign_key="household.id", primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    balance: int = 0
    updated_at: datetime = created_at_field()


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        Index("ix_ledger_entry_household_id_id", "household_id", "id"),
        CheckConstraint("balance_after >= 0", name="ledger_balance_after_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id")
    village_id: int = Field(foreign_key="village.id", index=True)
    amount: int
    balance_after: int
    kind: str = Field(max_length=16)
    reason: str = Field(max_length=500)
    ref_type: str | None = Field(default=None, max_length=20)
    ref_id: int | None = None
    actor_id: int = Field(foreign_key="staff_member.id")
    idempotency_key: str = Field(max_length=120, unique=True)
    reverses_id: int | None = Field(default=None, foreign_key="ledger_entry.id", unique=True)
    created_at: datetime = created_at_field()


class CatalogueItem(SQLModel, table=True):
    __tablename__ = "catalogue_item"
    __table_args__ = (
        UniqueConstraint("village_id", "name"),
        CheckConstraint("stock >= 0", name="catalogue_stock_not_negative"),
        CheckConstraint("price_points > 0", name="catalogue_price_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    name: str = Field(max_length=64)
    unit: str = Field(default="件", max_length=16)
    price_points: int
    stock: int = 0
    active: bool = True
    created_at: datetime = created_at_field()


class StockMovement(SQLModel, table=True):
    __tablename__ = "stock_movement"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="catalogue_item.id", index=True)
    delta: int
    stock_after: int
    reason: str = Field(max_length=200)
    redemption_id: int | None = Field(default=None, foreign_key="redemption.id")
    actor_id: int = Field(foreign_key="staff_member.id")
    at: datetime = created_at_field()


class PriceChange(SQLModel, table=True):
    """Who changed an item's price, from what to what: the counter's prices are the village's
    points, so a change is on record like a stock movement."""

    __tablename__ = "price_change"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="catalogue_item.id", index=True)
    old_points: int
    new_points: int
    actor_id: int = Field(foreign_key="staff_member.id")
    at: datetime = created_at_field()


class Redemption(SQLModel, table=True):
    __tablename__ = "redemption"

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    shopkeeper_id: int = Field(foreign_key="staff_member.id")
    idempotency_key: str = Field(max_length=120, unique=True)
    status: str = Field(default=RedemptionStatus.PENDING.value, max_length=16, index=True)
    total_points: int
    code_hash: str = Field(max_length=64)
    code_expires_at: datetime
    attempts: int = 0
    created_at: datetime = created_at_field()
    closed_at: datetime | None = None
    ledger_entry_id: int | None = Field(default=None, foreign_key="ledger_entry.id")


class RedemptionLine(SQLModel, table=True):
    __tablename__ = "redemption_line"

    id: int | None = Field(default=None, primary_key=True)
    redemption_id: int = Field(foreign_key="redemption.id", index=True)
    item_id: int = Field(foreign_key="catalogue_item.id")
    item_name: str = Field(max_length=64)
    unit: str = Field(max_length=16)
    quantity: int
    price_points: int


class Receipt(SQLModel, table=True):
    """What the household is told after a redemption; later issues deliver it."""

    __tablename__ = "receipt"

    id: int | None = Field(default=None, primary_key=True)
    redemption_id: int = Field(foreign_key="redemption.id", unique=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    total_points: int
    balance_after: int
    text: str = Field(max_length=2000)
    created_at: datetime = created_at_field()


class Commendation(SQLModel, table=True):
    __tablename__ = "commendation"
    __table_args__ = (UniqueConstraint("village_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id")
    year: int
    title: str = Field(max_length=64)
    bonus_points: int
    top_n: int
    actor_id: int = Field(foreign_key="staff_member.id")
    created_at: datetime = created_at_field()


class CommendationWinner(SQLModel, table=True):
    __tablename__ = "commendation_winner"
    __table_args__ = (UniqueConstraint("commendation_id", "household_id"),)

    id: int | None = Field(default=None, primary_key=True)
    commendation_id: int = Field(foreign_key="commendation.id", index=True)
    household_id: int = Field(foreign_key="household.id")
    rank: int
    stars: int
    ledger_entry_id: int = Field(foreign_key="ledger_entry.id")
