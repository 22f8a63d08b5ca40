"""A village at a glance: the figures the committee and the township look at first.

Every figure is an aggregate the database computes (GROUP BY / SUM over
indexed columns), so the page costs the same handful of queries for a village
of ten households or of a thousand with ten thousand ledger entries. The same
queries, grouped by village, fill the township page (:func:`figures_of`), so
the two pages never disagree and the township costs a few queries per village.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from care.follow_ups import open_by_village
from care.reminders import plans
from care.visits import interval_days, week_end
from core.catalogue import text
from core.clock import SHANGHAI, local_text
from fund.ledger import yuan
from fund.models import FundAccount
from fund.pledges import arrears
from notifications.models import MessageStatus, Notice, NoticeOccurrence
from outreach.notices import progress
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


async def _type_counts(session: AsyncSession, ids: list[int]) -> dict[int, list[TypeCount]]:
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    for village_id, kind, count in await session.execute(
        sa_select(col(Household.village_id), col(Household.household_type), func.count())
        .where(col(Household.village_id).in_(ids))
        .group_by(col(Household.village_id), col(Household.household_type))
    ):
        counts[village_id][kind] = int(count)
    return {
        village_id: [
            TypeCount(text(f"household_type_{t.value}"), found.get(t.value, 0))
            for t in HouseholdType
        ]
        for village_id, found in counts.items()
    }


async def _month_points(
    session: AsyncSession, ids: list[int], year: int
) -> dict[int, list[MonthPoints]]:
    """Points issued and redeemed per month of ``year``; a reversal counts against its original.

    The month is found by comparing with the month starts (Beijing time, as UTC
    instants), which both databases do the same way and the index can serve.
    """
    bounds = year_bounds(year)
    original = aliased(LedgerEntry)
    kind = func.coalesce(col(original.kind), col(LedgerEntry.kind))
    month = case(*((col(LedgerEntry.created_at) < bounds[m], m) for m in range(1, 12)), else_=12)
    village = col(LedgerEntry.village_id)
    rows = await session.execute(
        sa_select(village, month, kind, func.sum(col(LedgerEntry.amount)))
        .select_from(LedgerEntry)
        .outerjoin(original, col(original.id) == col(LedgerEntry.reverses_id))
        .where(
            village.in_(ids),
            col(LedgerEntry.created_at) >= bounds[0],
            col(LedgerEntry.created_at) < bounds[12],
        )
        .group_by(village, month, kind)
    )
    issued = {i: dict.fromkeys(range(1, 13), 0) for i in ids}
    redeemed = {i: dict.fromkeys(range(1, 13), 0) for i in ids}
    for village_id, number, entry_kind, total in rows:
        if entry_kind in ISSUED_KINDS:
            issued[village_id][int(number)] += int(total or 0)
        elif entry_kind == EntryKind.REDEMPTION.value:
            redeemed[village_id][int(number)] -= int(total or 0)
    return {i: [MonthPoints(m, issued[i][m], redeemed[i][m]) for m in range(1, 13)] for i in ids}


async def _category_stars(
    session: AsyncSession, ids: list[int], year: int
) -> dict[int, list[CategoryStars]]:
    """This year's stars by category, counted as the yearly commendation counts them."""
    original, reversal = aliased(LedgerEntry), aliased(LedgerEntry)
    reversed_awards = (
        sa_select(col(original.ref_id))
        .join(reversal, col(reversal.reverses_id) == col(original.id))
        .where(
            col(original.village_id).in_(ids),
            col(original.ref_type) == "award",
            col(original.ref_id).is_not(None),
        )
    )
    rows = await session.execute(
        sa_select(col(RatingRound.village_id), col(StarCategory.name), func.count(col(Award.id)))
        .join(RatingRound, col(RatingRound.id) == col(Award.round_id))
        .join(StarCategory, col(StarCategory.id) == col(Award.category_id))
        .where(
            col(RatingRound.village_id).in_(ids),
            col(RatingRound.year) == year,
            col(RatingRound.status) == RoundStatus.EFFECTIVE.value,
            col(Award.status) == AwardStatus.CREDITED.value,
            col(Award.id).not_in(reversed_awards),
        )
        .group_by(
            col(RatingRound.village_id),
            col(StarCategory.id),
            col(StarCategory.name),
            col(StarCategory.sort_order),
        )
        .order_by(col(StarCategory.sort_order), col(StarCategory.id))
    )
    stars: dict[int, list[CategoryStars]] = {i: [] for i in ids}
    for village_id, name, count in rows:
        stars[village_id].append(CategoryStars(name, int(count)))
    return stars


async def _sums(session: AsyncSession, ids: list[int], village: Any, value: Any) -> dict[int, int]:
    """``SUM(value)`` per village over a table keyed by village (0 for a village without rows)."""
    rows = await session.execute(
        sa_select(village, func.coalesce(func.sum(value), 0))
        .where(village.in_(ids))
        .group_by(village)
    )
    return {i: 0 for i in ids} | {v: int(total) for v, total in rows}


@dataclass(frozen=True)
class _Aggregates:
    """The figures that are one grouped query for any number of villages."""

    by_type: dict[int, list[TypeCount]]
    months: dict[int, list[MonthPoints]]
    stars: dict[int, list[CategoryStars]]
    balances: dict[int, int]
    fund: dict[int, int]
    follow_ups: dict[int, int]


async def _aggregates(session: AsyncSession, ids: list[int], year: int) -> _Aggregates:
    return _Aggregates(
        by_type=await _type_counts(session, ids),
        months=await _month_points(session, ids, year),
        stars=await _category_stars(session, ids, year),
        balances=await _sums(
            session, ids, col(PointsAccount.village_id), col(PointsAccount.balance)
        ),
        fund=await _sums(session, ids, col(FundAccount.village_id), col(FundAccount.balance_fen)),
        follow_ups=await open_by_village(session, ids),
    )


async def _one(
    session: AsyncSession, village: Village, found: _Aggregates, today: date
) -> VillageFigures:
    """One village's row: the grouped figures, plus its visit plans and arrears (domain rules)."""
    village_id = village.id or 0
    months, stars = found.months[village_id], found.stars[village_id]
    due = [plan.due_on for plan in await plans(session, village_id, interval_days())]
    owing = await arrears(session, village, today)
    sunday = week_end(today)
    return VillageFigures(
        village_id=village_id,
        name=village.name,
        township=village.township,
        households=sum(t.count for t in found.by_type[village_id]),
        by_type=found.by_type[village_id],
        year=today.year,
        stars=sum(s.count for s in stars),
        points_issued=sum(m.issued for m in months),
        points_redeemed=sum(m.redeemed for m in months),
        points_balance=found.balances[village_id],
        visits_this_week=sum(1 for day in due if today <= day <= sunday),
        visits_overdue=sum(1 for day in due if day < today),
        follow_ups_open=found.follow_ups[village_id],
        fund_balance_fen=found.fund[village_id],
        arrears_count=len(owing),
        arrears_fen=sum(line.status.outstanding_fen for line in owing),
    )


async def figures_of(
    session: AsyncSession, villages: Sequence[Village], today: date
) -> list[VillageFigures]:
    """The villages' figures (the caller has checked the principal may see them).

    The aggregates are six grouped queries whatever the number of villages; the
    visit plans and arrears, which follow each village's rules, a few queries each.
    """
    found = await _aggregates(session, [v.id or 0 for v in villages], today.year)
    return [await _one(session, village, found, today) for village in villages]


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
    found = await _aggregates(session, [village_id], today.year)
    figures = await _one(session, village, found, today)
    broadcasts = await _broadcasts(session, village_id)
    months, stars = found.months[village_id], found.stars[village_id]
    return DashboardView(village, today, figures, months, stars, broadcasts)


def month_labels() -> list[str]:
    """1月 … 12月, for charts and tables."""
    return [text("console_month", month=m) for m in range(1, 13)]
