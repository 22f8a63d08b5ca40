"""What the 孝善基金 shows the village: the monthly 收支公示 and the yearly 孝善光荣榜.

Both are gathered here already in words and figures; the front-ends only lay
them out (an HTML page to print, a short text for chat and SMS). The statement
groups money by the day it moved (``booked_on``), so a month once shown keeps
its figures; a later correction appears, as a reversal, in the month it was made.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import local_date_text, local_today, utcnow
from core.errors import Conflict, DomainError
from fund.ledger import (
    Kind,
    effect,
    elder_labels,
    month_text,
    row_id,
    yuan,
)
from fund.models import FundEntry, HonourRoll, HonourRollName
from fund.pledge_schedule import add_months, month_start
from fund.pledges import PeriodState, period_statuses, pledge_lines
from village.access import require_fund_role
from village.models import StaffMember, Supporter, Village

# ---------------------------------------------------------------- 收支公示


@dataclass(frozen=True)
class ElderLine:
    name: str
    household_number: str
    contributions_fen: int
    subsidies_fen: int
    paid_out_fen: int

    @property
    def received_fen(self) -> int:
        return self.contributions_fen + self.subsidies_fen


@dataclass(frozen=True)
class DonationLine:
    donor: str
    amount_fen: int
    booked_on: date
    method: str
    note: str


@dataclass(frozen=True)
class FundStatement:
    """One village's money for one month; ``closing`` = opening + in − out."""

    village_id: int
    village: str
    month: date
    opening_fen: int
    contributions_fen: int
    subsidies_fen: int
    donations_fen: int
    payouts_fen: int
    closing_fen: int
    pool_fen: int  # what matching may still spend at the month's end
    elders: tuple[ElderLine, ...]
    donations: tuple[DonationLine, ...]
    issued: str

    @property
    def title(self) -> str:
        return text("fund_statement_title", village=self.village, month=month_text(self.month))


async def _sums_by_kind(
    session: AsyncSession, village_id: int, before: date, since: date | None = None
) -> dict[str, int]:
    query = sa_select(col(FundEntry.kind), func.sum(col(FundEntry.amount_fen))).where(
        col(FundEntry.village_id) == village_id, col(FundEntry.booked_on) < before
    )
    if since is not None:
        query = query.where(col(FundEntry.booked_on) >= since)
    rows = await session.execute(query.group_by(col(FundEntry.kind)))
    return {kind: int(total or 0) for kind, total in rows}


def _cash(sums: dict[str, int]) -> int:
    return sum(effect(kind, amount).balance for kind, amount in sums.items())


def _pool(sums: dict[str, int]) -> int:
    return sum(effect(kind, amount).pool for kind, amount in sums.items())


async def _elder_lines(
    session: AsyncSession, village_id: int, start: date, end: date
) -> tuple[ElderLine, ...]:
    rows = await session.execute(
        sa_select(col(FundEntry.elder_id), col(FundEntry.kind), func.sum(col(FundEntry.amount_fen)))
        .where(
            col(FundEntry.village_id) == village_id,
            col(FundEntry.elder_id).is_not(None),
            col(FundEntry.booked_on) >= start,
            col(FundEntry.booked_on) < end,
        )
        .group_by(col(FundEntry.elder_id), col(FundEntry.kind))
    )
    sums: dict[int, dict[str, int]] = defaultdict(dict)
    for elder_id, kind, total in rows:
        sums[int(elder_id or 0)][kind] = int(total or 0)
    labels = await elder_labels(session, sums)
    lines = [
        ElderLine(
            labels[e].name,
            labels[e].household_number,
            sums[e].get(Kind.CONTRIBUTION.value, 0),
            sums[e].get(Kind.SUBSIDY.value, 0),
            sums[e].get(Kind.PAYOUT.value, 0),
        )
        for e in sums
    ]
    return tuple(sorted(lines, key=lambda x: (x.household_number, x.name)))


async def _donations(
    session: AsyncSession, village_id: int, start: date, end: date
) -> tuple[DonationLine, ...]:
    entries = await session.scalars(
        select(FundEntry)
        .where(
            FundEntry.village_id == village_id,
            FundEntry.kind == Kind.DONATION.value,
            col(FundEntry.booked_on) >= start,
            col(FundEntry.booked_on) < end,
        )
        .order_by(col(FundEntry.booked_on), col(FundEntry.id))
    )
    return tuple(
        DonationLine(e.donor, e.amount_fen, e.booked_on, e.method, e.note) for e in entries
    )


async def monthly_statement(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    month: date,
    now: datetime | None = None,
) -> FundStatement:
    """The 收支公示 of ``month``: opening, contributions, subsidies, donations, payouts, closing."""
    require_fund_role(actor, village)
    return await build_statement(session, village, month, now)


async def build_statement(
    session: AsyncSession, village: Village, month: date, now: datetime | None = None
) -> FundStatement:
    """The statement without an actor: for the monthly sweep that sends it to the committee."""
    start = month_start(month)
    if start > month_start(local_today(now)):
        raise DomainError("fund_future_month", month=month_text(start))
    end = add_months(start, 1)
    village_id = row_id(village.id)
    before = await _sums_by_kind(session, village_id, start)
    during = await _sums_by_kind(session, village_id, end, since=start)
    opening = _cash(before)
    return FundStatement(
        village_id=village_id,
        village=village.name,
        month=start,
        opening_fen=opening,
        contributions_fen=during.get(Kind.CONTRIBUTION.value, 0),
        subsidies_fen=during.get(Kind.SUBSIDY.value, 0),
        donations_fen=during.get(Kind.DONATION.value, 0),
        payouts_fen=during.get(Kind.PAYOUT.value, 0),
        closing_fen=opening + _cash(during),
        pool_fen=_pool(before) + _pool(during),
        elders=await _elder_lines(session, village_id, start, end),
        donations=await _donations(session, village_id, start, end),
        issued=local_date_text(now or utcnow()),
    )


def statement_text(statement: FundStatement) -> str:
    """The summary for chat and SMS (the printed page has the lines per elder)."""
    return text(
        "fund_statement_summary",
        title=statement.title,
        opening=yuan(statement.opening_fen),
        contributions=yuan(statement.contributions_fen),
        donations=yuan(statement.donations_fen),
        subsidies=yuan(statement.subsidies_fen),
        payouts=yuan(statement.payouts_fen),
        closing=yuan(statement.closing_fen),
        pool=yuan(statement.pool_fen),
        elders=len(statement.elders),
    )


# ---------------------------------------------------------------- 孝善光荣榜


@dataclass(frozen=True)
class HonourLine:
    """A supporter named on the roll, for one elder they support."""

    supporter_id: int
    supporter: str
    relation: str
    household_id: int | None  # the supporter's own household (for the 良好家风之星)
    elder_id: int
    elder: str
    elder_household: str
    paid_fen: int

    @property
    def label(self) -> str:
        return text(
            "fund_honour_name",
            supporter=self.supporter,
            elder=self.elder,
            relation=self.relation or text("fund_relation_unknown"),
        )


@dataclass(frozen=True)
class StarOutcome:
    """What proposing the 良好家风之星 did: the round, who was proposed, who was skipped why."""

    round_name: str | None
    proposed: tuple[str, ...]
    skipped: tuple[str, ...]


class StarProposer(Protocol):
    """Proposes the star for the named supporters' households (lives with the rating rounds,
    which this package may not import)."""

    async def __call__(
        self,
        session: AsyncSession,
        actor: StaffMember,
        village: Village,
        lines: Sequence[HonourLine],
        year: int,
        now: datetime,
    ) -> StarOutcome: ...


@dataclass(frozen=True)
class PublishedRoll:
    roll: HonourRoll
    lines: list[HonourLine]
    stars: StarOutcome | None


async def honour_roll(
    session: AsyncSession, village: Village, year: int, today: date | None = None
) -> list[HonourLine]:
    """Supporters who paid every period of ``year`` due by ``today`` in full by its due date.

    按时足额 means what it says: a period paid in full after its due date (逾期缴清)
    keeps its supporter off the roll (and so off the 良好家风之星 proposal), as a
    period unpaid or paid in part does. ``paid_fen`` is everything the supporter
    paid for the elder's periods of ``year``, also those paid ahead of their due date.
    """
    today = today or local_today()
    pledges = await pledge_lines(session, village)
    statuses = await period_statuses(
        session, [p.pledge for p in pledges], date(year, 1, 1), date(year, 12, 1), today
    )
    kept: dict[int, bool] = {}
    paid: dict[tuple[int, int], int] = defaultdict(int)
    for line in pledges:
        year_periods = statuses[row_id(line.pledge.id)]
        due = [s for s in year_periods if s.due_on <= today]
        supporter_id = row_id(line.supporter.id)
        if due:
            on_time = all(s.state is PeriodState.PAID for s in due)
            kept[supporter_id] = kept.get(supporter_id, True) and on_time
        if due or any(s.paid_fen for s in year_periods):
            paid[(supporter_id, line.pledge.elder_id)] += sum(s.paid_fen for s in year_periods)
    supporters = {row_id(p.supporter.id): p.supporter for p in pledges}
    elders = {p.pledge.elder_id: p.elder for p in pledges}
    lines = [
        _honour_line(supporters[s], e, elders[e].name, elders[e].household_number, fen)
        for (s, e), fen in paid.items()
        if kept.get(s, False)
    ]
    return sorted(lines, key=lambda x: (x.elder_household, x.elder, x.supporter, x.supporter_id))


async def open_year_periods(
    session: AsyncSession, village: Village, year: int, today: date | None = None
) -> int | None:
    """None once ``year`` is over; else how many of its pledge periods fall due after today.

    A roll published before the year ends is fixed on a part of the year: the
    council is told how much is still to come and must confirm. A year not
    begun has no roll at all.
    """
    today = today or local_today()
    if year > today.year:
        raise DomainError("fund_honour_future", year=year)
    if year < today.year:
        return None
    pledges = [line.pledge for line in await pledge_lines(session, village)]
    statuses = await period_statuses(session, pledges, date(year, 1, 1), date(year, 12, 1), today)
    return sum(1 for found in statuses.values() for s in found if s.due_on > today)


def _honour_line(
    supporter: Supporter, elder_id: int, elder: str, household: str, paid_fen: int
) -> HonourLine:
    return HonourLine(
        row_id(supporter.id),
        supporter.name,
        supporter.relation,
        supporter.household_id,
        elder_id,
        elder,
        household,
        paid_fen,
    )


async def find_honour_roll(
    session: AsyncSession, village: Village, year: int
) -> tuple[HonourRoll, list[HonourLine]] | None:
    """The roll as published (its names fixed), or None."""
    roll = await session.scalar(
        select(HonourRoll).where(
            HonourRoll.village_id == row_id(village.id), HonourRoll.year == year
        )
    )
    if roll is None:
        return None
    rows = list(
        await session.execute(
            select(HonourRollName, Supporter)
            .join(Supporter, col(Supporter.id) == col(HonourRollName.supporter_id))
            .where(HonourRollName.roll_id == row_id(roll.id))
            .order_by(col(HonourRollName.id))
        )
    )
    labels = await elder_labels(session, [name.elder_id for name, _ in rows])
    lines = [
        _honour_line(
            supporter,
            name.elder_id,
            labels[name.elder_id].name,
            labels[name.elder_id].household_number,
            name.paid_fen,
        )
        for name, supporter in rows
    ]
    return roll, lines


async def publish_honour_roll(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    year: int,
    now: datetime | None = None,
    *,
    propose_stars: StarProposer | None = None,
    before_year_end: bool = False,
) -> PublishedRoll:
    """Fix the year's roll (once per village and year); optionally propose the star.

    Before the year is over the roll would stand on part of the year, so it is
    refused unless ``before_year_end`` says the council has confirmed that.
    """
    require_fund_role(actor, village)
    now = now or utcnow()
    today = local_today(now)
    earlier = await find_honour_roll(session, village, year)
    if earlier is not None:
        raise Conflict(
            "fund_honour_exists", year=year, date=local_date_text(earlier[0].published_at)
        )
    to_come = await open_year_periods(session, village, year, today)
    if to_come is not None and not before_year_end:
        raise DomainError("fund_honour_year_open", year=year, periods=to_come)
    lines = await honour_roll(session, village, year, today)
    if not lines:  # an empty roll would stand for the year: publish once someone has kept it
        raise DomainError("fund_honour_nobody", village=village.name, year=year)
    roll = HonourRoll(
        village_id=row_id(village.id), year=year, published_by=row_id(actor.id), published_at=now
    )
    session.add(roll)
    try:
        await session.flush()
    except IntegrityError as error:  # published from elsewhere in between
        raise Conflict("fund_honour_exists", year=year, date=local_date_text(now)) from error
    session.add_all(
        HonourRollName(
            roll_id=row_id(roll.id),
            supporter_id=line.supporter_id,
            elder_id=line.elder_id,
            paid_fen=line.paid_fen,
        )
        for line in lines
    )
    await session.flush()
    stars = None
    if propose_stars is not None:
        stars = await propose_stars(session, actor, village, lines, year, now)
    return PublishedRoll(roll, lines, stars)


def honour_text(village: Village, year: int, lines: Sequence[HonourLine]) -> str:
    """The roll in one message (for the village group, the committee or SMS)."""
    if not lines:
        return text("fund_honour_empty", village=village.name, year=year)
    return text(
        "fund_honour_summary",
        village=village.name,
        year=year,
        count=len({line.supporter_id for line in lines}),
        names="、".join(line.label for line in lines),
    )
