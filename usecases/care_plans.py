"""Helper assignment, visit plans, festival visits and hardship reports, as the console shows them.

The rules stay in :mod:`care.visits` (assign a helper, a household's plan, the
village's festivals) and :mod:`care.hardship` (what households reported); the
due dates come from the same plan the reminders use
(:mod:`care.reminders`), so the 帮扶 page, the visits page and
the reminders never disagree. Here they are only called with the logged-in
person as the actor and turned into views. The committee acts; a helper
(帮扶责任人) sees their own households; the 村务监督委员会 reads. Every ID-card
and phone number leaves here masked, the way the roster shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from care.festivals import Festival, festival_name, parse_festival, village_festivals
from care.hardship import kind_text, recent_reports
from care.models import FollowUp, HelperAssignment
from care.reminders import due_items_query, plan_of
from care.visits import (
    PLAN_DAYS,
    VisitStatus,
    assign_helper,
    helpers_with_counts,
    interval_days,
    my_households,
    set_festival_visits,
    set_visit_plan,
)
from core.catalogue import text
from core.clock import local_text, to_local
from core.errors import DomainError
from core.models import Role
from usecases.principal import Principal, village_for
from village.masking import mask_id_card
from village.models import Household, StaffMember, Village
from village.registry import find_household
from village.roster import household_phones
from village.search import normalize_query, search_households

#: Who opens the 帮扶 page: the committee acts, a helper sees their own, the supervisors read.
READERS = (Role.COMMITTEE, Role.HELPER, Role.SUPERVISOR)
#: Who changes assignments, plans and festivals (a county administrator always may).
ACTORS = (Role.COMMITTEE,)
#: Who reads the households' 困难求助 (their own words, often about illness).
HARDSHIP_READERS = (Role.COMMITTEE, Role.SUPERVISOR)
SHOWN = 50  # households listed at once; a search narrows them
HARDSHIP_DAYS = 30  # reports shown by default
HARDSHIP_MAX_DAYS = 366


# ---------------------------------------------------------------- the 帮扶 page


@dataclass(frozen=True)
class HelperCount:
    staff_id: int
    name: str
    households: int


@dataclass(frozen=True)
class PlanLine:
    """One household: its helper, its plan and when it is due."""

    household_id: int
    number: str
    head_name: str
    helper_id: int | None  # None: nobody assigned
    helper: str  # 未分配 / the name (停用 when the helper left)
    every_days: int | None  # the household's own plan; None: the default (or unassigned)
    plan: str  # 每 30 天（默认） / 每 14 天 / —
    due_on: date | None
    last_visit: date | None
    overdue: bool


@dataclass(frozen=True)
class FestivalChoice:
    value: str
    name: str
    on: bool


@dataclass(frozen=True)
class CarePlansView:
    village: Village
    today: date
    mine: bool  # a helper's own households, no search and no forms
    may_act: bool
    helpers: list[HelperCount]
    query: str
    lines: list[PlanLine]
    more: bool  # more households than shown: search to narrow
    festivals: list[FestivalChoice]
    default_days: int
    low: int  # the shortest plan
    high: int  # the longest plan

    @property
    def festivals_text(self) -> str:
        on = [f.name for f in self.festivals if f.on]
        return "、".join(on) or text("helpers_festivals_none")


def _plan_text(every_days: int | None) -> str:
    if every_days is None:
        return text("helpers_every_default", days=interval_days())
    return text("helpers_every_own", days=every_days)


def _own_line(status: VisitStatus, helper: str, today: date) -> PlanLine:
    return PlanLine(
        household_id=status.household.id or 0,
        number=status.household.number,
        head_name=status.household.head_name,
        helper_id=None,
        helper=helper,
        every_days=status.every_days,
        plan=_plan_text(status.every_days),
        due_on=status.due_on,
        last_visit=status.last_visit.visited_on if status.last_visit else None,
        overdue=status.overdue(today),
    )


def _unassigned(home: Household) -> PlanLine:
    return PlanLine(
        household_id=home.id or 0,
        number=home.number,
        head_name=home.head_name,
        helper_id=None,
        helper=text("console_more_unassigned"),
        every_days=None,
        plan="—",
        due_on=None,
        last_visit=None,
        overdue=False,
    )


async def _households(session: AsyncSession, village: Village, query: str) -> list[Household]:
    """The best matches of ``query`` (户编号, name, 拼音首字母), else the first by 户编号;
    one more than shown, to know whether there are more."""
    if query:
        return await search_households(session, village, query, limit=SHOWN + 1)
    found = await session.scalars(
        select(Household)
        .where(col(Household.village_id) == village.id)
        .order_by(col(Household.number))
        .limit(SHOWN + 1)
    )
    return list(found)


async def plan_lines(
    session: AsyncSession, village: Village, households: list[Household], today: date
) -> list[PlanLine]:
    """Each household with its helper, plan and due date, in the order given (two queries)."""
    ids = [h.id or 0 for h in households]
    if not ids:
        return []
    query = (
        due_items_query(village.id or 0)
        .add_columns(col(StaffMember.name))
        .where(col(HelperAssignment.household_id).in_(ids))
    )
    rows = {row[0]: row for row in await session.execute(query)}
    default = interval_days()
    lines = []
    for home in households:
        row = rows.get(home.id or 0)
        if row is None:
            lines.append(_unassigned(home))
            continue
        _, helper_id, active, every, assigned_at, last, name = row
        if isinstance(assigned_at, datetime):
            assigned_at = to_local(assigned_at).date()
        due = plan_of(home.id or 0, helper_id, assigned_at, last, every or default).due_on
        lines.append(
            PlanLine(
                household_id=home.id or 0,
                number=home.number,
                head_name=home.head_name,
                helper_id=helper_id,
                helper=name if active else text("console_more_helper_left", name=name),
                every_days=every,
                plan=_plan_text(every),
                due_on=due,
                last_visit=last,
                overdue=due < today,
            )
        )
    return lines


async def care_plans_page(
    session: AsyncSession, principal: Principal, village_id: int, today: date, query: str = ""
) -> CarePlansView:
    """The committee's (and the supervisors') view: helpers, households found, festivals;
    a helper's: their own households, most urgent first."""
    village = await village_for(session, principal, village_id, *READERS)
    mine = principal.role == Role.HELPER
    wanted = "" if mine else normalize_query(query)
    if mine:
        own = await my_households(session, await principal.staff(session), today)
        lines = [_own_line(s, principal.name, today) for s in own]
        helpers: list[HelperCount] = []
        more = False
    else:
        found = await _households(session, village, wanted)
        lines = await plan_lines(session, village, found[:SHOWN], today)
        helpers = [
            HelperCount(h.id or 0, h.name, count)
            for h, count in await helpers_with_counts(session, village)
        ]
        more = len(found) > SHOWN
    switched_on = village_festivals(village.festival_visits)
    return CarePlansView(
        village=village,
        today=today,
        mine=mine,
        may_act=principal.holds(*ACTORS),
        helpers=helpers,
        query=wanted,
        lines=lines,
        more=more,
        festivals=[FestivalChoice(f.value, festival_name(f), f in switched_on) for f in Festival],
        default_days=interval_days(),
        low=PLAN_DAYS[0],
        high=PLAN_DAYS[1],
    )


async def _acting(
    session: AsyncSession, principal: Principal, village_id: int
) -> tuple[Village, StaffMember]:
    village = await village_for(session, principal, village_id, *ACTORS)
    return village, await principal.staff(session)


async def _line_of(
    session: AsyncSession, village: Village, household: Household, today: date
) -> PlanLine:
    return (await plan_lines(session, village, [household], today))[0]


async def assign_household(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    number: str,
    helper_id: int,
    now: datetime,
) -> str:
    """Make the helper responsible for the household (moving it from another); the outcome line."""
    village, actor = await _acting(session, principal, village_id)
    household = await find_household(session, number, village.id)
    helper = await session.get(StaffMember, helper_id)
    if helper is None:
        raise DomainError("console_more_pick_helper")
    changed = await assign_helper(session, actor, village, helper, [household], now=now)
    code = "console_more_assigned" if changed else "console_more_assigned_already"
    return text(code, number=household.number, head=household.head_name, helper=helper.name)


def parse_plan_days(value: str) -> int | None:
    """The days typed in the plan form; blank: back to the default."""
    cleaned = value.strip()
    if not cleaned:
        return None
    if not cleaned.isdecimal() or len(cleaned) > 4:
        raise DomainError("console_more_plan_not_number", value=cleaned[:20])
    return int(cleaned)


async def plan_household(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    number: str,
    every_days: str,
    today: date,
) -> str:
    """Set the household's visit plan (the domain checks the range and that it has a helper);
    the outcome line names the date it is now due."""
    village, actor = await _acting(session, principal, village_id)
    household = await find_household(session, number, village.id)
    days = parse_plan_days(every_days)
    await set_visit_plan(session, actor, village, [household], days)
    line = await _line_of(session, village, household, today)
    return text(
        "console_more_planned",
        number=household.number,
        head=household.head_name,
        plan=line.plan,
        due=line.due_on.isoformat() if line.due_on else "—",
    )


async def set_festivals(
    session: AsyncSession, principal: Principal, village_id: int, chosen: list[str]
) -> str:
    """Switch the village's festival visits to exactly those ticked; the outcome line."""
    village, actor = await _acting(session, principal, village_id)
    festivals = [parse_festival(value) for value in chosen]
    switched_on = await set_festival_visits(session, actor, village, festivals)
    names = "、".join(festival_name(f) for f in switched_on) or text("helpers_festivals_none")
    return text("console_more_festivals_set", village=village.name, festivals=names)


# ---------------------------------------------------------------- 困难求助


@dataclass(frozen=True)
class HardshipLine:
    report_id: int
    household_id: int
    number: str
    head_name: str
    id_card: str  # masked
    phones: str  # masked
    kind: str  # 因病 …
    words: str
    channel: str  # 短信 / Telegram …
    reported_at: str  # Beijing time, to the minute
    follow_up_id: int | None
    open: bool  # its follow-up still waits
    state: str  # 待处理 / 已处理：…


@dataclass(frozen=True)
class HardshipView:
    village: Village
    days: int
    lines: list[HardshipLine]


def check_days(value: str) -> int:
    """The ``days`` of the page's query: 1 to a year; blank: the default."""
    cleaned = value.strip()
    if not cleaned:
        return HARDSHIP_DAYS
    if not cleaned.isdecimal() or not 1 <= int(cleaned[:6]) <= HARDSHIP_MAX_DAYS:
        raise DomainError("console_more_bad_days", high=HARDSHIP_MAX_DAYS)
    return int(cleaned)


def channel_text(channel: str) -> str:
    if channel in ("sms", "telegram", "cli"):
        return text(f"console_more_channel_{channel}")
    return channel or "—"


def _state(follow_up: FollowUp | None) -> str:
    if follow_up is None:
        return "—"
    if follow_up.closed_at is None:
        return text("console_more_follow_up_open")
    return text(
        "console_more_follow_up_closed",
        when=local_text(follow_up.closed_at),
        resolution=follow_up.resolution,
    )


async def hardship_page(
    session: AsyncSession, principal: Principal, village_id: int, days_text: str, now: datetime
) -> HardshipView:
    """The village's reports of the last ``days_text`` days (blank: 30), newest first,
    each with its follow-up."""
    village = await village_for(session, principal, village_id, *HARDSHIP_READERS)
    days = check_days(days_text)
    reports = await recent_reports(session, village, now - timedelta(days=days))
    ids = [r.report.id for r in reports if r.report.id is not None]
    follow_ups: dict[int, FollowUp] = {}
    if ids:
        found = await session.scalars(select(FollowUp).where(col(FollowUp.hardship_id).in_(ids)))
        follow_ups = {f.hardship_id or 0: f for f in found}
    lines = []
    for entry in reports:
        report, home = entry.report, entry.household
        follow_up = follow_ups.get(report.id or 0)
        lines.append(
            HardshipLine(
                report_id=report.id or 0,
                household_id=home.id or 0,
                number=home.number,
                head_name=home.head_name,
                id_card=mask_id_card(home.id_card),
                phones=household_phones(home),
                kind=kind_text(report.kind),
                words=report.text or text("care_hardship_no_text"),
                channel=channel_text(report.channel),
                reported_at=local_text(report.reported_at),
                follow_up_id=follow_up.id if follow_up else None,
                open=follow_up is not None and follow_up.closed_at is None,
                state=_state(follow_up),
            )
        )
    return HardshipView(village, days, lines)
