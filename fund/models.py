"""Tables of the 孝善基金: pledges, the matching rule, and the fund's money ledger.

Money is integer fen (分) in the database and Decimal yuan for people; never a
float. The ledger follows the points ledger's rules: entries are only inserted,
a mistake is undone by a reversal naming the entry (once), every write has an
idempotency key, and the village's :class:`FundAccount` row is locked before
balances are checked, so no balance goes below zero under concurrent writers.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import created_at_field


class PledgeFrequency(StrEnum):
    MONTHLY = "monthly"  # 按月
    QUARTERLY = "quarterly"  # 按季: three months' amount, due in the period's first month


class Pledge(SQLModel, table=True):
    """A 赡养承诺书: the supporter pays ``monthly_fen`` a month for the elder."""

    __tablename__ = "pledge"
    __table_args__ = (
        CheckConstraint("monthly_fen > 0", name="pledge_monthly_positive"),
        CheckConstraint("due_day BETWEEN 1 AND 31", name="pledge_due_day_in_month"),
    )

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    elder_id: int = Field(foreign_key="member.id", index=True)
    supporter_id: int = Field(foreign_key="supporter.id", index=True)
    monthly_fen: int
    due_day: int  # 1–31; 29–31 fall on the last day of a shorter month
    start_month: date  # the first day of the first month pledged
    frequency: str = Field(default=PledgeFrequency.MONTHLY.value, max_length=20)
    end_month: date | None = None  # the first day of the last month pledged, once ended
    created_by: int = Field(foreign_key="staff_member.id")
    created_at: datetime = created_at_field()


class FundRule(SQLModel, table=True):
    """The village's matching rule from ``from_month`` on (the latest such row wins)."""

    __tablename__ = "fund_rule"
    __table_args__ = (
        CheckConstraint("rate >= 0 AND rate <= 1", name="fund_rule_rate_in_range"),
        CheckConstraint("cap_fen IS NULL OR cap_fen >= 0", name="fund_rule_cap_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    from_month: date  # first day of the month it applies from; never before the current month
    rate: Decimal = Field(default=Decimal("0"), max_digits=6, decimal_places=4)  # 0.1000 = 10 %
    cap_fen: int | None = None  # at most this much subsidy per elder per month
    created_by: int = Field(foreign_key="staff_member.id")
    created_at: datetime = created_at_field()


class FundEntryKind(StrEnum):
    CONTRIBUTION = "contribution"  # 子女缴纳: cash in, owed to the elder
    SUBSIDY = "subsidy"  # 基金配捐: from the donations pool, owed to the elder
    DONATION = "donation"  # 乡贤、企业捐赠: cash in, to the donations pool
    PAYOUT = "payout"  # 发放给老人: cash out of what is owed to the elder


class FundAccount(SQLModel, table=True):
    """One per village: the row locked before any entry, with the balances it keeps.

    ``balance_fen`` = contributions + donations − payouts (the cash the fund
    holds); ``pool_fen`` = donations − subsidies (what matching may still use).
    Both always equal the sums of the entries (``verify`` checks), and the database
    refuses either below zero, as it does a household's points balance.
    """

    __tablename__ = "fund_account"
    __table_args__ = (
        CheckConstraint("balance_fen >= 0", name="fund_balance_not_negative"),
        CheckConstraint("pool_fen >= 0", name="fund_pool_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", unique=True)
    balance_fen: int = 0
    pool_fen: int = 0
    updated_at: datetime = created_at_field()


class FundEntry(SQLModel, table=True):
    """One line of the fund's journal; ``amount_fen`` is negative on a reversal."""

    __tablename__ = "fund_entry"
    __table_args__ = (
        Index("ix_fund_entry_pledge_month", "pledge_id", "month"),
        # money moves forward as a positive amount; only a reversal is negative
        CheckConstraint(
            "(reverses_id IS NULL AND amount_fen > 0) OR (reverses_id IS NOT NULL AND amount_fen < 0)",
            name="fund_entry_amount_sign",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    kind: str = Field(max_length=20)  # FundEntryKind
    amount_fen: int
    elder_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    pledge_id: int | None = Field(default=None, foreign_key="pledge.id")
    supporter_id: int | None = Field(default=None, foreign_key="supporter.id")
    month: date | None = None  # the pledge month a contribution/subsidy/payout is for
    booked_on: date  # the Shanghai date the money moved (what the 收支公示 groups by)
    method: str = Field(default="", max_length=20)  # 现金 / 转账 / 微信 …
    donor: str = Field(default="", max_length=100)  # a donation's 乡贤 or enterprise
    # a subsidy names the contribution it matches
    source_id: int | None = Field(default=None, foreign_key="fund_entry.id")
    reverses_id: int | None = Field(default=None, foreign_key="fund_entry.id", unique=True)
    idempotency_key: str = Field(max_length=160, unique=True)
    note: str = Field(default="", max_length=200)
    actor_id: int = Field(foreign_key="staff_member.id")
    created_at: datetime = created_at_field()


class HonourRoll(SQLModel, table=True):
    """A published 孝善光荣榜 for one year; its names are fixed once published."""

    __tablename__ = "honour_roll"
    __table_args__ = (UniqueConstraint("village_id", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    year: int
    published_by: int = Field(foreign_key="staff_member.id")
    published_at: datetime = created_at_field()


class HonourRollName(SQLModel, table=True):
    __tablename__ = "honour_roll_name"
    __table_args__ = (CheckConstraint("paid_fen >= 0", name="honour_paid_not_negative"),)

    id: int | None = Field(default=None, primary_key=True)
    roll_id: int = Field(foreign_key="honour_roll.id", index=True)
    supporter_id: int = Field(foreign_key="supporter.id")
    elder_id: int = Field(foreign_key="member.id")
    paid_fen: int  # what they paid for the year
