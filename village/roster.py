"""The household roster (建档立卡户名单): from rows to households and members.

Three steps, kept apart so that each can be tested alone:

1. :mod:`village.roster_files` turns a file into numbered rows of text;
2. :func:`parse_roster` turns rows into household records and row problems,
   without the database;
3. :func:`import_roster` adds what only the database knows (does the village
   exist, is the 户编号 already another village's) and then upserts.

Every problem of the whole file is collected in one pass, so the committee
fixes its spreadsheet once, not row by row. By default one bad row stops the
import (a half-imported roster is worse than none); ``skip_bad`` leaves out the
bad rows: a bad member row drops that person only, a bad head row (or a bad
household cell) the whole household.

Two layouts of the main sheet: one row per household (members on rows below it
or on a 成员 sheet), and the county's 建档立卡 export with one row per person
(户编号 on every row, the 与户主关系 户主 row is the head), see
:mod:`village.roster_files`.

Phones: only a mobile gets an SMS, so a 座机 (0932-6521234) goes to
``Household.landline`` instead of ``phone``. A head whose 身份证号 also heads a
household of another village is a warning, never a refusal: people move, and
the county corrects its own lists.

Re-importing is the normal way to keep the roster current: households are
matched by 户编号, members by ID-card number and else by name, and members no
longer listed are marked inactive (never deleted: ledger entries and 孝善
pledges point at them). Columns absent from the file leave stored values
alone, so a file of heads only does not erase phone numbers or members
imported earlier. Households absent from the file are not touched: a file may
hold one 组 only.

The 慢性病 column (是/否; blank is 否) belongs to the person a row is about: the
member it names, else the head. A person whose rows lack the column (a member
sheet without it, a head sharing a row with another member) keeps the stored flag.

ID-card and phone numbers appear in problems only masked.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Insert, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from core.catalogue import text
from core.clock import to_local, utcnow
from core.errors import Conflict, DomainError, NotFound
from core.models import Role
from village import action_log
from village.access import require_role
from village.masking import mask_id_card, mask_phone
from village.models import Household, HouseholdType, Member, StaffMember, Village
from village.phones import e164, is_mobile, masked_typo
from village.pinyin import initials
from village.registry import find_household, get_village
from village.roster_files import (
    CHRONIC,
    GROUP,
    HEAD,
    ID_CARD,
    LANDLINE,
    MEMBER_COLUMNS,
    MEMBER_ID_CARD,
    MEMBER_NAME,
    MEMBER_PHONE,
    NUMBER,
    PHONE,
    RELATION,
    SIZE,
    TYPE,
    VILLAGE,
    RosterSource,
    Sheet,
    SheetRow,
)

Progress = Callable[[int, int], None]
T = TypeVar("T")

BATCH = 500  # households written per round trip; also the size of IN (…) look-ups
PROGRESS_EVERY = 1000  # rows read between two progress reports
HEAD_RELATION = "户主"
HEAD_RELATIONS = frozenset({"户主", "本人"})

HOUSEHOLD_TYPES: dict[str, HouseholdType] = {
    "脱贫户": HouseholdType.POVERTY_EXITED,
    "已脱贫户": HouseholdType.POVERTY_EXITED,
    "监测户": HouseholdType.MONITORED,
    "监测对象": HouseholdType.MONITORED,
    "防返贫监测户": HouseholdType.MONITORED,
    "脱贫不稳定户": HouseholdType.MONITORED,
    "边缘易致贫户": HouseholdType.MONITORED,
    "突发严重困难户": HouseholdType.MONITORED,
    "一般户": HouseholdType.ORDINARY,
    "一般农户": HouseholdType.ORDINARY,
    "非贫困户": HouseholdType.ORDINARY,
    **{t.value: t for t in HouseholdType},
}

LIMITS = {NUMBER: 40, HEAD: 64, MEMBER_NAME: 64, GROUP: 32, RELATION: 20}

# What people type for 是/否 (compared after NFKC, without spaces, case-folded).
CHRONIC_YES = frozenset({"是", "有", "患有", "1", "y", "yes", "true", "√", "✓", "✔"})
CHRONIC_NO = frozenset({"否", "无", "没有", "0", "n", "no", "false", "×", "✗", "✘"})


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad row. ``sheet`` is None for the main sheet (or the CSV)."""

    row: int
    number: str
    code: str
    params: Mapping[str, object] = field(default_factory=dict)
    sheet: str | None = None

    def reason(self, lang: str = "zh") -> str:
        return text(self.code, lang, **self.params)


@dataclass(slots=True)
class MemberRecord:
    row: int
    sheet: str | None
    name: str
    relation: str = ""
    id_card: str | None = None
    birth_date: date | None = None
    phone: str | None = None  # a mobile
    is_head: bool = False
    chronic_illness: bool | None = None  # None: no 慢性病 cell of this person's row
    landline: str | None = None  # a 座机 on this person's row: the household's


@dataclass(slots=True)
class HouseholdRecord:
    """A household as the file states it; ``people[0]`` is the head.

    ``bad``: a problem on the head's row or the household's own cells; the
    household is left out. ``skipped``: members whose own row is bad; only they
    are left out (and a stored member they name is kept as it is).
    """

    row: int
    number: str
    head_name: str
    id_card: str | None = None
    phone: str | None = None
    landline: str | None = None
    village: str = ""
    group_name: str = ""
    size: int | None = None
    household_type: HouseholdType | None = None
    people: list[MemberRecord] = field(default_factory=list)
    skipped: list[MemberRecord] = field(default_factory=list)
    bad: bool = False
    village_id: int | None = None


@dataclass
class Roster:
    """A parsed file: its households (good and bad) and the problems found so far."""

    source: str
    columns: frozenset[str]
    households: list[HouseholdRecord]
    problems: list[Problem]
    rows: int
    strays: list[MemberRecord] = field(default_factory=list)  # person rows of no household

    @property
    def has_members(self) -> bool:
        """Whether the file says anything about members besides the heads."""
        return any(c in self.columns for c in MEMBER_COLUMNS)


@dataclass
class ImportReport:
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    households_skipped: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_deactivated: int = 0
    members_total: int = 0
    problems: list[Problem] = field(default_factory=list)
    written: bool = False
    # where the left-out households (their first row) and person rows are: (sheet, row)
    skipped_households: list[tuple[str | None, int]] = field(default_factory=list)
    skipped_people: list[tuple[str | None, int]] = field(default_factory=list)
    # not problems: imported all the same (e.g. a head registered in another village too)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def stopped(self) -> bool:
        """Bad rows kept the import from writing anything."""
        return bool(self.problems) and not self.written


# ---------------------------------------------------------------- field checks


class _Bad(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _compact(value: str) -> str:
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value))


def check_id_card(value: str, label: str, today: date | None = None) -> tuple[str, date]:
    """The 18-character number (upper-case X) and the birth date it encodes.

    stdnum's checksum and birth-date rules; its table of region codes is not
    consulted, since a county renamed after the table was made is still real.
    """
    number = _compact(value).upper()
    masked = mask_id_card(number)
    if len(number) != 18:
        raise _Bad("roster_id_card_length", field=label, value=masked)
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise _Bad("roster_id_card_format", field=label, value=masked)
    if ric.calc_check_digit(number) != number[17]:
        raise _Bad("roster_id_card_checksum", field=label, value=masked)
    try:
        born: date = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise _Bad("roster_id_card_birth", field=label, value=masked) from None
    if not date(1900, 1, 1) <= born <= (today or to_local(utcnow()).date()):
        raise _Bad("roster_id_card_birth", field=label, value=masked)
    return number, born


def check_phone(value: str, label: str) -> tuple[str | None, str | None]:
    """(mobile, landline) in E.164 (+8613812345678): only a mobile can get an SMS,
    so a 座机 such as 0932-6521234 is kept apart instead of refused."""
    number = e164(value)
    if number is None:
        raise _Bad("roster_bad_phone", field=label, value=masked_typo(value))
    return (number, None) if is_mobile(number) else (None, number)


def check_landline(value: str) -> str:
    """The 固定电话 cell in E.164 (a mobile typed there is stored as given, never texted)."""
    number = e164(value)
    if number is None:
        raise _Bad("roster_bad_phone", field=LANDLINE, value=masked_typo(value))
    return number


def check_size(value: str) -> int:
    digits = unicodedata.normalize("NFKC", value).strip().removesuffix("人").strip()
    if not digits.isdigit() or int(digits) < 1:
        raise _Bad("roster_bad_size", value=value)
    return int(digits)


def check_chronic(value: str) -> bool:
    """慢性病: 是/否, 有/无, 1/0, Y/N, √ (an empty cell, read as 否, never gets here)."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).casefold()
    if key in CHRONIC_YES:
        return True
    if key in CHRONIC_NO:
        return False
    raise _Bad("roster_bad_chronic", value=value)


def _either(first: bool | None, second: bool | None) -> bool | None:
    """Two rows of one person: 是 on either makes 是; None only when neither says."""
    if first or second:
        return True
    if first is None:
        return second
    return first


def _names_member(cells: Mapping[str, str]) -> bool:
    """A main-sheet row that also names a member: its member columns are that member's."""
    return MEMBER_NAME in cells or MEMBER_ID_CARD in cells


def check_type(value: str) -> HouseholdType:
    found = HOUSEHOLD_TYPES.get(re.sub(r"\s+", "", value))
    if found is None:
        raise _Bad("roster_bad_type", value=value)
    return found


class _Findings:
    """The problems of one row: every cell is checked, also after an earlier one failed."""

    def __init__(self, cells: Mapping[str, str]) -> None:
        self.cells = cells
        self.problems: list[_Bad] = []

    def add(self, code: str, **params: object) -> None:
        self.problems.append(_Bad(code, **params))

    def check(self, column: str, check: Callable[[str], T]) -> T | None:
        """``check`` of the cell in ``column``; None when it is empty or bad."""
        if column not in self.cells:
            return None
        try:
            return check(self.cells[column])
        except _Bad as bad:
            self.problems.append(bad)
            return None

    def lengths(self, *columns: str) -> None:
        for column in columns:
            if len(self.cells.get(column, "")) > LIMITS[column]:
                self.add("roster_too_long", field=column, limit=LIMITS[column])

    def phones(self, column: str, label: str) -> tuple[str | None, str | None]:
        """The row's mobile (from ``column``) and 座机 (that column or 固定电话)."""
        mobile, landline = self.check(column, lambda v: check_phone(v, label)) or (None, None)
        fixed = self.check(LANDLINE, check_landline)
        if landline and fixed and landline != fixed:
            self.add("roster_landline_as_phone", field=label, value=masked_typo(self.cells[column]))
        return mobile, fixed or landline


# ---------------------------------------------------------------- parsing


# Cells of the one-row-per-person layout that describe the household, not the person.
HOUSEHOLD_CELLS = (HEAD, VILLAGE, GROUP, SIZE, TYPE)


@dataclass(slots=True)
class _PersonRow:
    """A row of the one-row-per-person layout, kept until its household is complete."""

    person: MemberRecord
    household_cells: dict[str, str]
    ok: bool  # the row itself has no problem
    head: bool  # 与户主关系 is 户主 (or, without it, 姓名 is the 户主姓名)


class _Parser:
    """Walks the rows once, remembering which household the next member row continues."""

    def __init__(self, today: date, chronic_column: bool = False) -> None:
        self.today = today
        # whether the sheet being read has a 慢性病 column (an empty cell then means 否)
        self.chronic_column = chronic_column
        self.households: list[HouseholdRecord] = []
        self.by_number: dict[str, HouseholdRecord] = {}
        self.problems: list[Problem] = []
        # the household the next row continues when its 户编号 is empty, and its number
        self.current: HouseholdRecord | None = None
        self.current_key = ""
        # member rows naming a 户编号 other than the one they follow: resolved at the end
        self.deferred: list[tuple[str, MemberRecord, bool]] = []
        # person rows that belong to no household
        self.strays: list[MemberRecord] = []
        # the one-row-per-person layout: rows by 户编号, in the order first seen
        self.groups: dict[str, list[_PersonRow]] = {}

    def report(self, row: int, number: str, problems: list[_Bad], sheet: str | None = None) -> None:
        for bad in problems:
            self.problems.append(Problem(row, number, bad.code, bad.params, sheet))

    def chronic(self, found: _Findings) -> bool | None:
        """The row's 慢性病 cell: None when the sheet has no such column (or it is bad)."""
        if not self.chronic_column:
            return None
        if CHRONIC not in found.cells:
            return False
        return found.check(CHRONIC, check_chronic)

    def main_row(self, row: SheetRow) -> None:
        cells = row.cells
        if not cells:
            return
        if HEAD in cells or not any(c in cells for c in MEMBER_COLUMNS):
            self.household_row(row)
            if _names_member(cells):
                self.member_row(row, None, same_row=True)
        else:
            self.member_row(row, None)

    def household_row(self, row: SheetRow) -> None:
        cells = row.cells
        number = cells.get(NUMBER, "")
        household = HouseholdRecord(
            row=row.row,
            number=number,
            head_name=cells.get(HEAD, ""),
            village=cells.get(VILLAGE, ""),
            group_name=cells.get(GROUP, ""),
        )
        found = _Findings(cells)
        if not number:
            found.add("roster_missing_number")
        if not household.head_name:
            found.add("roster_missing_head")
        found.lengths(NUMBER, HEAD, GROUP)
        id_card = found.check(ID_CARD, lambda v: check_id_card(v, ID_CARD, self.today))
        household.id_card, birth_date = id_card or (None, None)
        household.phone, household.landline = found.phones(PHONE, PHONE)
        household.size = found.check(SIZE, check_size)
        household.household_type = found.check(TYPE, check_type)
        # With a member on the same row, the 慢性病 cell is that member's (checked there).
        chronic = None if _names_member(cells) else self.chronic(found)
        household.people.append(
            MemberRecord(
                row=row.row,
                sheet=None,
                name=household.head_name,
                relation=HEAD_RELATION,
                id_card=household.id_card,
                birth_date=birth_date,
                phone=household.phone,
                is_head=True,
                chronic_illness=chronic,
                landline=household.landline,
            )
        )
        first = self.by_number.get(number) if number else None
        if first is not None:
            found.add("roster_duplicate_number", first=first.row)
            first.bad = True
        elif number:
            self.by_number[number] = household
        self.report(row.row, number, found.problems)
        household.bad = bool(found.problems)
        self.households.append(household)
        self.current, self.current_key = household, number

    def member_row(self, row: SheetRow, sheet: str | None, *, same_row: bool = False) -> None:
        """A member: of the row above's household when 户编号 is empty (merged cells)."""
        cells = row.cells
        number = cells.get(NUMBER, "")
        household: HouseholdRecord | None
        if same_row or not number or number == self.current_key:
            household, number = self.current, self.current_key
        else:
            household = self.by_number.get(number)
        found = _Findings(cells)
        member = self.person(row, sheet, found, MEMBER_ID_CARD, MEMBER_PHONE)
        if household is None and not number:
            found.add("roster_orphan_member")
        self.report(row.row, number, found.problems, sheet)
        self.current, self.current_key = household, number
        ok = not found.problems
        if household is not None:
            if same_row and not ok:
                household.bad = True  # the head's own row is bad
            (household.people if ok else household.skipped).append(member)
        elif number:
            # Names a household further down (or on no row at all): settled at the end.
            self.deferred.append((number, member, ok))
        else:
            self.strays.append(member)

    def person(
        self, row: SheetRow, sheet: str | None, found: _Findings, id_label: str, phone_label: str
    ) -> MemberRecord:
        """The person a row names (member columns); problems go to ``found``."""
        cells = row.cells
        member = MemberRecord(
            row=row.row,
            sheet=sheet,
            name=cells.get(MEMBER_NAME, ""),
            relation=cells.get(RELATION, ""),
        )
        if not member.name:
            found.add("roster_missing_member_name")
        found.lengths(MEMBER_NAME, RELATION)
        id_card = found.check(MEMBER_ID_CARD, lambda v: check_id_card(v, id_label, self.today))
        member.id_card, member.birth_date = id_card or (None, None)
        member.phone, member.landline = found.phones(MEMBER_PHONE, phone_label)
        member.chronic_illness = self.chronic(found)
        return member

    # ------------------------------------------------ one row per person (the county's export)

    def person_row(self, row: SheetRow) -> None:
        """A row of the one-row-per-person layout: grouped by 户编号, settled in :meth:`persons`.

        An empty 户编号 (a merged cell) continues the row above.
        """
        cells = row.cells
        if not cells:
            return
        number = cells.get(NUMBER) or self.current_key
        found = _Findings(cells)
        person = self.person(row, None, found, ID_CARD, PHONE)
        if not number:
            found.add("roster_missing_number")
        self.report(row.row, number, found.problems)
        if not number:
            self.strays.append(person)
            return
        self.current_key = number
        head = person.relation in HEAD_RELATIONS or (
            not person.relation and bool(person.name) and cells.get(HEAD) == person.name
        )
        household_cells = {k: cells[k] for k in HOUSEHOLD_CELLS if k in cells}
        self.groups.setdefault(number, []).append(
            _PersonRow(person, household_cells, not found.problems, head)
        )

    def persons(self) -> None:
        """One household per 户编号: the 户主 row is the head, the other rows its members."""
        for number, rows in self.groups.items():
            heads = [r for r in rows if r.head]
            first = heads[0] if heads else rows[0]
            cells: dict[str, str] = {NUMBER: number}
            for r in [first, *rows]:  # the head's cells first, then those of the other rows
                cells = {**r.household_cells, **cells}
            household = HouseholdRecord(
                row=first.person.row,
                number=number,
                head_name=first.person.name if heads else "",
                village=cells.get(VILLAGE, ""),
                group_name=cells.get(GROUP, ""),
            )
            found = _Findings(cells)
            found.lengths(NUMBER, GROUP)
            household.size = found.check(SIZE, check_size)
            household.household_type = found.check(TYPE, check_type)
            if not heads:
                found.add("roster_no_head_row")
            elif HEAD in cells and cells[HEAD] != first.person.name:
                found.add("roster_head_mismatch", head=cells[HEAD])
            self.report(first.person.row, number, found.problems)
            for extra in heads[1:]:
                self.problems.append(
                    Problem(
                        extra.person.row, number, "roster_second_head", {"first": first.person.row}
                    )
                )
            household.bad = bool(found.problems) or len(heads) != 1 or not first.ok
            head = first.person
            head.is_head, head.relation = True, HEAD_RELATION
            household.id_card, household.phone = head.id_card, head.phone
            household.landline = head.landline
            household.people.append(head)
            for r in rows:
                if r is not first:
                    keep = r.ok and not r.head
                    (household.people if keep else household.skipped).append(r.person)
            self.households.append(household)
            self.by_number[number] = household

    def member_sheet(self, sheet: Sheet, tick: Callable[[], None]) -> None:
        """The 成员 sheet: the same rules as member rows below a household."""
        self.current, self.current_key = None, ""
        self.chronic_column = CHRONIC in sheet.columns
        for row in sheet.rows:
            tick()
            if row.cells:
                self.member_row(row, sheet.title)

    def resolve_deferred(self) -> None:
        for number, member, ok in self.deferred:
            household = self.by_number.get(number)
            if household is None:
                self.problems.append(
                    Problem(member.row, number, "roster_unknown_household", {}, member.sheet)
                )
                self.strays.append(member)
                continue
            (household.people if ok else household.skipped).append(member)

    def settle(self, household: HouseholdRecord) -> None:
        """Fold rows that restate the head into the head; refuse people listed twice."""
        head = household.people[0]
        people = [head]
        by_id: dict[str, MemberRecord] = {}
        by_name: dict[str, MemberRecord] = {}
        if head.id_card:
            by_id[head.id_card] = head
        elif head.name:
            by_name[head.name] = head
        for member in household.people[1:]:
            if member.relation in HEAD_RELATIONS or (
                member.id_card is not None and member.id_card == head.id_card
            ):
                if member.name and member.name != head.name:
                    self._bad_member(household, member, "roster_head_mismatch", head=head.name)
                    continue
                head.id_card = head.id_card or member.id_card
                head.birth_date = head.birth_date or member.birth_date
                head.phone = head.phone or member.phone
                head.chronic_illness = _either(head.chronic_illness, member.chronic_illness)
                household.id_card = head.id_card
                household.phone = head.phone
                household.landline = household.landline or member.landline
                continue
            twin = by_id.get(member.id_card) if member.id_card else by_name.get(member.name)
            if twin is not None:
                self._bad_member(household, member, "roster_duplicate_member", first=twin.row)
                continue
            if member.id_card:
                by_id[member.id_card] = member
            else:
                by_name[member.name] = member
            people.append(member)
        household.people = people
        # A 座机 is the house's: the first one on any of its rows.
        household.landline = household.landline or next(
            (m.landline for m in people if m.landline), None
        )

    def _bad_member(
        self, household: HouseholdRecord, member: MemberRecord, code: str, **params: object
    ) -> None:
        """Only this person's row is left out; the head and the others stay."""
        self.problems.append(Problem(member.row, household.number, code, params, member.sheet))
        household.skipped.append(member)


def parse_roster(
    source: RosterSource, *, progress: Progress | None = None, today: date | None = None
) -> Roster:
    """Households and row problems of ``source``; no database, nothing written."""
    parser = _Parser(today or to_local(utcnow()).date(), CHRONIC in source.main.columns)
    hint = source.main.size_hint + (source.members.size_hint if source.members else 0)
    seen = 0

    def tick() -> None:
        nonlocal seen
        seen += 1
        if progress is not None and seen % PROGRESS_EVERY == 0:
            progress(seen, max(hint, seen))

    for row in source.main.rows:
        tick()
        if source.main.per_person:
            parser.person_row(row)
        else:
            parser.main_row(row)
    parser.persons()
    if source.members is not None:
        parser.member_sheet(source.members, tick)
    parser.resolve_deferred()
    for household in parser.households:
        parser.settle(household)
    if progress is not None:
        progress(seen, seen)
    columns = source.main.columns | (source.members.columns if source.members else frozenset())
    if source.main.per_person:
        # the head's 身份证号 and 电话 are on the head's own row
        columns |= {ID_CARD for c in columns if c == MEMBER_ID_CARD}
        columns |= {PHONE for c in columns if c == MEMBER_PHONE}
    problems = sorted(parser.problems, key=_row_order)
    return Roster(source.name, columns, parser.households, problems, seen, parser.strays)


def _row_order(problem: Problem) -> tuple[bool, str, int]:
    """Main sheet first, then the 成员 sheet; by row within each."""
    return (problem.sheet is not None, problem.sheet or "", problem.row)


# ---------------------------------------------------------------- checks against the database


@dataclass(frozen=True, slots=True)
class _Stored:
    """A stored household, as plain values (80 000 ORM objects would crowd the session)."""

    number: str
    id: int
    village_id: int
    head_name: str
    initials: str
    id_card: str | None
    phone: str | None
    landline: str | None
    group_name: str
    size: int
    household_type: str


@dataclass(frozen=True, slots=True)
class _StoredMember:
    id: int
    household_id: int
    name: str
    relation: str
    id_card: str | None
    birth_date: date | None
    phone: str | None
    is_head: bool
    chronic_illness: bool
    active: bool


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


async def _assign_villages(
    session: AsyncSession, roster: Roster, default_village: str | None, problems: list[Problem]
) -> dict[int, Village]:
    """Set each household's village; the ones it names must exist (and match the default)."""
    if VILLAGE not in roster.columns and not default_village:
        raise DomainError("roster_village_needed")
    default = await get_village(session, default_village) if default_village else None
    names = sorted({h.village for h in roster.households if h.village})
    known: dict[str, Village] = {}
    for chunk in _chunks(names):
        for village in await session.scalars(select(Village).where(col(Village.name).in_(chunk))):
            known[village.name] = village
    used: dict[int, Village] = {}
    for household in roster.households:
        try:
            village = _village_of(household, default, known)
        except _Bad as bad:
            problems.append(Problem(household.row, household.number, bad.code, bad.params))
            household.bad = True
            continue
        household.village_id = village.id
        used[household.village_id or 0] = village
    return used


def _village_of(
    household: HouseholdRecord, default: Village | None, known: Mapping[str, Village]
) -> Village:
    if not household.village:
        if default is None:
            raise _Bad("roster_missing_village")
        return default
    if default is not None and household.village != default.name:
        raise _Bad("roster_village_mismatch", name=household.village, expected=default.name)
    village = known.get(household.village)
    if village is None:
        raise _Bad("roster_unknown_village", name=household.village)
    return village


async def _stored_households(session: AsyncSession, numbers: Sequence[str]) -> dict[str, _Stored]:
    stored: dict[str, _Stored] = {}
    for chunk in _chunks(numbers):
        rows = await session.execute(
            sa_select(
                col(Household.number),
                col(Household.id),
                col(Household.village_id),
                col(Household.head_name),
                col(Household.initials),
                col(Household.id_card),
                col(Household.phone),
                col(Household.landline),
                col(Household.group_name),
                col(Household.size),
                col(Household.household_type),
            ).where(col(Household.number).in_(chunk))
        )
        for row in rows.mappings():
            stored[row["number"]] = _Stored(**row)
    return stored


async def _check_numbers_taken(
    session: AsyncSession,
    roster: Roster,
    stored: Mapping[str, _Stored],
    problems: list[Problem],
) -> None:
    """户编号 is unique across the county: one already used by another village is refused."""
    clashes = [
        h
        for h in roster.households
        if h.village_id is not None
        and h.number in stored
        and stored[h.number].village_id != h.village_id
    ]
    if not clashes:
        return
    ids = sorted({stored[h.number].village_id for h in clashes})
    rows = await session.execute(
        select(col(Village.id), col(Village.name)).where(col(Village.id).in_(ids))
    )
    names = {village_id: name for village_id, name in rows}
    for household in clashes:
        village = names.get(stored[household.number].village_id, "")
        problems.append(
            Problem(household.row, household.number, "roster_number_taken", {"village": village})
        )
        household.bad = True


# ---------------------------------------------------------------- import


async def import_roster(
    session: AsyncSession,
    roster: Roster,
    *,
    default_village: str | None,
    skip_bad: bool = False,
    actor: StaffMember | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Check ``roster`` against the database and upsert it in the caller's transaction.

    ``default_village`` names the village for rows without a 村 (and every row's
    村 must then be that one). With problems and without ``skip_bad`` nothing is
    written and the report lists them all. ``progress(done, total)`` counts
    households written.
    """
    if not roster.households and not roster.problems:
        raise DomainError("roster_empty", source=roster.source)
    now = now or utcnow()
    problems = list(roster.problems)
    villages = await _assign_villages(session, roster, default_village, problems)
    numbers = sorted({h.number for h in roster.households if h.number})
    stored = await _stored_households(session, numbers)
    await _check_numbers_taken(session, roster, stored, problems)
    problems.sort(key=_row_order)

    good = [h for h in roster.households if not h.bad]
    report = ImportReport(
        problems=problems,
        households_skipped=len(roster.households) - len(good),
        skipped_households=[(None, h.row) for h in roster.households if h.bad],
        skipped_people=sorted(
            [(m.sheet, m.row) for h in good for m in h.skipped]
            + [(m.sheet, m.row) for m in roster.strays],
            key=lambda place: (place[0] is not None, place[0] or "", place[1]),
        ),
        warnings=await _heads_elsewhere(session, roster, villages),
    )
    if problems and not skip_bad:
        return report
    if actor is not None:
        for village_id in sorted({h.village_id for h in good if h.village_id is not None}):
            require_role(actor, villages[village_id], Role.COMMITTEE)
    writer = _Writer(session, roster, stored, report, now)
    total = len(good)
    if progress is not None:
        progress(0, total)
    for done, batch in enumerate(_chunks(good), start=1):
        await writer.write(batch)
        if progress is not None:
            progress(min(done * BATCH, total), total)
    report.written = True
    if actor is not None:  # who imported, once per village of the file
        for place, count in sorted(Counter(h.village_id or 0 for h in good).items()):
            await action_log.record(
                session, actor, villages[place], "import_roster", source=roster.source, count=count
            )
    return report


async def _heads_elsewhere(
    session: AsyncSession, roster: Roster, villages: Mapping[int, Village]
) -> list[Problem]:
    """Heads whose 身份证号 also heads a household of another village: warned, not refused.

    People move and the county corrects its lists in its own time, so the import
    goes on; the committee learns where else the person is registered.
    """
    heads = [h for h in roster.households if h.id_card and h.village_id is not None]
    in_file = {h.number for h in roster.households}
    seen: dict[str | None, list[tuple[int | None, str, str]]] = {}  # 身份证号 → (村 id, 村, 户编号)
    for chunk in _chunks(sorted({h.id_card for h in heads if h.id_card})):
        rows = await session.execute(
            sa_select(
                col(Household.id_card),
                col(Household.number),
                col(Household.village_id),
                col(Village.name),
            )
            .join(Village, col(Village.id) == col(Household.village_id))
            .where(col(Household.id_card).in_(chunk))
        )
        for id_card, number, village_id, name in rows:
            if number not in in_file:  # a household of the file: its row here counts
                seen.setdefault(id_card, []).append((village_id, name, number))
    for h in heads:
        village = villages[h.village_id or 0]
        seen.setdefault(h.id_card, []).append((h.village_id, village.name, h.number))
    warnings = [
        Problem(
            h.row,
            h.number,
            "roster_head_elsewhere",
            {"id_card": mask_id_card(h.id_card), "village": name, "other": number},
        )
        for h in heads
        for village_id, name, number in seen[h.id_card]
        if village_id != h.village_id
    ]
    return sorted(warnings, key=_row_order)


def _bulk_insert(model: type[Household] | type[Member]) -> Insert:
    """An ORM bulk insert that sends NULLs as NULLs.

    By default the ORM leaves out None values and so splits the rows into one
    statement per pattern of empty cells: row by row, for a real roster.
    """
    return insert(model).execution_options(render_nulls=True)


class _Writer:
    """Upserts batches of households and their members with a few statements each."""

    def __init__(
        self,
        session: AsyncSession,
        roster: Roster,
        stored: Mapping[str, _Stored],
        report: ImportReport,
        now: datetime,
    ) -> None:
        self.session = session
        self.columns = roster.columns
        self.has_members = roster.has_members
        self.stored = stored
        self.report = report
        self.now = now

    async def write(self, batch: list[HouseholdRecord]) -> None:
        fresh = [h for h in batch if h.number not in self.stored]
        known = [h for h in batch if h.number in self.stored]
        member_rows: list[dict[str, Any]] = []
        if fresh:
            member_rows += await self._insert_households(fresh)
        household_updates: list[dict[str, Any]] = []
        member_updates: list[dict[str, Any]] = []
        if known:
            old = await self._stored_members([self.stored[h.number].id for h in known])
            for household in known:
                stored = self.stored[household.number]
                changes = self._household_changes(household, stored)
                inserts, updates = self._member_changes(
                    household, stored.id, old.get(stored.id, [])
                )
                member_rows += inserts
                member_updates += updates
                if changes or inserts or updates:
                    household_updates.append({"id": stored.id, **changes, "updated_at": self.now})
                    self.report.households_updated += 1
                else:
                    self.report.households_unchanged += 1
        if household_updates:
            await self.session.execute(update(Household), household_updates)
        if member_updates:
            await self.session.execute(update(Member), member_updates)
        if member_rows:
            await self.session.execute(_bulk_insert(Member), member_rows)
        self.report.members_created += len(member_rows)
        self.report.members_total += sum(len(h.people) for h in batch)

    def _household_values(self, household: HouseholdRecord, creating: bool) -> dict[str, Any]:
        """Values the file states; a column the file lacks says nothing about a stored row."""
        values: dict[str, Any] = {
            "village_id": household.village_id,
            "head_name": household.head_name,
            "initials": initials(household.head_name),  # 拼音首字母, for search
        }
        if ID_CARD in self.columns or household.id_card or creating:
            values["id_card"] = household.id_card
        if PHONE in self.columns or household.phone or creating:
            values["phone"] = household.phone
        if LANDLINE in self.columns or household.landline or creating:
            values["landline"] = household.landline
        if GROUP in self.columns or creating:
            values["group_name"] = household.group_name
        if household.size is not None:
            values["size"] = household.size
        elif self.has_members or creating:
            values["size"] = len(household.people) + len(household.skipped)
        if household.household_type is not None:
            values["household_type"] = household.household_type.value
        elif creating:
            values["household_type"] = HouseholdType.ORDINARY.value
        return values

    def _member_values(self, member: MemberRecord, creating: bool) -> dict[str, Any]:
        id_column = ID_CARD if member.is_head else MEMBER_ID_CARD
        phone_column = PHONE if member.is_head else MEMBER_PHONE
        values: dict[str, Any] = {"name": member.name, "is_head": member.is_head, "active": True}
        if member.relation or RELATION in self.columns or member.is_head or creating:
            values["relation"] = member.relation
        if member.id_card or id_column in self.columns or creating:
            values["id_card"] = member.id_card
            values["birth_date"] = member.birth_date
        if member.phone or phone_column in self.columns or creating:
            values["phone"] = member.phone
        if member.chronic_illness is not None or creating:
            values["chronic_illness"] = bool(member.chronic_illness)
        return values

    async def _insert_households(self, fresh: list[HouseholdRecord]) -> list[dict[str, Any]]:
        rows = [
            {
                **self._household_values(h, True),
                "number": h.number,
                "created_at": self.now,
                "updated_at": self.now,
            }
            for h in fresh
        ]
        result = await self.session.execute(
            _bulk_insert(Household).returning(col(Household.id), col(Household.number)), rows
        )
        ids = {number: household_id for household_id, number in result}
        self.report.households_created += len(fresh)
        return [
            {
                **self._member_values(member, True),
                "household_id": ids[household.number],
                "created_at": self.now,
                "updated_at": self.now,
            }
            for household in fresh
            for member in household.people
        ]

    async def _stored_members(self, household_ids: list[int]) -> dict[int, list[_StoredMember]]:
        found: dict[int, list[_StoredMember]] = {}
        rows = await self.session.execute(
            sa_select(
                col(Member.id),
                col(Member.household_id),
                col(Member.name),
                col(Member.relation),
                col(Member.id_card),
                col(Member.birth_date),
                col(Member.phone),
                col(Member.is_head),
                col(Member.chronic_illness),
                col(Member.active),
            )
            .where(col(Member.household_id).in_(household_ids))
            .order_by(col(Member.id))
        )
        for row in rows.mappings():
            member = _StoredMember(**row)
            found.setdefault(member.household_id, []).append(member)
        return found

    def _household_changes(self, household: HouseholdRecord, stored: _Stored) -> dict[str, Any]:
        values = self._household_values(household, False)
        return {k: v for k, v in values.items() if getattr(stored, k) != v}

    def _member_changes(
        self, household: HouseholdRecord, household_id: int, old: list[_StoredMember]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        # A skipped row still names its person: the stored member stays as it is.
        pairs, leftovers = _match_members([*household.people, *household.skipped], old)
        for member, stored in pairs[: len(household.people)]:
            if stored is None:
                inserts.append(
                    {
                        **self._member_values(member, True),
                        "household_id": household_id,
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                )
                continue
            values = self._member_values(member, False)
            changed = {k: v for k, v in values.items() if getattr(stored, k) != v}
            if changed:
                updates.append({"id": stored.id, **changed, "updated_at": self.now})
                self.report.members_updated += 1
        for stored in leftovers:
            # A file without member columns says nothing about members: only the head moves.
            gone = {"active": False, "is_head": False} if self.has_members else {"is_head": False}
            changed = {k: v for k, v in gone.items() if getattr(stored, k) != v}
            if changed:
                updates.append({"id": stored.id, **changed, "updated_at": self.now})
                if changed.get("active") is False:
                    self.report.members_deactivated += 1
        return inserts, updates


def _match_members(
    people: Sequence[MemberRecord], stored: Sequence[_StoredMember]
) -> tuple[list[tuple[MemberRecord, _StoredMember | None]], list[_StoredMember]]:
    """Pair each listed person with a stored member: by ID-card number first, then by name.

    Returns the pairs (None: a new member) and the stored members nobody claimed.
    """
    left = list(stored)
    matched: dict[int, _StoredMember] = {}
    for index, person in enumerate(people):
        if person.id_card is None:
            continue
        twin = next((m for m in left if m.id_card == person.id_card), None)
        if twin is not None:
            matched[index] = twin
            left.remove(twin)
    for index, person in enumerate(people):
        if index in matched:
            continue
        namesakes = [m for m in left if m.name == person.name]
        if namesakes:
            twin = max(namesakes, key=lambda m: (m.active, m.is_head == person.is_head))
            matched[index] = twin
            left.remove(twin)
    return [(person, matched.get(i)) for i, person in enumerate(people)], left


# ---------------------------------------------------------------- reading the roster back


def age(born: date, today: date) -> int:
    """Whole years: shown instead of the birth date, which the ID-card mask hides."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


async def village_households(
    session: AsyncSession, village: Village, group: str | None = None
) -> list[Household]:
    """The village's households in 户编号 order (for lists and printing)."""
    query = select(Household).where(Household.village_id == village.id)
    if group:
        query = query.where(Household.group_name == group)
    return list(await session.scalars(query.order_by(col(Household.number))))


def household_phones(household: Household) -> str:
    """Where a phone is shown: the mobile (it gets the SMS) and the 座机, both masked."""
    shown = [mask_phone(household.phone)] if household.phone or not household.landline else []
    if household.landline:
        national = "0" + household.landline.removeprefix("+86")
        shown.append(text("roster_landline_shown", number=mask_phone(national)))
    return "　".join(shown)


async def household_members(session: AsyncSession, household: Household) -> list[Member]:
    """Head first, then the others as imported; inactive ones last."""
    query = (
        select(Member)
        .where(Member.household_id == household.id)
        .order_by(col(Member.active).desc(), col(Member.is_head).desc(), col(Member.id))
    )
    return list(await session.scalars(query))


# ---------------------------------------------------------------- changing one member


async def set_chronic_illness(
    session: AsyncSession,
    village: Village,
    actor: StaffMember,
    number: str,
    person: str,
    value: bool,
    *,
    now: datetime | None = None,
) -> tuple[Household, Member, bool]:
    """Mark or clear the 慢性病 flag of a listed member; the committee only.

    ``person`` is the member's name, or the ID-card number when two members of
    the household share a name. Returns the household, the member and whether
    the flag changed (setting it again is not an error).
    """
    require_role(actor, village, Role.COMMITTEE)
    household = await find_household(session, number, village.id)
    ref = person.strip()
    key = _compact(ref).upper()
    shown = mask_id_card(key) if re.fullmatch(r"\d{17}[\dX]", key) else ref
    listed = [m for m in await household_members(session, household) if m.active]
    found = [m for m in listed if m.id_card == key] or [m for m in listed if m.name == ref]
    if not found:
        raise NotFound("roster_member_not_found", number=household.number, name=shown)
    if len(found) > 1:
        raise Conflict("roster_member_ambiguous", number=household.number, name=shown)
    member = found[0]
    changed = member.chronic_illness != value
    if changed:
        member.chronic_illness = value
        member.updated_at = household.updated_at = now or utcnow()
        await action_log.record(
            session,
            actor,
            village,
            "chronic_illness_on" if value else "chronic_illness_off",
            number=household.number,
            name=member.name,
        )
    return household, member, changed
