"""A village at a glance: the figures the committee and the township look at first.

Every figure is an aggregate the database computes (GROUP BY / SUM over
indexed columns), so the page costs the same handful of queries for a village
of ten households or of a thousand with ten thousand ledger entries. The same
:func:`village_figures` fills one row of the township page per village.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from care.follow_ups import count_open
from care.reminders import plans
from care.visits import interval_days, week_end
from core.catalogue import text
from core.clock import SHANGHAI, local_text
from fund.ledger import fund_balances, yuan
from fund.pledges import arrears
from notifications.broadcast import progress
from notifications.models import MessageStatus, Notice, NoticeOccurrence
from points.models import (
    Award,
    AwardStatus,
    EntryKind,
    LedgerEntry,
    PointsAccount,
    RatingRound,
    RoundStatus,
    StarCategory,
)
from usecases.principal import Principal, village_for
from village.models import Household, HouseholdType, Village

BROADCASTS_SHOWN = 5
ISSUED_KINDS = (EntryKind.AWARD.value, EntryKind.COMMENDATION.value)


@dataclass(frozen=True)
class TypeCount:
    label: str  # 脱贫户, 监测户, 一般户
    count: int


@dataclass(frozen=True)
class VillageFigures:
    """One village's numbers: a dashboard's tiles, a township row."""

    village_id: int
    name: str
    township: str
    households: int
    by_type: list[TypeCount]
    year: int
    stars: int  # credited this year, reversals left out
    points_issued: int  # this year, net of reversed awards
    points_redeemed: int  # this year, net of returns
    points_balance: int  # every household's balance now
    visits_this_week: int  # due from today to Sunday
    visits_overdue: int
    follow_ups_open: int
    fund_balance_fen: int
    arrears_count: int
    arrears_fen: int

    @property
    def fund_balance(self) -> str:
        return yuan(self.fund_balance_fen)

    @property
    def arrears_amount(self) -> str:
        return yuan(self.arrears_fen)


@dataclass(frozen=True)
class MonthPoints:
    month: int  # 1–12 of the year, Beijing time
    issued: int
    redeemed: int


@dataclass(frozen=True)
class CategoryStars:
    name: str
    count: int


@dataclass(frozen=True)
class BroadcastLine:
    title: str
    created: str  # Beijing time
    status: str  # 草稿, 已排期 … (catalogue)
    total: int
    sent: int  # the provider took it (delivered ones included)
    delivered: int
    failed: int


@dataclass(frozen=True)
class DashboardView:
    village: Village
    today: date
    figures: VillageFigures
    months: list[MonthPoints]
    stars: list[CategoryStars]
    broadcasts: list[BroadcastLine]


def year_bounds(year: int) -> list[datetime]:
    """The 13 month starts of ``year`` (Beijing time): Jan 1 … next Jan 1."""
    starts = [datetime.combine(date(year, m, 1), time.min, tzinfo=SHANGHAI) for m in range(1, 13)]
    return [*starts, datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=SHANGHAI)]


async def _type_counts(session: AsyncSession, village_id: int) -> list[TypeCount]:
    rows = dict(
        (
            await session.execute(
                sa_select(col(Household.household_type), func.count())
                .where(col(Household.village_id) == village_id)
                .group_by(col(Household.household_type))
            )
        ).all()
    )
    return [
        TypeCount(text(f"household_type_{t.value}"), int(rows.get(t.value, 0)))
        for t in HouseholdType
    ]


async def _month_points(session: AsyncSession, village_id: int, year: int) -> list[MonthPoints]:
    """Points issued and redeemed per month of ``year``; a reversal counts against its original.

    The month is found by comparing with the month starts (Beijing time, as UTC
    instants), which both databases do the same way and the index can serve.
    """
    bounds = year_bounds(year)
    original = aliased(LedgerEntry)
    kind = func.coalesce(col(original.kind), col(LedgerEntry.kind))
    month = case(*((col(LedgerEntry.created_at) < bounds[m], m) for m in range(1, 12)), else_=12)
    rows = await session.execute(
        sa_select(month, kind, func.sum(col(LedgerEntry.amount)))
        .select_from(LedgerEntry)
        .outerjoin(original, col(original.id) == col(LedgerEntry.reverses_id))
        .where(
            col(LedgerEntry.village_id) == village_id,
            col(LedgerEntry.created_at) >= bounds[0],
            col(LedgerEntry.created_at) < bounds[12],
        )
        .group_by(month, kind)
    )
    issued = dict.fromkeys(range(1, 13), 0)
    redeemed = dict.fromkeys(range(1, 13), 0)
    for number, entry_kind, total in rows:
        if entry_kind in ISSUED_KINDS:
            issued[int(number)] += int(total or 0)
        elif entry_kind == EntryKind.REDEMPTION.value:
            redeemed[int(number)] -= int(total or 0)
    return [MonthPoints(m, issued[m], redeemed[m]) for m in range(1, 13)]


async def _category_stars(session: AsyncSession, village_id: int, year: int) -> list[CategoryStars]:
    """This year's stars by category, counted as the yearly commendation counts them."""
    original, reversal = aliased(LedgerEntry), aliased(LedgerEntry)
    reversed_awards = (
        sa_select(col(original.ref_id))
        .join(reversal, col(reversal.reverses_id) == col(original.id))
        .where(
            col(original.village_id) == village_id,
            col(original.ref_type) == "award",
            col(original.ref_id).is_not(None),
        )
    )
    rows = await session.execute(
        sa_select(col(StarCategory.name), func.count(col(Award.id)))
        .join(RatingRound, col(RatingRound.id) == col(Award.round_id))
        .join(StarCategory, col(StarCategory.id) == col(Award.category_id))
        .where(
            col(RatingRound.village_id) == village_id,
            col(RatingRound.year) == year,
            col(RatingRound.status) == RoundStatus.EFFECTIVE.value,
            col(Award.status) == AwardStatus.CREDITED.value,
            col(Award.id).not_in(reversed_awards),
        )
        .group_by(col(StarCategory.id), col(StarCategory.name), col(StarCategory.sort_order))
        .order_by(col(StarCategory.sort_order), col(StarCategory.id))
    )
    return [CategoryStars(name, int(count)) for name, count in rows]


async def _figures(
    session: AsyncSession, village: Village, today: date
) -> tuple[VillageFigures, list[MonthPoints], list[CategoryStars]]:
    village_id = village.id or 0
    by_type = await _type_counts(session, village_id)
    months = await _month_points(session, village_id, today.year)
    stars = await _category_stars(session, village_id, today.year)
    balance = await session.scalar(
        sa_select(func.coalesce(func.sum(col(PointsAccount.balance)), 0)).where(
            col(PointsAccount.village_id) == village_id
        )
    )
    due = [plan.due_on for plan in await plans(session, village_id, interval_days())]
    owing = await arrears(session, village, today)
    sunday = week_end(today)
    figures = VillageFigures(
        village_id=village_id,
        name=village.name,
        township=village.township,
        households=sum(t.count for t in by_type),
        by_type=by_type,
        year=today.year,
        stars=sum(s.count for s in stars),
        points_issued=sum(m.issued for m in months),
        points_redeemed=sum(m.redeemed for m in months),
        points_balance=int(balance or 0),
        visits_this_week=sum(1 for day in due if today <= day <= sunday),
        visits_overdue=sum(1 for day in due if day < today),
        follow_ups_open=await count_open(session, village),
        fund_balance_fen=(await fund_balances(session, village)).balance_fen,
        arrears_count=len(owing),
        arrears_fen=sum(line.status.outstanding_fen for line in owing),
    )
    return figures, months, stars


async def village_figures(session: AsyncSession, village: Village, today: date) -> VillageFigures:
    """One village's figures (the caller has checked the principal may see it)."""
    figures, _, _ = await _figures(session, village, today)
    return figures


async def _broadcasts(session: AsyncSession, village_id: int) -> list[BroadcastLine]:
    """The latest notices with how their messages fared (via the outbox's status counts)."""
    notices = list(
        await session.scalars(
            select(Notice)
            .where(col(Notice.village_id) == village_id)
            .order_by(col(Notice.created_at).desc(), col(Notice.id).desc())
            .limit(BROADCASTS_SHOWN)
        )
    )
    occurrences: dict[int, list[int]] = {n.id or 0: [] for n in notices}
    if notices:
        for notice_id, occurrence_id in await session.execute(
            sa_select(col(NoticeOccurrence.notice_id), col(NoticeOccurrence.id)).where(
                col(NoticeOccurrence.notice_id).in_(list(occurrences))
            )
        ):
            occurrences[notice_id].append(occurrence_id or 0)
    lines = []
    for notice in notices:
        counts: dict[str, int] = await progress(session, occurrences[notice.id or 0])
        delivered = counts[MessageStatus.DELIVERED.value]
        lines.append(
            BroadcastLine(
                title=notice.title,
                created=local_text(notice.created_at),
                status=text(f"console_notice_{notice.status}"),
                total=sum(counts.values()),
                sent=counts[MessageStatus.SENT.value] + delivered,
                delivered=delivered,
                failed=counts[MessageStatus.FAILED.value],
            )
        )
    return lines


async def village_dashboard(
    session: AsyncSession, principal: Principal, village_id: int, today: date
) -> DashboardView:
    """The dashboard of one village; Forbidden when it is not the principal's."""
    village = await village_for(session, principal, village_id)
    figures, months, stars = await _figures(session, village, today)
    broadcasts = await _broadcasts(session, village_id)
    return DashboardView(village, today, figures, months, stars, broadcasts)


def month_labels() -> list[str]:
    """1月 … 12月, for charts and tables."""
    return [text("console_month", month=m) for m in range(1, 13)]
