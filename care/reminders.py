"""Reminder rules for home visits (走访): what helpers and the committee are told, and when.

A household with a helper is due a visit ``every_days`` (or the configured
interval) after its last one, or on the day it was assigned when nobody has
visited yet. For that date D the helper hears ``visit_remind_days_before``
days ahead and on the day; the committee hears when the visit is
``visit_overdue_report_days`` late. A logged visit moves D, so what was planned
for the old D is cleared. The festivals a village switched on (春节, 中秋) are
occasions of their own: a visit within ``festival_visit_window_days`` before the
festival counts for it. Every Monday each committee member gets the week's
summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from care.festivals import festival_date, festival_name, village_festivals
from care.models import FollowUp, HelperAssignment, Visit
from core.catalogue import text
from core.clock import to_local
from core.models import Role
from core.settings import Settings
from notifications.reminders import (
    BATCH,
    LINES,
    Batch,
    Due,
    Pending,
    columns_by_id,
    committee_ids,
)
from village.models import Household, StaffMember, Village


@dataclass(frozen=True)
class Plan:
    """One assigned household as the sweep sees it."""

    household_id: int
    helper_id: int | None  # None when the helper is no longer active
    assigned_on: date
    last_visit: date | None
    due_on: date  # the last visit + the plan's days, else the day of assignment


def plan_of(
    household_id: int, helper_id: int | None, assigned_on: date, last: date | None, every: int
) -> Plan:
    due = assigned_on if last is None else last + timedelta(days=every)
    return Plan(household_id, helper_id, assigned_on, last, due)


def due_items_query(village_id: int) -> Select[Any]:
    """Every assigned household of the village with its helper, plan and last visit."""
    last = (
        select(func.max(Visit.visited_on))
        .where(col(Visit.household_id) == col(HelperAssignment.household_id))
        .correlate(HelperAssignment)
        .scalar_subquery()
    )
    columns: tuple[Any, ...] = (
        col(HelperAssignment.household_id),
        col(HelperAssignment.helper_id),
        col(StaffMember.active),
        col(HelperAssignment.every_days),
        col(HelperAssignment.created_at),
        last,
    )
    return (
        sa_select(*columns)
        .join(Household, col(Household.id) == col(HelperAssignment.household_id))
        .join(StaffMember, col(StaffMember.id) == col(HelperAssignment.helper_id))
        .where(col(Household.village_id) == village_id)
    )


async def plans(session: AsyncSession, village_id: int, default_days: int) -> list[Plan]:
    rows = await session.execute(due_items_query(village_id))
    return [
        plan_of(
            household_id,
            helper_id if active else None,
            to_local(assigned_at).date() if isinstance(assigned_at, datetime) else assigned_at,
            last,
            every or default_days,
        )
        for household_id, helper_id, active, every, assigned_at, last in rows
    ]


class VisitReminders:
    def __init__(self, settings: Settings) -> None:
        self.before = settings.visit_remind_days_before
        self.overdue = settings.visit_overdue_report_days
        self.window = settings.festival_visit_window_days
        self.every = settings.visit_interval_days
        self.grace = settings.reminder_grace_days
        self._plans_of: dict[tuple[int, date], list[Plan]] = {}

    async def _plans(self, session: AsyncSession, village_id: int, today: date) -> list[Plan]:
        """The village's plans, read once per day: the rules and the Monday summary share them."""
        if (village_id, today) not in self._plans_of:
            self._plans_of[(village_id, today)] = await plans(session, village_id, self.every)
        return self._plans_of[(village_id, today)]

    async def due(self, session: AsyncSession, village: Village, today: date) -> list[Due]:
        assert village.id is not None
        found = await self._plans(session, village.id, today)
        committee = await committee_ids(session, village.id, Role.COMMITTEE)
        wanted: list[Due] = []
        for plan in found:
            if plan.due_on - timedelta(days=self.before) <= today:
                wanted += self._steps(
                    "visit", f"h{plan.household_id}:{plan.due_on}", plan, plan.due_on, committee
                )
        wanted += self._festivals(village, found, committee, today)
        monday = today - timedelta(days=today.weekday())
        if found and (today - monday).days <= self.grace:
            wanted += [
                Due("visit_week", f"w{monday}", monday, monday, staff_id=c) for c in committee
            ]
        return wanted

    def _steps(
        self, kind: str, occasion: str, plan: Plan, day: date, committee: list[int]
    ) -> list[Due]:
        """Ahead and on the day to the helper; once overdue to each committee member."""
        household = plan.household_id
        steps = [
            Due(
                f"{kind}_overdue",
                occasion,
                day + timedelta(days=self.overdue),
                day,
                staff_id=c,
                household_id=household,
            )
            for c in committee
        ]
        if plan.helper_id is not None:
            helper = plan.helper_id
            steps += [
                Due(
                    f"{kind}_soon",
                    occasion,
                    day - timedelta(days=self.before),
                    day,
                    staff_id=helper,
                    household_id=household,
                ),
                Due(f"{kind}_day", occasion, day, day, staff_id=helper, household_id=household),
            ]
        return steps

    def _festivals(
        self, village: Village, found: list[Plan], committee: list[int], today: date
    ) -> list[Due]:
        wanted: list[Due] = []
        for festival in village_festivals(village.festival_visits):
            for year in (today.year - 1, today.year, today.year + 1):
                day = festival_date(festival, year)
                opens = day - timedelta(days=self.before)
                if not opens <= today <= day + timedelta(days=self.overdue + self.grace):
                    continue
                for plan in found:
                    visited = plan.last_visit is not None and plan.last_visit >= day - timedelta(
                        days=self.window
                    )
                    if visited or plan.assigned_on > day:
                        continue
                    occasion = f"h{plan.household_id}:{festival.value}:{day}"
                    wanted += self._steps("festival", occasion, plan, day, committee)
        return wanted

    async def render(
        self,
        session: AsyncSession,
        village: Village,
        batches: Mapping[Batch, Sequence[Pending]],
        today: date,
    ) -> dict[Batch, str]:
        mine = {b: rows for b, rows in batches.items() if b[0].startswith(("visit_", "festival_"))}
        all_rows = [r for rows in mine.values() for r in rows]
        households = await columns_by_id(
            session, Household, (r.household_id for r in all_rows), "head_name", "number"
        )
        reported = [
            r.household_id
            for (rule, _), rows in mine.items()
            if rule.endswith("_overdue")
            for r in rows
        ]
        helpers = await _helper_names(session, reported)
        week = (
            await self._week(session, village, today)
            if any(b[0] == "visit_week" for b in mine)
            else ""
        )
        bodies: dict[Batch, str] = {}
        for (rule, person), rows in mine.items():
            if rule == "visit_week":
                bodies[(rule, person)] = week
                continue
            day = rows[0].occurs_on
            bodies[(rule, person)] = text(
                f"reminder_{rule}",
                count=len(rows),
                lines=_household_lines(
                    rows, households, helpers if rule.endswith("_overdue") else {}
                ),
                date=day.isoformat(),
                days=(today - day).days,
                festival=_festival_of(village, day),
            )
        return bodies

    async def _week(self, session: AsyncSession, village: Village, today: date) -> str:
        assert village.id is not None
        sunday = today + timedelta(days=6 - today.weekday())
        found = await self._plans(session, village.id, today)
        overdue = sum(1 for p in found if p.due_on < today)
        week = sum(1 for p in found if today <= p.due_on <= sunday)
        problems = await session.scalar(
            select(func.count())
            .select_from(FollowUp)
            .where(FollowUp.village_id == village.id)
            .where(col(FollowUp.closed_at).is_(None))
        )
        return text(
            "reminder_visit_week",
            village=village.name,
            start=today.isoformat(),
            end=sunday.isoformat(),
            week=week,
            overdue=overdue,
            problems=problems or 0,
            total=len(found),
        )


def _festival_of(village: Village, day: date) -> str:
    for festival in village_festivals(village.festival_visits):
        if festival_date(festival, day.year) == day:
            return festival_name(festival.value)
    return ""


async def _helper_names(session: AsyncSession, household_ids: list[int | None]) -> dict[int, str]:
    ids = sorted({i for i in household_ids if i is not None})
    names: dict[int, str] = {}
    for start in range(0, len(ids), BATCH):
        found = await session.execute(
            select(HelperAssignment.household_id, StaffMember.name)
            .join(StaffMember, col(StaffMember.id) == col(HelperAssignment.helper_id))
            .where(col(HelperAssignment.household_id).in_(ids[start : start + BATCH]))
        )
        names.update({household_id: name for household_id, name in found})
    return names


def _household_lines(
    rows: Sequence[Pending], households: Mapping[int, Any], helpers: Mapping[int, str]
) -> str:
    """``张三（0001，应访 2026-03-01）、…等共 N 户``; with the helper's name for the committee."""
    parts = []
    for row in rows[:LINES]:
        household = households.get(row.household_id or 0)
        if household is None:
            continue
        helper = helpers.get(row.household_id or 0)
        parts.append(
            text(
                "reminder_line_helper" if helper else "reminder_line",
                head=household.head_name,
                number=household.number,
                due=row.occurs_on.isoformat(),
                helper=helper or "",
            )
        )
    joined = "、".join(parts)
    if len(rows) > LINES:
        joined += text("reminder_more", count=len(rows))
    return joined
