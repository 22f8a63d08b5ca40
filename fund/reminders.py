"""Reminder rules for 孝善 pledges: supporters before and on the due day, the council on the 5th.

A period of a pledge (:mod:`fund.pledge_schedule`) is paid when its
contributions add up to the period's amount; until then the supporter hears
``pledge_remind_days_before`` days ahead and on the due day, and once paid,
what was still planned is cleared. On the 1st each committee member gets last
month's 收支公示 (once the fund has money). On ``fund_arrears_day`` of each month every
member of the fund council gets the list of periods past due and not paid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import SHANGHAI, to_local
from core.models import Role
from core.settings import Settings
from fund.ledger import yuan
from fund.models import FundEntry, FundEntryKind, Pledge
from fund.pledge_schedule import (
    add_months,
    due_date,
    month_start,
    period_amount,
    periods_due_between,
)
from fund.report import build_statement, statement_text
from notifications.reminders import (
    BATCH,
    LINES,
    Batch,
    Due,
    Pending,
    columns_by_id,
    committee_ids,
)
from village.models import Member, Supporter, Village


@dataclass(frozen=True)
class Terms:
    """What the sweep needs of a pledge (a plain row: loading ORM objects cost more than the rest)."""

    id: int
    supporter_id: int
    elder_id: int
    monthly_fen: int
    due_day: int
    start_month: date
    frequency: str
    end_month: date | None
    signed_on: date


@dataclass(frozen=True)
class Unpaid:
    pledge: Terms
    period: date
    due_on: date
    outstanding: int


async def _pledges(session: AsyncSession, village_id: int, since: date, until: date) -> list[Terms]:
    columns: tuple[Any, ...] = (
        col(Pledge.id),
        col(Pledge.supporter_id),
        col(Pledge.elder_id),
        col(Pledge.monthly_fen),
        col(Pledge.due_day),
        col(Pledge.start_month),
        col(Pledge.frequency),
        col(Pledge.end_month),
        col(Pledge.created_at),
    )
    rows = await session.execute(
        sa_select(*columns)
        .where(col(Pledge.village_id) == village_id)
        .where(col(Pledge.start_month) <= until)
        .where((col(Pledge.end_month).is_(None)) | (col(Pledge.end_month) >= month_start(since)))
    )
    return [
        Terms(p, s, e, fen, day, start, frequency, end, to_local(signed).date())
        for p, s, e, fen, day, start, frequency, end, signed in rows
    ]


async def _paid(
    session: AsyncSession, village_id: int, since: date, pledge_ids: list[int | None] | None = None
) -> dict[tuple[int, date], int]:
    """Fen contributed per (pledge, period month) from ``since``'s month on (of ``pledge_ids``)."""
    query = (
        select(col(FundEntry.pledge_id), col(FundEntry.month), func.sum(FundEntry.amount_fen))
        .where(FundEntry.village_id == village_id)
        .where(FundEntry.kind == FundEntryKind.CONTRIBUTION.value)
        .where(col(FundEntry.month) >= month_start(since))
        .group_by(col(FundEntry.pledge_id), col(FundEntry.month))
    )
    if pledge_ids is None:
        chunks: list[list[int]] = [[]]
    else:
        ids = sorted({i for i in pledge_ids if i is not None})
        chunks = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    paid: dict[tuple[int, date], int] = {}
    for chunk in chunks:
        limited = query if pledge_ids is None else query.where(col(FundEntry.pledge_id).in_(chunk))
        rows = await session.execute(limited)
        paid.update({(p, m): int(s or 0) for p, m, s in rows if p is not None and m is not None})
    return paid


async def unpaid_periods(
    session: AsyncSession, village_id: int, first: date, last: date
) -> list[Unpaid]:
    """Periods due between ``first`` and ``last`` whose contributions fall short."""
    paid = await _paid(session, village_id, first)
    found: list[Unpaid] = []
    for pledge in await _pledges(session, village_id, first, last):
        for period, due in periods_due_between(pledge, first, last):
            outstanding = period_amount(pledge) - paid.get((pledge.id, period), 0)
            if outstanding > 0:
                found.append(Unpaid(pledge, period, due, outstanding))
    return found


class PledgeReminders:
    def __init__(self, settings: Settings) -> None:
        self.before = settings.pledge_remind_days_before
        self.arrears_day = settings.fund_arrears_day
        self.grace = settings.reminder_grace_days
        self._arrears_of: dict[tuple[int, date], list[Unpaid]] = {}
        self._unpaid_of: dict[tuple[int, date], list[Unpaid]] = {}  # what due() found, for render()

    async def due(self, session: AsyncSession, village: Village, today: date) -> list[Due]:
        assert village.id is not None
        wanted: list[Due] = []
        first = today - timedelta(days=self.grace)  # later than that, unsent ones expire
        unpaid = await unpaid_periods(
            session, village.id, first, today + timedelta(days=self.before)
        )
        self._unpaid_of[(village.id, today)] = unpaid
        for item in unpaid:
            if item.due_on < item.pledge.signed_on:
                continue  # signed after that day: nothing to remind of
            occasion = f"g{item.pledge.id}:{item.period}"
            person = {"supporter_id": item.pledge.supporter_id, "pledge_id": item.pledge.id}
            wanted += [
                Due(
                    "pledge_soon",
                    occasion,
                    item.due_on - timedelta(days=self.before),
                    item.due_on,
                    **person,
                ),
                Due("pledge_day", occasion, item.due_on, item.due_on, **person),
            ]
        report_day = due_date(self.arrears_day, today)
        if 0 <= (today - report_day).days <= self.grace and await self._arrears(
            session, village.id, today
        ):
            council = await committee_ids(session, village.id, Role.FUND_COUNCIL)
            month = f"m{report_day:%Y-%m}"
            wanted += [
                Due("fund_arrears", month, report_day, report_day, staff_id=c) for c in council
            ]
        return wanted + await self._statement(session, village.id, today)

    async def _statement(self, session: AsyncSession, village_id: int, today: date) -> list[Due]:
        """On the 1st, last month's 收支公示 to each committee member, once the fund has money."""
        first = today.replace(day=1)
        if (today - first).days > self.grace:
            return []
        moved = await session.scalar(
            select(func.count())
            .select_from(FundEntry)
            .where(FundEntry.village_id == village_id)
            .where(col(FundEntry.booked_on) < first)
        )
        if not moved:
            return []
        month = f"s{add_months(first, -1):%Y-%m}"
        committee = await committee_ids(session, village_id, Role.COMMITTEE)
        return [Due("fund_statement", month, first, first, staff_id=c) for c in committee]

    async def _arrears(self, session: AsyncSession, village_id: int, today: date) -> list[Unpaid]:
        """Every period due before ``today`` and not fully paid, since the oldest pledge began.

        Worked out once per village and day: the plan and the message both need it.
        """
        if (village_id, today) not in self._arrears_of:
            oldest = await session.scalar(
                select(func.min(Pledge.start_month)).where(Pledge.village_id == village_id)
            )
            found = []
            if oldest is not None:
                found = await unpaid_periods(session, village_id, oldest, today - timedelta(days=1))
            self._arrears_of[(village_id, today)] = found
        return self._arrears_of[(village_id, today)]

    async def render(
        self,
        session: AsyncSession,
        village: Village,
        batches: Mapping[Batch, Sequence[Pending]],
        today: date,
    ) -> dict[Batch, str]:
        assert village.id is not None
        bodies: dict[Batch, str] = {}
        arrears = [b for b in batches if b[0] == "fund_arrears"]
        if arrears:
            listing = await self._arrears_text(session, village.id, today)
            bodies |= {b: listing for b in arrears}
        statements = [b for b in batches if b[0] == "fund_statement"]
        if statements:
            last_month = add_months(today.replace(day=1), -1)
            moment = datetime.combine(today, time(9), SHANGHAI)
            summary = statement_text(await build_statement(session, village, last_month, moment))
            bodies |= {b: summary for b in statements}
        mine = {b: rows for b, rows in batches.items() if b[0] in ("pledge_soon", "pledge_day")}
        if not mine:
            return bodies
        rows = [r for found in mine.values() for r in found]
        unpaid = {(u.pledge.id, u.period): u for u in self._unpaid_of[(village.id, today)]}
        supporters = await columns_by_id(session, Supporter, (r.supporter_id for r in rows), "name")
        elders = await columns_by_id(
            session, Member, (u.pledge.elder_id for u in unpaid.values()), "name"
        )
        for (rule, person), found in mine.items():
            lines = []
            for row in found:
                item = unpaid[(row.pledge_id or 0, month_start(row.occurs_on))]
                lines.append(
                    text(
                        "reminder_pledge_line",
                        elder=elders[item.pledge.elder_id].name,
                        month=f"{item.period:%Y年%m月}",
                        amount=yuan(item.outstanding),
                        date=row.occurs_on.isoformat(),
                    )
                )
            bodies[(rule, person)] = text(
                f"reminder_{rule}",
                name=supporters[found[0].supporter_id or 0].name,
                lines="；".join(lines),
                village=village.name,
            )
        return bodies

    async def _arrears_text(self, session: AsyncSession, village_id: int, today: date) -> str:
        items = await self._arrears(session, village_id, today)
        items.sort(key=lambda u: (u.due_on, u.pledge.id or 0))
        supporters = await columns_by_id(
            session, Supporter, (u.pledge.supporter_id for u in items), "name"
        )
        elders = await columns_by_id(session, Member, (u.pledge.elder_id for u in items), "name")
        owed: dict[int, int] = defaultdict(int)
        for item in items:
            owed[item.pledge.supporter_id] += item.outstanding
        lines = "；".join(
            text(
                "reminder_arrears_line",
                supporter=supporters[u.pledge.supporter_id].name,
                elder=elders[u.pledge.elder_id].name,
                month=f"{u.period:%Y年%m月}",
                amount=yuan(u.outstanding),
            )
            for u in items[:LINES]
        )
        if len(items) > LINES:
            lines += text("reminder_more_items", count=len(items))
        return text(
            "reminder_fund_arrears",
            date=today.isoformat(),
            count=len(items),
            people=len(owed),
            total=yuan(sum(owed.values())),
            lines=lines,
        )
