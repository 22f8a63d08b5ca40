"""Helper cadres (帮扶责任人) and their home visits (走访).

The committee assigns each household at most one helper; the helper visits in
person (入户) or calls (电话) and logs it, with the 两不愁三保障 checklist: each
problem found opens a follow-up for the committee (:mod:`care.follow_ups`).
A household is due its next visit after its plan's days (the assignment's
``every_days``, else the setting ``visit_interval_days``) have passed since the
last visit (by anyone), or from the day it was assigned when nobody has visited
yet. A village may also switch on the festival visits (春节, 中秋).

Dates people see and type are Asia/Shanghai dates; ``today`` is passed in (see
:func:`local_today`) so that reminders and tests can choose the day.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import desc, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from care.checklist import CHECK_NOTE_LIMIT, Checks
from care.festivals import Festival, festival_name, stored_festivals, village_festivals
from care.follow_ups import open_follow_up
from care.models import ChecklistItem, HelperAssignment, Visit, VisitCheck
from core.catalogue import text
from core.clock import local_today, to_local, utcnow
from core.errors import DomainError, Forbidden
from core.models import Role
from core.settings import get_settings
from village import action_log
from village.access import require_role
from village.models import Household, StaffMember, Village

NOTE_LIMIT = 500
PLAN_DAYS = (7, 365)  # the shortest and longest visit plan a household may have
BATCH = 500  # assignments per statement (bound parameters stay well under the limits)


class VisitMethod(StrEnum):
    IN_PERSON = "in_person"  # 入户
    PHONE = "phone"  # 电话


class VisitState(StrEnum):
    OVERDUE = "overdue"  # 逾期
    THIS_WEEK = "this_week"  # due by Sunday
    LATER = "later"


def method_text(method: str) -> str:
    """入户 / 电话 (an unknown stored value is shown as it is)."""
    if method in {m.value for m in VisitMethod}:
        return text(f"visit_method_{method}")
    return method


def parse_method(value: str) -> VisitMethod:
    """``in_person`` / ``phone`` or the Chinese names people type (入户, 电话)."""
    key = unicodedata.normalize("NFKC", value).strip().lower()
    for method in VisitMethod:
        if key in (method.value, text(f"visit_method_{method.value}")):
            return method
    choices = "、".join(method_text(m.value) for m in VisitMethod)
    raise DomainError("visit_bad_method", value=value, choices=choices)


def parse_visit_date(value: str) -> date:
    """2026-03-01, 2026/3/1 or 2026年3月1日."""
    cleaned = unicodedata.normalize("NFKC", value).strip()
    parts = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", cleaned)
    if parts is not None:
        try:
            return date(int(parts[1]), int(parts[2]), int(parts[3]))
        except ValueError:
            pass
    raise DomainError("visit_bad_date", value=value)


def year_before(day: date) -> date:
    """The same date a year earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def week_end(today: date) -> date:
    """The Sunday that ends ``today``'s week (weeks start on Monday)."""
    return today + timedelta(days=6 - today.weekday())


@dataclass(frozen=True)
class VisitStatus:
    """Where one of a helper's households stands."""

    household: Household
    last_visit: Visit | None
    due_on: date
    every_days: int | None = None  # the household's own plan; None: the configured default

    @property
    def interval(self) -> int:
        """Days between two visits of this household."""
        return self.every_days or interval_days()

    def overdue(self, today: date) -> bool:
        return self.due_on < today

    def days_overdue(self, today: date) -> int:
        return max((today - self.due_on).days, 0)

    def due_by(self, day: date) -> bool:
        return self.due_on <= day

    def state(self, today: date) -> VisitState:
        if self.overdue(today):
            return VisitState.OVERDUE
        if self.due_by(week_end(today)):
            return VisitState.THIS_WEEK
        return VisitState.LATER

    def state_text(self, today: date) -> str:
        return text(f"visit_state_{self.state(today).value}")


def interval_days() -> int:
    """Days between two visits of a household (setting ``visit_interval_days``)."""
    return get_settings().visit_interval_days


def next_due(visit: Visit, days: int | None = None) -> date:
    """When the household is due again after ``visit``."""
    return visit.visited_on + timedelta(days=interval_days() if days is None else days)


def due_after(last_visit: Visit | None, assigned_at: datetime, days: int) -> date:
    """The next visit's date: after the last visit, else from the day of assignment."""
    if last_visit is not None:
        return next_due(last_visit, days)
    return to_local(assigned_at).date()


# ---------------------------------------------------------------- assignments


def own_household_ids(village: Village, households: Sequence[Household]) -> list[int]:
    """The ids of ``households``, which must be some and all of ``village``'s."""
    if not households:
        raise DomainError("visit_no_households")
    for household in households:
        if household.village_id != village.id:
            raise Forbidden(
                "visit_household_elsewhere", number=household.number, village=village.name
            )
    return sorted({h.id for h in households if h.id is not None})


def _named(households: Sequence[Household], ids: set[int]) -> str:
    """The households among ``ids`` as the action log names them: 001（张三）、002（李四）."""
    return "、".join(f"{h.number}（{h.head_name}）" for h in households if h.id in ids)


async def assign_helper(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    helper: StaffMember,
    households: Sequence[Household],
    *,
    now: datetime | None = None,
) -> int:
    """Make ``helper`` responsible for ``households``; the committee (or a county admin) only.

    A household that had another helper moves to this one (its assignment
    date becomes ``now``). Returns how many households were newly assigned or
    moved; households already with ``helper`` are left as they were.
    """
    require_role(actor, village, Role.COMMITTEE)
    if not (helper.active and helper.role == Role.HELPER and helper.village_id == village.id):
        raise DomainError("visit_not_a_helper", name=helper.name, village=village.name)
    ids = own_household_ids(village, households)
    moment = now or utcnow()
    factory = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    changed: set[int] = set()
    for start in range(0, len(ids), BATCH):
        rows = [
            {"household_id": i, "helper_id": helper.id, "created_at": moment}
            for i in ids[start : start + BATCH]
        ]
        insert = factory(HelperAssignment).values(rows)
        upsert = insert.on_conflict_do_update(
            index_elements=["household_id"],
            set_={"helper_id": insert.excluded.helper_id, "created_at": insert.excluded.created_at},
            where=col(HelperAssignment.helper_id) != insert.excluded.helper_id,
        ).returning(col(HelperAssignment.household_id))
        changed.update(await session.scalars(upsert))
    if changed:
        await action_log.record(
            session,
            actor,
            village,
            "assign_helper",
            helper=helper.name,
            count=len(changed),
            households=_named(households, changed),
        )
    return len(changed)


async def helper_of(session: AsyncSession, household: Household) -> int | None:
    """The staff id of the household's helper, if it has one."""
    return await session.scalar(
        select(HelperAssignment.helper_id).where(HelperAssignment.household_id == household.id)
    )


async def helpers_with_counts(
    session: AsyncSession, village: Village
) -> list[tuple[StaffMember, int]]:
    """The village's active helpers by name, each with how many households they have."""
    rows = await session.execute(
        select(StaffMember, func.count(col(HelperAssignment.id)))
        .outerjoin(HelperAssignment, col(HelperAssignment.helper_id) == col(StaffMember.id))
        .where(
            col(StaffMember.village_id) == village.id,
            col(StaffMember.role) == Role.HELPER.value,
            col(StaffMember.active),
        )
        .group_by(col(StaffMember.id))
    )
    found = [(helper, int(count)) for helper, count in rows]
    found.sort(key=lambda pair: (pair[0].name, pair[0].id or 0))  # the same on both databases
    return found


# ---------------------------------------------------------------- visit plans


async def visit_every(session: AsyncSession, household: Household) -> int:
    """Days between two visits of ``household``: its own plan, else the setting."""
    own = await session.scalar(
        select(HelperAssignment.every_days).where(HelperAssignment.household_id == household.id)
    )
    return own or interval_days()


def check_plan_days(every_days: int) -> int:
    shortest, longest = PLAN_DAYS
    if not shortest <= every_days <= longest:
        raise DomainError("care_plan_days", days=every_days, low=shortest, high=longest)
    return every_days


async def set_visit_plan(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    households: Sequence[Household],
    every_days: int | None,
) -> int:
    """Visit ``households`` every ``every_days`` days (None: back to the default); committee only.

    The plan belongs to the household's assignment, so a household without a
    helper is refused (there is nobody to visit it). Returns how many changed.
    """
    require_role(actor, village, Role.COMMITTEE)
    if every_days is not None:
        check_plan_days(every_days)
    ids = own_household_ids(village, households)
    assigned: set[int] = set()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found = await session.scalars(
            select(HelperAssignment.household_id).where(
                col(HelperAssignment.household_id).in_(chunk)
            )
        )
        assigned.update(found)
    missing = [h.number for h in households if h.id not in assigned]
    if missing:
        raise DomainError("care_plan_unassigned", numbers="、".join(sorted(set(missing))))
    changed: set[int] = set()
    for start in range(0, len(ids), BATCH):
        statement = (
            update(HelperAssignment)
            .where(
                col(HelperAssignment.household_id).in_(ids[start : start + BATCH]),
                col(HelperAssignment.every_days).is_distinct_from(every_days),
            )
            .values(every_days=every_days)
            .returning(col(HelperAssignment.household_id))
            .execution_options(synchronize_session=False)
        )
        changed.update(await session.scalars(statement))
    if changed:
        named = _named(households, changed)
        if every_days is None:
            await action_log.record(
                session, actor, village, "visit_plan_default", count=len(changed), households=named
            )
        else:
            await action_log.record(
                session,
                actor,
                village,
                "visit_plan",
                days=every_days,
                count=len(changed),
                households=named,
            )
    return len(changed)


async def set_festival_visits(
    session: AsyncSession, actor: StaffMember, village: Village, festivals: Sequence[Festival]
) -> list[Festival]:
    """Switch the village's festival visits to exactly ``festivals`` (empty: none); committee only."""
    require_role(actor, village, Role.COMMITTEE)
    stored = stored_festivals(list(festivals))
    if stored != village.festival_visits:
        village.festival_visits = stored
        switched_on = village_festivals(stored)
        names = "、".join(festival_name(f) for f in switched_on) or text("helpers_festivals_none")
        await action_log.record(session, actor, village, "festival_visits", festivals=names)
    await session.flush()
    return village_festivals(village.festival_visits)


# ---------------------------------------------------------------- due visits


async def my_households(
    session: AsyncSession, helper: StaffMember, today: date
) -> list[VisitStatus]:
    """The helper's households, most urgent first (one query, however many households).

    Each comes with its last visit (by anyone) and the date it is due; ``today``
    (a Shanghai date) is what :meth:`VisitStatus.state` is then asked about.
    """
    latest = (
        select(Visit.id)
        .where(Visit.household_id == HelperAssignment.household_id)
        .order_by(desc(col(Visit.visited_on)), desc(col(Visit.id)))
        .limit(1)
        .correlate(HelperAssignment)
        .scalar_subquery()
    )
    statement = (
        select(Household, HelperAssignment.created_at, HelperAssignment.every_days, Visit)
        .join(HelperAssignment, col(HelperAssignment.household_id) == col(Household.id))
        .outerjoin(Visit, col(Visit.id) == latest)
        .where(HelperAssignment.helper_id == helper.id)
    )
    default = interval_days()
    rows = (await session.execute(statement)).all()  # the visit is None: never visited
    found = [
        VisitStatus(household, visit, due_after(visit, assigned_at, every or default), every)
        for household, assigned_at, every, visit in rows
    ]
    found.sort(key=lambda s: (s.due_on, s.household.number))
    return found


async def due_this_week(
    session: AsyncSession, helper: StaffMember, today: date
) -> list[VisitStatus]:
    """The households due by the coming Sunday (today's when it is Sunday), overdue ones too."""
    sunday = week_end(today)
    return [s for s in await my_households(session, helper, today) if s.due_by(sunday)]


# ---------------------------------------------------------------- logging a visit


async def log_visit(
    session: AsyncSession,
    actor: StaffMember,
    household: Household,
    visited_on: date,
    method: str,
    note: str = "",
    now: datetime | None = None,
    checks: Checks | None = None,
) -> Visit:
    """Record a visit; by the household's own helper, or by a committee member of its village.

    The visit is recorded under ``actor`` (who went or called). ``visited_on``
    is a Shanghai date, neither in the future nor more than a year back.
    ``checks`` is the 两不愁三保障 checklist, item → (fine?, note): front-ends
    give all five; an item left out is simply not recorded. Each problem opens
    a follow-up for the committee, noted with the problem's note (else the
    visit's note, so that the committee knows what was seen).
    """
    village = await session.get(Village, household.village_id)
    if village is None:  # pragma: no cover - the foreign key keeps it
        raise DomainError("village_not_found", name=household.village_id)
    require_role(actor, village, Role.COMMITTEE, Role.HELPER)
    if actor.role == Role.HELPER and await helper_of(session, household) != actor.id:
        raise Forbidden(
            "visit_not_assigned",
            actor=actor.name,
            head=household.head_name,
            number=household.number,
        )
    kind = parse_method(method)
    moment = now or utcnow()
    today = local_today(moment)
    if visited_on > today:
        raise DomainError("visit_date_future", date=visited_on.isoformat())
    earliest = year_before(today)
    if visited_on < earliest:
        raise DomainError(
            "visit_date_too_old", date=visited_on.isoformat(), earliest=earliest.isoformat()
        )
    trimmed = note.strip()
    if len(trimmed) > NOTE_LIMIT:
        raise DomainError("visit_note_too_long", limit=NOTE_LIMIT, length=len(trimmed))
    checked = _checked(checks or {})
    visit = Visit(
        household_id=household.id or 0,
        helper_id=actor.id or 0,
        visited_on=visited_on,
        method=kind.value,
        note=trimmed,
        created_at=moment,
    )
    session.add(visit)
    await session.flush()
    for item, (ok, item_note) in checked.items():
        session.add(VisitCheck(visit_id=visit.id or 0, item=item.value, ok=ok, note=item_note))
        if not ok:
            await open_follow_up(
                session,
                household,
                item.value,
                item_note or trimmed,
                visit_id=visit.id,
                now=moment,
            )
    await session.flush()
    return visit


def _checked(checks: Checks) -> dict[ChecklistItem, tuple[bool, str]]:
    """The checklist in a fixed order, notes trimmed and not longer than a check may hold."""
    checked: dict[ChecklistItem, tuple[bool, str]] = {}
    for item in ChecklistItem:
        if item not in checks:
            continue
        ok, item_note = checks[item]
        trimmed = item_note.strip()
        if len(trimmed) > CHECK_NOTE_LIMIT:
            raise DomainError(
                "care_check_note_too_long", limit=CHECK_NOTE_LIMIT, length=len(trimmed)
            )
        checked[item] = (ok, trimmed)
    return checked
