"""Reading roster files (.xlsx, .csv) into plain rows of text keyed by column.

Real 建档立卡 spreadsheets are messy: a title row above the header, headers
spelt a dozen ways (身份证号码, 手机号 …), merged cells that read as empty,
numbers typed as numbers, CSV saved by Excel as GBK. This module absorbs all
of that so that :mod:`village.roster` sees one shape: rows numbered as Excel
shows them, with only the non-empty cells, under one canonical name per
column. Nothing here knows what a household is or touches the database.

The county's 建档立卡 export has one row per person: a header with a plain 姓名
beside 与户主关系 (or 户主姓名) is read with :data:`PERSON_HEADERS`, where
身份证号 and 联系电话 are the row's person's, and the sheet is marked
``per_person`` for :mod:`village.roster` to group the rows by 户编号.

Rows are produced lazily (openpyxl's read-only mode) so a county-sized file
is never held in memory twice.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from core.errors import DomainError

# Canonical column names: the ones DESIGN and the committee's template use.
NUMBER = "户编号"
HEAD = "户主姓名"
ID_CARD = "身份证号"
PHONE = "联系电话"
VILLAGE = "村"
GROUP = "组"
SIZE = "家庭人口"
TYPE = "户类型"
MEMBER_NAME = "成员姓名"
RELATION = "与户主关系"
MEMBER_ID_CARD = "成员身份证号"
MEMBER_PHONE = "成员电话"
CHRONIC = "慢性病"  # 是/否, of the person the row is about (the member named, else the head)
LANDLINE = "固定电话"  # 座机: kept apart from the mobile, which alone can receive an SMS

# Columns that say something about members besides the heads. 慢性病 is not one:
# a file of heads may carry it for the heads alone.
MEMBER_COLUMNS = (MEMBER_NAME, RELATION, MEMBER_ID_CARD, MEMBER_PHONE)

# A second sheet with these titles holds the members (the other layout).
MEMBER_SHEET_TITLES = ("成员", "家庭成员")

HEADER_SEARCH_ROWS = 5
Cleaner = Callable[[Any], str]
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

_MAIN_ALIASES: dict[str, tuple[str, ...]] = {
    NUMBER: ("户编号", "户号", "户编码", "家庭编号"),
    HEAD: ("户主姓名", "户主", "户主名字"),
    ID_CARD: ("身份证号", "身份证号码", "户主身份证号", "户主身份证号码", "证件号码"),
    PHONE: ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "户主电话"),
    VILLAGE: ("村", "村名", "行政村", "所在村"),
    GROUP: ("组", "村民小组", "小组", "组别", "组名"),
    SIZE: ("家庭人口", "人口", "人口数", "家庭人口数", "家庭人数", "人数"),
    TYPE: ("户类型", "户属性", "户类别", "农户类型"),
    MEMBER_NAME: ("成员姓名",),
    RELATION: ("与户主关系", "关系"),
    MEMBER_ID_CARD: ("成员身份证号", "成员身份证号码"),
    MEMBER_PHONE: ("成员电话", "成员手机号", "成员联系电话"),
    CHRONIC: ("慢性病", "是否慢性病", "是否患慢性病", "是否慢性病患者", "慢病", "慢性病患者"),
    LANDLINE: ("固定电话", "座机", "座机号码", "固话", "固定电话号码"),
}

# The county's 建档立卡 export has one row per person: a plain 姓名 column names the
# row's person, and 身份证号/联系电话 are that person's. Such a header (姓名 beside
# 与户主关系 or 户主姓名) is read with these names.
PERSON_NAME_HEADERS = ("姓名", "人员姓名", "成员姓名")
_PERSON_ALIASES: dict[str, tuple[str, ...]] = {
    **_MAIN_ALIASES,
    ID_CARD: (),  # the head's number is on the head's own row
    PHONE: (),
    MEMBER_NAME: PERSON_NAME_HEADERS,
    MEMBER_ID_CARD: (
        "身份证号",
        "身份证号码",
        "证件号码",
        "公民身份号码",
        "成员身份证号",
        "成员身份证号码",
    ),
    MEMBER_PHONE: ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "成员电话"),
}

# On the 成员 sheet the plain names (姓名, 身份证号 …) are the member's.
_MEMBER_SHEET_ALIASES: dict[str, tuple[str, ...]] = {
    NUMBER: _MAIN_ALIASES[NUMBER],
    MEMBER_NAME: ("姓名", "成员姓名"),
    RELATION: ("与户主关系", "关系"),
    MEMBER_ID_CARD: ("身份证号", "身份证号码", "成员身份证号", "成员身份证号码", "证件号码"),
    MEMBER_PHONE: ("联系电话", "电话", "手机", "手机号", "手机号码", "成员电话"),
    CHRONIC: _MAIN_ALIASES[CHRONIC],
}


def _lookup(aliases: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {alias: canonical for canonical, names in aliases.items() for alias in names}


MAIN_HEADERS = _lookup(_MAIN_ALIASES)
PERSON_HEADERS = _lookup(_PERSON_ALIASES)
MEMBER_SHEET_HEADERS = _lookup(_MEMBER_SHEET_ALIASES)


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One data row: ``row`` as Excel numbers it (1-based, header and titles counted)."""

    row: int
    cells: Mapping[str, str]


@dataclass(frozen=True)
class Sheet:
    """A table found in a file; ``rows`` can be iterated once."""

    title: str | None
    columns: frozenset[str]
    rows: Iterator[SheetRow]
    size_hint: int
    # one row per person (the county's export), read with PERSON_HEADERS
    per_person: bool = False


@dataclass(frozen=True)
class RosterSource:
    name: str
    main: Sheet
    members: Sheet | None


def header_key(value: str) -> str:
    """``* 身份证\\n号码（必填）`` and ``身份证号码`` are the same column."""
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    key = re.sub(r"\([^)]*\)$", "", key)
    return key.strip("*")


def cell_text(value: Any) -> str:
    """What a person reads in the cell: no float tails on numbers, no stray spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _csv_cell_text(value: Any) -> str:
    """Undo the tricks people use to keep Excel from turning IDs into numbers."""
    text = cell_text(value)
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1].strip()
    if text.startswith("'"):
        text = text[1:].strip()
    return text


def is_person_header(names: list[str]) -> bool:
    """A plain 姓名 column beside 与户主关系 or 户主姓名: one row per person."""
    keys = [MAIN_HEADERS.get(name) for name in names]
    plain_name = any(name in PERSON_NAME_HEADERS[:2] for name in names)
    return plain_name and (RELATION in keys or HEAD in keys)


def _sheet(
    title: str | None,
    raw: Iterator[tuple[Any, ...]],
    headers: Mapping[str, str],
    size_hint: int,
    clean: Cleaner = cell_text,
    *,
    per_person: bool = False,
) -> Sheet | None:
    """The table in ``raw`` whose header (within the first rows) names 户编号; else None.

    With ``per_person`` a main-sheet header of the one-row-per-person layout is
    read with :data:`PERSON_HEADERS`.
    """
    first = list(islice(raw, HEADER_SEARCH_ROWS))
    for index, values in enumerate(first):
        names = [header_key(cell_text(v)) for v in values]
        person = per_person and is_person_header(names)
        keys = [(PERSON_HEADERS if person else headers).get(name) for name in names]
        if NUMBER not in keys:
            continue
        positions: dict[str, int] = {}
        for position, key in enumerate(keys):
            if key is not None:
                positions.setdefault(key, position)
        header_row = index + 1
        return Sheet(
            title=title,
            columns=frozenset(positions),
            rows=_rows(first[index + 1 :], raw, header_row, positions, clean),
            size_hint=max(size_hint - header_row, 0),
            per_person=person,
        )
    return None


def _rows(
    buffered: list[tuple[Any, ...]],
    rest: Iterator[tuple[Any, ...]],
    header_row: int,
    positions: Mapping[str, int],
    clean: Cleaner,
) -> Iterator[SheetRow]:
    for row_number, values in enumerate(chain(buffered, rest), start=header_row + 1):
        cells: dict[str, str] = {}
        for key, position in positions.items():
            if position < len(values):
                text = clean(values[position])
                if text:
                    cells[key] = text
        yield SheetRow(row_number, cells)


def _suffix(path: Path) -> str:
    """The file's type (.xlsx/.xlsm or .csv), or a Chinese error for a missing or other file."""
    if not path.is_file():
        raise DomainError("roster_file_missing", path=str(path))
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES and suffix != ".csv":
        raise DomainError("roster_file_type", suffix=path.suffix or path.name)
    return suffix


@contextmanager
def open_roster(path: Path) -> Iterator[RosterSource]:
    """The roster in ``path`` (.xlsx or .csv); the file stays open inside the ``with``."""
    if _suffix(path) == ".csv":
        main = _csv_table(path, MAIN_HEADERS, per_person=True)
        yield RosterSource(name=path.name, main=main, members=None)
        return
    with _workbook(path) as workbook:
        yield _xlsx_source(path.name, workbook)


@contextmanager
def open_table(path: Path, headers: Mapping[str, str]) -> Iterator[Sheet]:
    """One table with ``headers`` (e.g. the helper list): the CSV, or the first sheet whose
    header names 户编号."""
    if _suffix(path) == ".csv":
        yield _csv_table(path, headers)
        return
    with _workbook(path) as workbook:
        for worksheet in workbook.worksheets:
            rows, hint = _worksheet_rows(worksheet)
            sheet = _sheet(str(worksheet.title).strip(), rows, headers, hint)
            if sheet is not None:
                yield sheet
                return
        first = workbook.worksheets[0].title if workbook.worksheets else path.name
        raise DomainError("roster_no_header", sheet=first)


@contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, OSError, KeyError, ValueError) as error:
        detail = type(error).__name__
        raise DomainError("roster_file_unreadable", path=path.name, detail=detail) from None
    try:
        yield workbook
    finally:
        workbook.close()


def _worksheet_rows(worksheet: Any) -> tuple[Iterator[tuple[Any, ...]], int]:
    """Rows of a read-only sheet and their count as the file claims it.

    The claimed size is only a hint for the progress bar: files written by some
    tools state a wrong one, so it is dropped before reading (else openpyxl
    would stop at it).
    """
    hint = worksheet.max_row or 0
    worksheet.reset_dimensions()
    return worksheet.iter_rows(values_only=True), hint


def _xlsx_source(name: str, workbook: Any) -> RosterSource:
    main: Sheet | None = None
    members: Sheet | None = None
    for worksheet in workbook.worksheets:
        title = str(worksheet.title).strip()
        if title in MEMBER_SHEET_TITLES:
            if members is None:
                rows, hint = _worksheet_rows(worksheet)
                members = _sheet(title, rows, MEMBER_SHEET_HEADERS, hint)
                if members is None:
                    raise DomainError("roster_no_header", sheet=title)
        elif main is None:
            rows, hint = _worksheet_rows(worksheet)
            main = _sheet(title, rows, MAIN_HEADERS, hint, per_person=True)
    if main is None:
        first = workbook.worksheets[0].title if workbook.worksheets else name
        raise DomainError("roster_no_header", sheet=first)
    return RosterSource(name=name, main=main, members=members)


def decode_csv(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), UTF-16 (BOM) or GBK/GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise DomainError("roster_encoding") from None


def _delimiter(text: str) -> str:
    """Comma, or tab for Excel's "Unicode text" export."""
    head = text[:4096]
    return "\t" if head.count("\t") > head.count(",") else ","


def _csv_table(path: Path, headers: Mapping[str, str], *, per_person: bool = False) -> Sheet:
    text = decode_csv(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = (tuple(record) for record in reader)
    sheet = _sheet(
        None, rows, headers, text.count("\n"), clean=_csv_cell_text, per_person=per_person
    )
    if sheet is None:
        raise DomainError("roster_no_header", sheet=path.name)
    return sheet
