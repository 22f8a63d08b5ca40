"""Roster import, home visits and follow-ups, as the console shows and changes them.

The rules stay where the CLI and the bot find them: :mod:`village.roster` reads
and imports a roster (all-or-nothing, or skipping bad rows), :mod:`care.visits`
logs a visit with the 两不愁三保障 checklist (a problem opens a follow-up),
:mod:`care.follow_ups` closes one, :mod:`care.reminders`
says when each household is due. Here they are only called with the
logged-in person as the actor and turned into views; every ID-card and phone
number in a view is masked (the roster's problems come masked already).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from care.checklist import item_name
from care.follow_ups import close_follow_up, item_text, open_follow_ups
from care.models import ChecklistItem, FollowUp, Visit
from care.reminders import plans
from care.visits import (
    VisitMethod,
    helpers_with_counts,
    interval_days,
    log_visit,
    method_text,
    parse_visit_date,
    week_end,
)
from core.catalogue import text
from core.clock import to_local
from core.errors import DomainError, NotFound
from core.models import Role
from usecases.principal import Principal, village_for
from village.access import require_role
from village.models import Household, StaffMember, Village
from village.registry import find_household
from village.roster import ImportReport, Problem, Roster, import_roster, parse_roster
from village.roster_files import open_roster

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a village's roster is far smaller; a county's fits too
LINES_SHOWN = 500  # problems or warnings listed on the page; the rest are counted
NAME_LIMIT = 80  # characters of the uploaded file's name kept (it is only shown back)
#: Who may import a village's roster (a county administrator always may).
IMPORTERS = (Role.COMMITTEE,)

# ---------------------------------------------------------------- roster import


@dataclass(frozen=True)
class RosterUpload:
    """What the browser sent: the file's name and bytes, and whether to skip bad rows."""

    filename: str
    content: bytes
    skip_bad: bool


@dataclass(frozen=True)
class RowLine:
    """One line of the problem (or warning) table: 行号, 户编号, 问题."""

    where: str
    number: str
    reason: str


@dataclass(frozen=True)
class ImportView:
    village: Village
    filename: str
    skip_bad: bool
    written: bool
    problems: list[RowLine]
    problems_total: int
    warnings: list[RowLine]
    warnings_total: int
    households: int  # imported: created, updated or unchanged
    created: int
    updated: int
    people: int
    skipped_households: int
    skipped_people: int

    @property
    def summary(self) -> str:
        """The one-line result of a written import."""
        line = text(
            "console_care_import_done",
            households=self.households,
            created=self.created,
            updated=self.updated,
            people=self.people,
        )
        if self.skipped_households or self.skipped_people:
            line += text(
                "console_care_import_skipped",
                households=self.skipped_households,
                people=self.skipped_people,
            )
        return line


async def import_village(session: AsyncSession, principal: Principal, village_id: int) -> Village:
    """The village whose roster ``principal`` may import: its committee, or a county admin."""
    village = await village_for(session, principal, village_id)
    require_role(await principal.staff(session), village, *IMPORTERS)
    return village


def _where(problem: Problem) -> str:
    if problem.sheet is None:
        return str(problem.row)
    return text("roster_sheet_row", sheet=problem.sheet, row=problem.row)


def _lines(problems: Sequence[Problem]) -> list[RowLine]:
    return [RowLine(_where(p), p.number or "—", p.reason()) for p in problems[:LINES_SHOWN]]


def _read(filename: str, content: bytes) -> Roster:
    """Parse the upload from a private temporary copy (the reader takes a file, by its suffix)."""
    name = Path(filename.replace("\\", "/")).name
    suffix = Path(name).suffix
    with tempfile.TemporaryDirectory(prefix="xiangxin-roster-") as folder:
        path = Path(folder) / (Path(name).stem[:NAME_LIMIT] + suffix[:10] or "upload")
        path.write_bytes(content)
        with open_roster(path) as source:
            return parse_roster(source)


async def import_upload(
    session: AsyncSession, principal: Principal, village_id: int, upload: RosterUpload
) -> ImportView:
    """Check the file and import it into the village (nothing at all when a row is bad,
    unless ``skip_bad``); the report as a view, problems by row number."""
    village = await import_village(session, principal, village_id)
    if not upload.filename or not upload.content:
        raise DomainError("console_care_no_file")
    if len(upload.content) > MAX_UPLOAD_BYTES:
        raise DomainError("console_care_file_too_big", limit=MAX_UPLOAD_BYTES // (1024 * 1024))
    # reading a big workbook takes a while: not on the event loop
    roster = await asyncio.to_thread(_read, upload.filename, upload.content)
    report: ImportReport = await import_roster(
        session,
        roster,
        default_village=village.name,
        skip_bad=upload.skip_bad,
        actor=await principal.staff(session),
    )
    return ImportView(
        village=village,
        filename=Path(upload.filename.replace("\\", "/")).name[:NAME_LIMIT],
        skip_bad=upload.skip_bad,
        written=report.written,
        problems=_lines(report.problems),
        problems_total=len(report.problems),
        warnings=_lines(report.warnings),
        warnings_total=len(report.warnings),
        households=(
            report.households_created + report.households_updated + report.households_unchanged
        ),
        created=report.households_created,
        updated=report.households_updated,
        people=report.members_total,
        skipped_households=report.households_skipped,
        skipped_people=len(report.skipped_people),
    )


# ---------------------------------------------------------------- visits


@dataclass(frozen=True)
class DueLine:
    """A household due a visit by Sunday, or overdue."""

    household_id: int
    number: str
    head_name: str
    helper: str  # — when its helper is no longer active
    due_on: date
    last_visit: date | None
    overdue_days: int  # 0: due this week

    @property
    def state(self) -> str:
        if self.overdue_days:
            return text("console_care_overdue_days", days=self.overdue_days)
        return text("visit_state_this_week")


@dataclass(frozen=True)
class HelperLine:
    name: str
    households: int


@dataclass(frozen=True)
class VisitsView:
    village: Village
    today: date
    due: list[DueLine]
    helpers: list[HelperLine]
    may_log: bool
    household: str  # the 户编号 the form starts with (from a 记录 link)
    methods: list[tuple[str, str]]  # value, 入户 / 电话
    items: list[tuple[str, str]]  # value, 吃穿 …
    result: str  # the one-line result of the visit just logged, else ""


@dataclass(frozen=True)
class VisitForm:
    """A visit as typed in the form; ``problems`` are the checklist items ticked as wrong."""

    household: str
    method: str
    visited_on: str
    note: str
    problems: frozenset[str]
    notes: Mapping[str, str]


async def _households(session: AsyncSession, ids: set[int]) -> dict[int, Household]:
    rows = await session.scalars(select(Household).where(col(Household.id).in_(sorted(ids))))
    return {row.id or 0: row for row in rows}


async def _staff_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    rows = await session.execute(
        select(StaffMember.id, StaffMember.name).where(col(StaffMember.id).in_(sorted(ids)))
    )
    return {staff_id or 0: name for staff_id, name in rows}


async def _due(session: AsyncSession, village: Village, today: date) -> list[DueLine]:
    """Households due by Sunday or overdue, as the reminders see them (most urgent first)."""
    sunday = week_end(today)
    found = [
        p for p in await plans(session, village.id or 0, interval_days()) if p.due_on <= sunday
    ]
    homes = await _households(session, {p.household_id for p in found})
    helpers = await _staff_names(session, {p.helper_id for p in found if p.helper_id is not None})
    lines = [
        DueLine(
            household_id=p.household_id,
            number=homes[p.household_id].number,
            head_name=homes[p.household_id].head_name,
            helper=helpers.get(p.helper_id or 0, "—"),
            due_on=p.due_on,
            last_visit=p.last_visit,
            overdue_days=max((today - p.due_on).days, 0),
        )
        for p in found
    ]
    lines.sort(key=lambda line: (line.due_on, line.number))
    return lines


async def _visit_result(session: AsyncSession, village: Village, visit_id: int | None) -> str:
    """已记录 … for the visit just logged (nothing for another village's visit)."""
    visit = await session.get(Visit, visit_id) if visit_id else None
    home = await session.get(Household, visit.household_id) if visit else None
    if visit is None or home is None or home.village_id != village.id:
        return ""
    opened = await session.scalar(
        select(func.count()).select_from(FollowUp).where(col(FollowUp.visit_id) == visit.id)
    )
    return text(
        "console_care_visit_logged",
        number=home.number,
        head=home.head_name,
        date=visit.visited_on.isoformat(),
        method=method_text(visit.method),
        problems=int(opened or 0),
    )


async def visits_page(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    today: date,
    *,
    household: str = "",
    logged: int | None = None,
) -> VisitsView:
    village = await village_for(session, principal, village_id)
    helpers = await helpers_with_counts(session, village)
    return VisitsView(
        village=village,
        today=today,
        due=await _due(session, village, today),
        helpers=[HelperLine(h.name, count) for h, count in helpers],
        may_log=principal.holds(Role.COMMITTEE, Role.HELPER),
        household=household.strip()[:40],
        methods=[(m.value, method_text(m.value)) for m in VisitMethod],
        items=[(i.value, item_name(i.value)) for i in ChecklistItem],
        result=await _visit_result(session, village, logged),
    )


async def log_visit_form(
    session: AsyncSession, principal: Principal, village_id: int, form: VisitForm, now: datetime
) -> int:
    """Log the visit under the logged-in person (the domain checks it is the committee or
    the household's helper); returns the visit's id for the page after."""
    village = await village_for(session, principal, village_id)
    household = await find_household(session, form.household, village.id)
    checks = {
        item: (item.value not in form.problems, form.notes.get(item.value, ""))
        for item in ChecklistItem
    }
    visit = await log_visit(
        session,
        await principal.staff(session),
        household,
        parse_visit_date(form.visited_on),
        form.method,
        form.note,
        now=now,
        checks=checks,
    )
    return visit.id or 0


# ---------------------------------------------------------------- follow-ups


@dataclass(frozen=True)
class FollowUpLine:
    follow_up_id: int
    household_id: int
    number: str
    head_name: str
    about: str  # 住房安全, 因病 …
    source: str  # 走访 / 求助
    note: str
    opened_on: date  # Beijing date


@dataclass(frozen=True)
class FollowUpsView:
    village: Village
    lines: list[FollowUpLine]
    may_close: bool
    result: str


async def _closed_result(session: AsyncSession, village: Village, follow_up_id: int | None) -> str:
    follow_up = await session.get(FollowUp, follow_up_id) if follow_up_id else None
    if follow_up is None or follow_up.village_id != village.id or follow_up.closed_at is None:
        return ""
    home = await session.get(Household, follow_up.household_id)
    return text(
        "console_care_follow_up_closed",
        number=home.number if home else "—",
        head=home.head_name if home else "—",
        about=item_text(follow_up.item),
        resolution=follow_up.resolution,
    )


async def follow_ups_page(
    session: AsyncSession, principal: Principal, village_id: int, *, closed: int | None = None
) -> FollowUpsView:
    village = await village_for(session, principal, village_id)
    lines = [
        FollowUpLine(
            follow_up_id=o.follow_up.id or 0,
            household_id=o.household.id or 0,
            number=o.household.number,
            head_name=o.household.head_name,
            about=o.about,
            source=o.source,
            note=o.follow_up.note,
            opened_on=to_local(o.follow_up.opened_at).date(),
        )
        for o in await open_follow_ups(session, village)
    ]
    return FollowUpsView(
        village=village,
        lines=lines,
        may_close=principal.holds(Role.COMMITTEE),
        result=await _closed_result(session, village, closed),
    )


async def close_follow_up_form(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    follow_up_id: int,
    resolution: str,
    now: datetime,
) -> None:
    """Close one of this village's follow-ups (the domain checks the committee, and once only)."""
    village = await village_for(session, principal, village_id)
    follow_up = await session.get(FollowUp, follow_up_id)
    if follow_up is None or follow_up.village_id != village.id:
        raise NotFound("care_follow_up_not_found", id=follow_up_id)
    await close_follow_up(session, await principal.staff(session), follow_up_id, resolution, now)
