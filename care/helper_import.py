"""Importing helper assignments (帮扶责任人名单) from the county's .xlsx or .csv.

The township hands villages a sheet with one row per household: 户编号,
帮扶责任人 and, optionally, 帮扶责任人电话 and 走访周期（天）. Files are read
by :mod:`village.roster_files` (title rows, header spellings, GBK CSV …);
helpers not yet on the staff list are added with the phone the file gives.

Like the roster import, every problem of the file is collected in one pass and
one bad row stops the whole import: assignments half-imported would leave
households silently without the helper the committee believes they have.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from care.visits import PLAN_DAYS, assign_helper, set_visit_plan
from core.catalogue import text
from core.clock import utcnow
from core.errors import DomainError
from core.models import Role
from village.access import require_role
from village.masking import mask_phone
from village.models import Household, StaffMember, Village
from village.phones import e164, is_mobile, masked_typo
from village.registry import add_staff
from village.roster import Problem
from village.roster_files import NUMBER, Sheet, open_table

Progress = Callable[[int, int], None]

HELPER = "帮扶责任人"
HELPER_PHONE = "帮扶责任人电话"
EVERY = "走访周期"  # 走访周期（天）: the bracket is dropped with the header's other decorations

_ALIASES: dict[str, tuple[str, ...]] = {
    NUMBER: ("户编号", "户号", "户编码", "家庭编号"),
    HELPER: ("帮扶责任人", "帮扶责任人姓名", "帮扶人", "帮扶干部", "结对帮扶责任人"),
    HELPER_PHONE: ("帮扶责任人电话", "帮扶责任人联系电话", "帮扶责任人手机", "帮扶人电话"),
    EVERY: ("走访周期", "走访周期天数", "走访间隔", "走访频次"),
}
HEADERS = {alias: canonical for canonical, names in _ALIASES.items() for alias in names}
NAME_LIMIT = 64  # StaffMember.name
BATCH = 500  # household numbers per IN (…) look-up


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    row: int
    number: str
    helper: str
    phone: str | None = None
    every_days: int | None = None


@dataclass
class HelperList:
    """A parsed file: its rows and the problems found without the database.

    Rows with problems are kept (as far as they could be read) so that the
    database checks report on them too: the committee fixes the file once.
    """

    source: str
    rows: list[AssignmentRow]
    problems: list[Problem]
    read: int  # non-empty rows


@dataclass
class HelperImportReport:
    rows: int = 0
    assigned: int = 0
    unchanged: int = 0
    plans: int = 0
    helpers_created: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def stopped(self) -> bool:
        return bool(self.problems) and not self.written


# ---------------------------------------------------------------- reading the file


def parse_every(value: str) -> int | None:
    """``30`` or ``30天`` within the allowed plan; None when it is not."""
    digits = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).removesuffix("天")
    if not digits.isdigit():
        return None
    days = int(digits)
    shortest, longest = PLAN_DAYS
    return days if shortest <= days <= longest else None


class _Rows:
    """Checks rows one at a time, remembering what earlier rows said."""

    def __init__(self) -> None:
        self.rows: list[AssignmentRow] = []
        self.problems: list[Problem] = []
        self.first_row: dict[str, int] = {}  # 户编号 → its first row
        self.phones: dict[str, tuple[str, int]] = {}  # helper → (phone, row that gave it)

    def add(self, row: int, cells: Mapping[str, str]) -> None:
        number, helper = cells.get(NUMBER, ""), cells.get(HELPER, "")
        found: list[tuple[str, dict[str, object]]] = []
        if not number:
            found.append(("care_import_missing_number", {}))
        elif number in self.first_row:
            found.append(("care_import_duplicate_number", {"first": self.first_row[number]}))
        else:
            self.first_row[number] = row
        if not helper:
            found.append(("care_import_missing_helper", {}))
        elif len(helper) > NAME_LIMIT:
            found.append(("care_import_name_too_long", {"limit": NAME_LIMIT}))
        phone = self.phone(cells, helper, row, found)
        every = None
        if EVERY in cells:
            every = parse_every(cells[EVERY])
            if every is None:
                low, high = PLAN_DAYS
                found.append(
                    ("care_import_bad_every", {"value": cells[EVERY], "low": low, "high": high})
                )
        for code, params in found:
            self.problems.append(Problem(row, number, code, params))
        self.rows.append(AssignmentRow(row, number, helper, phone, every))

    def phone(
        self,
        cells: Mapping[str, str],
        helper: str,
        row: int,
        found: list[tuple[str, dict[str, object]]],
    ) -> str | None:
        if HELPER_PHONE not in cells:
            return None
        phone = e164(cells[HELPER_PHONE])
        if phone is None:
            digits = "".join(ch for ch in cells[HELPER_PHONE] if ch.isdigit())
            found.append(("care_import_bad_phone", {"value": mask_phone(digits)}))
            return None
        if not is_mobile(phone):  # visit reminders go by SMS
            found.append(("phone_landline", {"value": masked_typo(cells[HELPER_PHONE])}))
            return None
        earlier = self.phones.setdefault(helper, (phone, row))
        if earlier[0] != phone:
            found.append(("care_import_phone_differs", {"name": helper, "first": earlier[1]}))
        return phone


def parse_helper_list(sheet: Sheet, source: str, progress: Progress | None = None) -> HelperList:
    """Rows and row problems of ``sheet``; no database, nothing written."""
    if HELPER not in sheet.columns:
        raise DomainError("care_import_no_helper_column", source=source)
    rows = _Rows()
    seen = read = 0
    for row in sheet.rows:
        seen += 1
        if progress is not None and seen % BATCH == 0:
            progress(seen, max(sheet.size_hint, seen))
        if row.cells:
            read += 1
            rows.add(row.row, row.cells)
    if progress is not None:
        progress(seen, seen)
    return HelperList(source, rows.rows, rows.problems, read)


def read_helper_list(path: Path, progress: Progress | None = None) -> HelperList:
    with open_table(path, HEADERS) as sheet:
        return parse_helper_list(sheet, path.name, progress)


# ---------------------------------------------------------------- writing


async def _households(
    session: AsyncSession, village: Village, numbers: Sequence[str]
) -> dict[str, Household]:
    found: dict[str, Household] = {}
    for start in range(0, len(numbers), BATCH):
        chunk = numbers[start : start + BATCH]
        for household in await session.scalars(
            select(Household).where(
                col(Household.village_id) == village.id, col(Household.number).in_(chunk)
            )
        ):
            found[household.number] = household
    return found


async def _staff(
    session: AsyncSession, village: Village, names: Sequence[str]
) -> dict[str, StaffMember]:
    found = await session.scalars(
        select(StaffMember).where(
            col(StaffMember.village_id) == village.id, col(StaffMember.name).in_(names)
        )
    )
    return {staff.name: staff for staff in found}


def _check_against_database(
    rows: Sequence[AssignmentRow],
    village: Village,
    households: Mapping[str, Household],
    staff: Mapping[str, StaffMember],
) -> list[Problem]:
    problems: list[Problem] = []
    for row in rows:
        if row.number and row.number not in households:
            problems.append(
                Problem(
                    row.row,
                    row.number,
                    "care_import_unknown_household",
                    {"village": village.name, "number": row.number},
                )
            )
        known = staff.get(row.helper)
        if known is None:
            continue
        if known.role != Role.HELPER:
            params = {"name": known.name, "role": text(f"role_{known.role}")}
            problems.append(Problem(row.row, row.number, "care_import_not_helper", params))
        elif not known.active:
            problems.append(
                Problem(row.row, row.number, "care_import_inactive", {"name": known.name})
            )
    return problems


async def import_helpers(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    parsed: HelperList,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> HelperImportReport:
    """Check ``parsed`` against the database and, with no problem at all, assign; committee only.

    Returns the report; with problems nothing is written and they are all in it.
    ``progress(done, total)`` counts the helpers whose households are assigned.
    """
    require_role(actor, village, Role.COMMITTEE)
    if not parsed.rows and not parsed.problems:
        raise DomainError("care_import_empty", source=parsed.source)
    rows = parsed.rows
    households = await _households(session, village, sorted({r.number for r in rows}))
    staff = await _staff(session, village, sorted({r.helper for r in rows}))
    problems = [*parsed.problems, *_check_against_database(rows, village, households, staff)]
    problems.sort(key=lambda p: p.row)
    report = HelperImportReport(rows=parsed.read)
    if problems:
        report.problems = problems
        return report

    by_helper: dict[str, list[AssignmentRow]] = defaultdict(list)
    for row in rows:
        by_helper[row.helper].append(row)
    total = len(by_helper)
    if progress is not None:
        progress(0, total)
    moment = now or utcnow()
    for done, (name, helper_rows) in enumerate(by_helper.items(), start=1):
        phone = next((r.phone for r in helper_rows if r.phone), None)
        helper = staff.get(name)
        if helper is None:
            helper = await add_staff(session, village, name, Role.HELPER.value, phone=phone)
            report.helpers_created.append(name)
        elif helper.phone is None and phone is not None:
            helper.phone = phone
        homes = [households[r.number] for r in helper_rows]
        report.assigned += await assign_helper(session, actor, village, helper, homes, now=moment)
        if progress is not None:
            progress(done, total)
    report.unchanged = len(rows) - report.assigned
    by_plan: dict[int, list[Household]] = defaultdict(list)
    for row in rows:
        if row.every_days is not None:
            by_plan[row.every_days].append(households[row.number])
    for days, homes in sorted(by_plan.items()):
        report.plans += await set_visit_plan(session, actor, village, homes, days)
    report.written = True
    return report
