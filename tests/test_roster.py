"""The roster import: real .xlsx and .csv files, both layouts, every bad row, re-imports."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from stdnum.cn import ric

from core.db import Database
from core.errors import DomainError, Forbidden
from village import roster as roster_module
from village.models import Household, HouseholdType, Member, StaffMember
from village.registry import add_staff, create_village, get_village
from village.roster import (
    ImportReport,
    Progress,
    Roster,
    check_chronic,
    import_roster,
    parse_roster,
    set_chronic_illness,
)
from village.roster_files import decode_csv, header_key, open_roster

Cells = Sequence[object]

MAIN_HEADER = ["户编号", "户主姓名", "身份证号", "联系电话", "村", "组", "家庭人口", "户类型"]
MEMBER_HEADER = ["成员姓名", "与户主关系", "成员身份证号"]
MEMBER_SHEET_HEADER = ["户编号", "姓名", "与户主关系", "身份证号", "联系电话"]


def id_card(born: str = "19800101", seq: str = "123", region: str = "410102") -> str:
    """A valid (made-up) number: region, birth date, sequence and stdnum's check digit."""
    base = f"{region}{born}{seq}"
    return base + ric.calc_check_digit(base + "0")  # it skips the last character


def bad_checksum(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


ZHANG = id_card("19560302", "011")
ZHANG_WIFE = id_card("19580715", "022")
ZHANG_SON = id_card("19851120", "031")
LI = id_card("19700101", "041")
LI_DAUGHTER = id_card("20050609", "052")


def write_xlsx(
    path: Path,
    rows: Sequence[Cells],
    *,
    header: Sequence[str] = (*MAIN_HEADER, *MEMBER_HEADER),
    title: str | None = "幸福村建档立卡户花名册",
    members: Sequence[Cells] | None = None,
    member_sheet: str = "成员",
    member_header: Sequence[str] = MEMBER_SHEET_HEADER,
) -> Path:
    """A workbook like the committee's: a title row, the header, then the rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "户主"
    if title:
        sheet.append([title])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    if members is not None:
        second = workbook.create_sheet(member_sheet)
        second.append(list(member_header))
        for row in members:
            second.append(list(row))
    workbook.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Cells], encoding: str, header: Cells = ()) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header or [*MAIN_HEADER, *MEMBER_HEADER])
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


# 户编号, 户主姓名, 身份证号, 联系电话, 村, 组, 家庭人口, 户类型, 成员姓名, 与户主关系, 成员身份证号
FAMILY_ROWS: list[Cells] = [
    ["X001", "张三", ZHANG, "13812345678", "幸福村", "一组", 3, "脱贫户", None, None, None],
    ["X001", None, None, None, None, None, None, None, "王芳", "配偶", ZHANG_WIFE],
    [None, None, None, None, None, None, None, None, "张小明", "子", ZHANG_SON],
    ["X002", "李四", LI, "139 0000 1111", "幸福村", "二组", None, "监测户", "李四", "户主", LI],
    [None, None, None, None, None, None, None, None, "李小花", "女", LI_DAUGHTER],
]


def read(path: Path) -> Roster:
    with open_roster(path) as source:
        return parse_roster(source, today=date(2026, 1, 1))


async def run_import(
    db: Database,
    path: Path,
    village: str | None = "幸福村",
    *,
    skip_bad: bool = False,
    actor: StaffMember | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    roster = read(path)
    async with db.transaction() as session:
        return await import_roster(
            session,
            roster,
            default_village=village,
            skip_bad=skip_bad,
            actor=actor,
            progress=progress,
        )


async def count(session: AsyncSession, model: type[Household] | type[Member]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def members_of(session: AsyncSession, number: str) -> dict[str, Member]:
    query = (
        select(Member)
        .join(Household, col(Household.id) == col(Member.household_id))
        .where(Household.number == number)
    )
    return {m.name: m for m in await session.scalars(query)}


async def make_villages(db: Database, *names: str) -> None:
    async with db.transaction() as session:
        for name in names or ("幸福村",):
            await create_village(session, name)


# ---------------------------------------------------------------- reading and parsing


def test_header_spellings_are_one_column() -> None:
    assert header_key(" * 身份证\n号码（必填）") == "身份证号码"
    assert header_key("联系电话(手机)") == "联系电话"


def test_csv_encodings() -> None:
    text = "户编号,户主姓名\nX1,张三\n"
    assert decode_csv(text.encode("gbk")) == text
    assert decode_csv(text.encode("utf-8-sig")) == text
    assert decode_csv(text.encode("utf-8")) == text


def test_parse_extra_member_rows_with_title_row(tmp_path: Path) -> None:
    roster = read(write_xlsx(tmp_path / "名单.xlsx", FAMILY_ROWS))
    assert roster.problems == []
    zhang, li = roster.households
    assert (zhang.row, zhang.number, zhang.household_type) == (
        3,
        "X001",
        HouseholdType.POVERTY_EXITED,
    )
    assert [(p.name, p.relation, p.is_head) for p in zhang.people] == [
        ("张三", "户主", True),
        ("王芳", "配偶", False),
        ("张小明", "子", False),
    ]
    assert zhang.people[0].birth_date == date(1956, 3, 2)
    assert zhang.phone == "+8613812345678"
    # The 李四 row restates the head as a member: folded into the head, not a second person.
    assert [p.name for p in li.people] == ["李四", "李小花"]
    assert li.phone == "+8613900001111"
    assert li.size is None


def test_parse_member_sheet(tmp_path: Path) -> None:
    rows: list[Cells] = [
        ["X001", "张三", ZHANG, "13812345678", "幸福村", "一组", 3, "脱贫户"],
        ["X002", "李四", LI, None, "幸福村", "二组", 2, "一般户"],
    ]
    members: list[Cells] = [
        ["X001", "张三", "户主", ZHANG, None],
        ["X001", "王芳", "配偶", ZHANG_WIFE, "13700001111"],
        [None, "张小明", "子", ZHANG_SON, None],  # merged 户编号 cell
        ["X002", "李小花", "女", LI_DAUGHTER, None],
    ]
    path = write_xlsx(tmp_path / "名单.xlsx", rows, header=MAIN_HEADER, members=members)
    roster = read(path)
    assert roster.problems == []
    zhang, li = roster.households
    assert [p.name for p in zhang.people] == ["张三", "王芳", "张小明"]
    assert zhang.people[1].phone == "+8613700001111"
    assert zhang.people[1].sheet == "成员" and zhang.people[1].row == 3
    assert [p.name for p in li.people] == ["李四", "李小花"]


def test_parse_reports_every_problem_with_excel_row(tmp_path: Path) -> None:
    rows: list[Cells] = [
        ["X001", "张三", ZHANG, "13812345678", "幸福村", "一组", 3, "脱贫户", None, None, None],
        [None, "无编号", None, None, "幸福村", None, None, None, None, None, None],  # row 4
        [
            "X003",
            "王五",
            bad_checksum(LI),
            "12345",
            "幸福村",
            None,
            "三",
            "贫困户",
            None,
            None,
            None,
        ],
        ["X001", "张三", None, None, "幸福村", None, None, None, None, None, None],  # row 6
        ["X004", None, None, None, "幸福村", None, None, None, None, None, None],  # row 7
        [None, None, None, None, None, None, None, None, "某某", "子", id_card("20300101")],
        ["X009", None, None, None, None, None, None, None, "孤儿行", "子", None],  # row 9
    ]
    roster = read(write_xlsx(tmp_path / "bad.xlsx", rows))
    found = {(p.row, p.code) for p in roster.problems}
    assert found == {
        (4, "roster_missing_number"),
        (5, "roster_id_card_checksum"),
        (5, "roster_bad_phone"),
        (5, "roster_bad_size"),
        (5, "roster_bad_type"),
        (6, "roster_duplicate_number"),
        (7, "roster_missing_head"),
        (8, "roster_id_card_birth"),
        (9, "roster_unknown_household"),
    }
    reasons = " ".join(p.reason() for p in roster.problems)
    assert "第 3 行" in reasons and "校验位" in reasons
    # Numbers appear masked only.
    assert bad_checksum(LI) not in reasons and "12345" not in reasons
    assert "4101**********" in reasons


def test_people_listed_twice_or_a_second_head(tmp_path: Path) -> None:
    rows: list[Cells] = [
        ["X001", "张三", ZHANG, None, "幸福村", None, None, None, "王芳", "配偶", ZHANG_WIFE],
        [None, None, None, None, None, None, None, None, "王芳", "配偶", ZHANG_WIFE],  # row 4
        [None, None, None, None, None, None, None, None, "李四", "户主", None],  # row 5
    ]
    roster = read(write_xlsx(tmp_path / "twice.xlsx", rows))
    assert [(p.row, p.code) for p in roster.problems] == [
        (4, "roster_duplicate_member"),
        (5, "roster_head_mismatch"),
    ]
    # Only the bad person rows are left out: the head's row is fine.
    assert not roster.households[0].bad
    assert [m.row for m in roster.households[0].skipped] == [4, 5]
    assert [p.name for p in roster.households[0].people] == ["张三", "王芳"]
    assert "第 3 行" in roster.problems[0].reason()
    assert "Same person as row 3" in roster.problems[0].reason("en")


def test_csv_title_row_and_text_tricks(tmp_path: Path) -> None:
    """Excel users keep IDs as text with ="…" or a leading apostrophe."""
    path = tmp_path / "名单.csv"
    lines = [
        "幸福村花名册,,,",
        "户编号,户主姓名,身份证号,联系电话",
        f'X001,张三,"=""{ZHANG}""",\'13812345678',
    ]
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    roster = read(path)
    assert roster.problems == []
    (zhang,) = roster.households
    assert (zhang.row, zhang.id_card, zhang.phone) == (3, ZHANG, "+8613812345678")


def test_member_row_before_any_household(tmp_path: Path) -> None:
    rows = [[None, None, None, None, None, None, None, None, "无主", "子", None]]
    roster = read(write_xlsx(tmp_path / "orphan.xlsx", rows, title=None))
    assert [(p.row, p.code) for p in roster.problems] == [(2, "roster_orphan_member")]


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(DomainError) as missing:
        read(tmp_path / "none.xlsx")
    assert "找不到文件" in missing.value.message
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DomainError) as unsupported:
        read(old)
    assert "不支持" in unsupported.value.message
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(DomainError) as unreadable:
        read(broken)
    assert unreadable.value.code == "roster_file_unreadable"
    headless = write_xlsx(tmp_path / "headless.xlsx", [["a", "b"]], header=["姓名", "电话"])
    with pytest.raises(DomainError) as no_header:
        read(headless)
    assert "户编号" in no_header.value.message


# ---------------------------------------------------------------- importing


async def test_import_extra_rows_layout(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    ticks: list[tuple[int, int]] = []
    report = await run_import(
        db,
        write_xlsx(tmp_path / "名单.xlsx", FAMILY_ROWS),
        progress=lambda d, t: ticks.append((d, t)),
    )
    assert (report.households_created, report.members_total, report.problems) == (2, 5, [])
    assert ticks[-1] == (2, 2)
    async with db.session() as session:
        zhang = await session.scalar(select(Household).where(Household.number == "X001"))
        assert zhang is not None
        assert (zhang.head_name, zhang.id_card, zhang.phone) == ("张三", ZHANG, "+8613812345678")
        assert (zhang.group_name, zhang.size, zhang.household_type) == ("一组", 3, "poverty_exited")
        people = await members_of(session, "X001")
        assert people["张三"].is_head and people["张三"].relation == "户主"
        assert people["张三"].birth_date == date(1956, 3, 2)
        assert people["王芳"].relation == "配偶" and not people["王芳"].is_head
        assert people["张小明"].birth_date == date(1985, 11, 20)
        li = await session.scalar(select(Household).where(Household.number == "X002"))
        assert li is not None and li.size == 2 and li.household_type == "monitored"
        assert set(await members_of(session, "X002")) == {"李四", "李小花"}


async def test_import_member_sheet_layout(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    rows = [["X001", "张三", ZHANG, "13812345678", None, "一组", 3, "脱贫户"]]
    members: list[Cells] = [
        ["X001", "王芳", "配偶", ZHANG_WIFE, None],
        [None, "张小明", "子", ZHANG_SON, "13700001111"],
    ]
    path = write_xlsx(
        tmp_path / "名单.xlsx", rows, header=MAIN_HEADER, members=members, member_sheet="家庭成员"
    )
    report = await run_import(db, path)
    assert (report.households_created, report.members_created) == (1, 3)
    async with db.session() as session:
        people = await members_of(session, "X001")
        assert set(people) == {"张三", "王芳", "张小明"}
        assert people["张小明"].phone == "+8613700001111"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
async def test_import_csv(db: Database, tmp_path: Path, encoding: str) -> None:
    await make_villages(db)
    path = write_csv(tmp_path / "名单.csv", FAMILY_ROWS, encoding)
    report = await run_import(db, path)
    assert (report.households_created, report.members_total, report.problems) == (2, 5, [])
    async with db.session() as session:
        assert set(await members_of(session, "X001")) == {"张三", "王芳", "张小明"}


async def test_bad_rows_stop_the_import_or_are_skipped(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    rows: list[Cells] = [
        *FAMILY_ROWS,  # rows 3-7: good
        [None, "缺编号", None, None, "幸福村", None, None, None, None, None, None],  # 8
        ["X010", "错电话", None, "1381234", "幸福村", None, None, None, None, None, None],  # 9
        ["X011", "错身份证", bad_checksum(LI), None, "幸福村", None, None, None, None, None, None],
        ["X012", "外村人", None, None, "幸运村", None, None, None, None, None, None],  # 11
        ["X013", "好户", None, None, "幸福村", None, None, None, "好成员", "子", None],  # 12
        [None, None, None, None, None, None, None, None, "坏成员", "子", "110"],  # 13
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    report = await run_import(db, path, village=None)
    assert report.stopped
    assert [(p.row, p.number, p.code) for p in report.problems] == [
        (8, "", "roster_missing_number"),
        (9, "X010", "roster_bad_phone"),
        (10, "X011", "roster_id_card_checksum"),
        (11, "X012", "roster_unknown_village"),
        (13, "X013", "roster_id_card_length"),
    ]
    async with db.session() as session:
        assert await count(session, Household) == 0
        assert await count(session, Member) == 0

    report = await run_import(db, path, village=None, skip_bad=True)
    assert report.written and not report.stopped
    # A bad member row drops that person only; X013's head and 好成员 are imported.
    assert (report.households_created, report.households_skipped) == (3, 4)
    assert report.skipped_households == [(None, 8), (None, 9), (None, 10), (None, 11)]
    assert report.skipped_people == [(None, 13)]
    async with db.session() as session:
        numbers = set(await session.scalars(select(Household.number)))
        assert numbers == {"X001", "X002", "X013"}
        assert set(await members_of(session, "X013")) == {"好户", "好成员"}


async def test_village_option_and_number_of_another_village(db: Database, tmp_path: Path) -> None:
    await make_villages(db, "幸福村", "幸运村")
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [["Y001", "赵六", None, None, "幸运村", None, None, None, None, None, None]],
    )
    assert (await run_import(db, path, village=None)).households_created == 1
    rows: list[Cells] = [
        ["Y001", "赵六", None, None, None, None, None, None, None, None, None],
        ["Y002", "钱七", None, None, "幸运村", None, None, None, None, None, None],
    ]
    report = await run_import(db, write_xlsx(tmp_path / "b.xlsx", rows), village="幸福村")
    assert [(p.row, p.code) for p in report.problems] == [
        (3, "roster_number_taken"),
        (4, "roster_village_mismatch"),
    ]
    assert "幸运村" in report.problems[0].reason()
    headless = write_xlsx(tmp_path / "c.xlsx", [["Z1", "孙八"]], header=["户编号", "户主姓名"])
    with pytest.raises(DomainError) as caught:
        await run_import(db, headless, village=None)
    assert caught.value.code == "roster_village_needed"
    assert (await run_import(db, headless, village="幸福村")).households_created == 1


async def test_reimport_updates_and_never_duplicates(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    await run_import(db, write_xlsx(tmp_path / "v1.xlsx", FAMILY_ROWS))
    again = await run_import(db, write_xlsx(tmp_path / "v1b.xlsx", FAMILY_ROWS))
    assert (again.households_created, again.households_updated, again.households_unchanged) == (
        0,
        0,
        2,
    )
    changed: list[Cells] = [
        # new phone, new type; 王芳 left; 张小明's name corrected (matched by ID card)
        ["X001", "张三", ZHANG, "13911112222", "幸福村", "一组", 2, "一般户", None, None, None],
        [None, None, None, None, None, None, None, None, "张晓明", "子", ZHANG_SON],
        # the 联系电话 cell is now empty; a new member without an ID card
        ["X002", "李四", LI, None, "幸福村", "二组", None, "监测户", None, None, None],
        [None, None, None, None, None, None, None, None, "李小花", "女", LI_DAUGHTER],
        [None, None, None, None, None, None, None, None, "李老汉", "父", None],
    ]
    report = await run_import(db, write_xlsx(tmp_path / "v2.xlsx", changed))
    assert (report.households_created, report.households_updated) == (0, 2)
    assert (report.members_created, report.members_deactivated) == (1, 1)
    async with db.session() as session:
        assert await count(session, Household) == 2
        assert await count(session, Member) == 6
        zhang = await session.scalar(select(Household).where(Household.number == "X001"))
        assert zhang is not None
        assert (zhang.phone, zhang.household_type, zhang.size) == ("+8613911112222", "ordinary", 2)
        people = await members_of(session, "X001")
        assert not people["王芳"].active
        assert people["张晓明"].active and people["张晓明"].id_card == ZHANG_SON
        li = await members_of(session, "X002")
        assert li["李小花"].active and li["李老汉"].active
        assert li["李四"].phone is None  # the 联系电话 column is there and empty
    # 李老汉 gets his ID card: found by name, not added again.
    father = id_card("19450101", "013")
    changed[4] = [None, None, None, None, None, None, None, None, "李老汉", "父", father]
    report = await run_import(db, write_xlsx(tmp_path / "v3.xlsx", changed))
    assert (report.members_created, report.members_updated) == (0, 1)
    async with db.session() as session:
        assert await count(session, Member) == 6
        assert (await members_of(session, "X002"))["李老汉"].birth_date == date(1945, 1, 1)


async def test_heads_only_file_keeps_members_and_unlisted_columns(
    db: Database, tmp_path: Path
) -> None:
    await make_villages(db)
    await run_import(db, write_xlsx(tmp_path / "full.xlsx", FAMILY_ROWS))
    heads = write_xlsx(
        tmp_path / "heads.xlsx", [["X001", "张三", "三组"]], header=["户编号", "户主姓名", "组"]
    )
    report = await run_import(db, heads)
    assert report.households_updated == 1 and report.members_deactivated == 0
    async with db.session() as session:
        zhang = await session.scalar(select(Household).where(Household.number == "X001"))
        assert zhang is not None
        assert (zhang.group_name, zhang.phone, zhang.size) == ("三组", "+8613812345678", 3)
        people = await members_of(session, "X001")
        assert all(m.active for m in people.values()) and len(people) == 3


async def test_new_head_of_household(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    await run_import(db, write_xlsx(tmp_path / "v1.xlsx", FAMILY_ROWS))
    rows: list[Cells] = [
        ["X001", "王芳", ZHANG_WIFE, None, "幸福村", "一组", 2, "脱贫户", None, None, None],
        [None, None, None, None, None, None, None, None, "张小明", "子", ZHANG_SON],
    ]
    await run_import(db, write_xlsx(tmp_path / "v2.xlsx", rows))
    async with db.session() as session:
        people = await members_of(session, "X001")
        assert people["王芳"].is_head and people["王芳"].relation == "户主"
        assert not people["张三"].is_head and not people["张三"].active


async def test_large_roster_in_batches(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    total = roster_module.BATCH * 2 + 7
    rows: list[Cells] = []
    for i in range(total):
        rows.append([f"B{i:05d}", f"户主{i}", None, None, None, None, None, None, None, None, None])
        rows.append([None, None, None, None, None, None, None, None, f"成员{i}", "子", None])
    path = write_csv(tmp_path / "big.csv", rows, "utf-8")
    ticks: list[tuple[int, int]] = []
    report = await run_import(db, path, progress=lambda d, t: ticks.append((d, t)))
    assert report.households_created == total and report.members_created == 2 * total
    assert ticks == [(0, total), (500, total), (1000, total), (total, total)]
    rows[1] = [None, None, None, None, None, None, None, None, "新成员", "子", None]
    report = await run_import(db, write_csv(tmp_path / "big2.csv", rows, "utf-8"))
    assert (report.households_updated, report.households_unchanged) == (1, total - 1)
    async with db.session() as session:
        assert await count(session, Household) == total
        assert await count(session, Member) == 2 * total + 1


async def test_committee_of_another_village_may_not_import(db: Database, tmp_path: Path) -> None:
    await make_villages(db, "幸福村", "幸运村")
    async with db.transaction() as session:
        other = await add_staff(session, None, "外村文书", "committee")
    path = write_xlsx(tmp_path / "a.xlsx", FAMILY_ROWS)
    with pytest.raises(Forbidden):
        await run_import(db, path, actor=other)


# ---------------------------------------------------------------- 慢性病


def with_chronic(rows: Sequence[Cells], *values: object) -> list[Cells]:
    """``rows`` with a 慢性病 cell appended to each."""
    return [[*row, value] for row, value in zip(rows, values, strict=True)]


CHRONIC_HEADER = (*MAIN_HEADER, *MEMBER_HEADER, "慢性病")


def test_chronic_values() -> None:
    for value in ("是", "有", "1", "Y", "y", "Ｙ", "yes", "√", "✓", " 是 ", "True"):
        assert check_chronic(value) is True, value
    for value in ("否", "无", "0", "N", "no", "×", "False"):
        assert check_chronic(value) is False, value
    for value in ("2", "可能", "高血压"):
        with pytest.raises(Exception, match="roster_bad_chronic"):
            check_chronic(value)


def test_parse_chronic_column_belongs_to_the_row_s_person(tmp_path: Path) -> None:
    rows = with_chronic(
        [
            *FAMILY_ROWS,
            # a head and another member on one row: the cell is the member's
            ["X003", "王五", None, None, "幸福村", None, None, None, "王小五", "子", None],
        ],
        "是",  # 张三 (his row names no member)
        None,  # 王芳: blank is 否
        "√",  # 张小明
        "否",  # 李四, restated as a member on his own row
        "Y",  # 李小花
        "有",  # 王小五
    )
    header = (*MAIN_HEADER, *MEMBER_HEADER, "是否慢性病")
    roster = read(write_xlsx(tmp_path / "名单.xlsx", rows, header=header))
    assert roster.problems == []
    people = {p.name: p.chronic_illness for h in roster.households for p in h.people}
    assert people == {
        "张三": True,
        "王芳": False,
        "张小明": True,
        "李四": False,
        "李小花": True,
        "王五": None,  # the row's cell was 王小五's: nothing said about 王五
        "王小五": True,
    }
    # Without the column nothing is said about anybody.
    plain = read(write_xlsx(tmp_path / "plain.xlsx", FAMILY_ROWS))
    assert {p.chronic_illness for h in plain.households for p in h.people} == {None}


def test_bad_chronic_values_are_row_problems(tmp_path: Path) -> None:
    rows = with_chronic(FAMILY_ROWS, "是", "可能", None, "否", None)
    roster = read(write_xlsx(tmp_path / "bad.xlsx", rows, header=CHRONIC_HEADER))
    assert [(p.row, p.number, p.code) for p in roster.problems] == [
        (4, "X001", "roster_bad_chronic")
    ]
    assert roster.problems[0].reason() == (
        "慢性病“可能”无效，应填 是 或 否（也可填 1/0、Y/N、√、有/无；空白为否）"
    )
    # Row 4 is 王芳's (a member): only she is left out with --skip-bad.
    assert not roster.households[0].bad and not roster.households[1].bad
    assert [m.name for m in roster.households[0].skipped] == ["王芳"]

    main: list[Cells] = [["X001", "张三", ZHANG, None, "幸福村", None, None, None]]
    members: list[Cells] = [
        ["X001", "王芳", "配偶", ZHANG_WIFE, None, "是"],
        [None, "张小明", "子", ZHANG_SON, None, "2"],
    ]
    path = write_xlsx(
        tmp_path / "sheet.xlsx",
        main,
        header=MAIN_HEADER,
        members=members,
        member_header=(*MEMBER_SHEET_HEADER, "慢性病患者"),
    )
    roster = read(path)
    assert [(p.sheet, p.row, p.code) for p in roster.problems] == [
        ("成员", 3, "roster_bad_chronic")
    ]
    assert "“2”" in roster.problems[0].reason()


async def test_import_chronic_column_and_reimport(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    v1 = with_chronic(FAMILY_ROWS, "是", None, "否", "1", None)
    report = await run_import(db, write_xlsx(tmp_path / "v1.xlsx", v1, header=CHRONIC_HEADER))
    assert (report.households_created, report.members_total, report.problems) == (2, 5, [])
    async with db.session() as session:
        zhang = await members_of(session, "X001")
        li = await members_of(session, "X002")
    flags = {n: m.chronic_illness for n, m in (zhang | li).items()}
    assert flags == {"张三": True, "王芳": False, "张小明": False, "李四": True, "李小花": False}

    # 张三's cell emptied (否), 王芳 now 是: both updated, 李四's household unchanged.
    v2 = with_chronic(FAMILY_ROWS, None, "是", "否", "1", None)
    report = await run_import(db, write_xlsx(tmp_path / "v2.xlsx", v2, header=CHRONIC_HEADER))
    assert (report.households_updated, report.households_unchanged) == (1, 1)
    assert (report.members_updated, report.members_created) == (2, 0)
    async with db.session() as session:
        zhang = await members_of(session, "X001")
        assert (zhang["张三"].chronic_illness, zhang["王芳"].chronic_illness) == (False, True)

    # A file without the column leaves the flags alone.
    report = await run_import(db, write_xlsx(tmp_path / "v3.xlsx", FAMILY_ROWS))
    assert report.households_unchanged == 2 and report.members_updated == 0
    # A file of heads with the column: the heads change, the members stay listed.
    heads = write_xlsx(
        tmp_path / "heads.xlsx",
        [["X001", "张三", "√"], ["X002", "李四", None]],
        header=["户编号", "户主姓名", "慢病"],
    )
    report = await run_import(db, heads)
    assert (report.members_updated, report.members_deactivated) == (2, 0)
    async with db.session() as session:
        zhang = await members_of(session, "X001")
        li = await members_of(session, "X002")
    state = {n: (m.chronic_illness, m.active) for n, m in (zhang | li).items()}
    assert state == {
        "张三": (True, True),
        "王芳": (True, True),
        "张小明": (False, True),
        "李四": (False, True),
        "李小花": (False, True),
    }


async def test_import_chronic_on_member_sheet(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    main: list[Cells] = [["X001", "张三", ZHANG, None, "幸福村", None, None, None, "是"]]
    members: list[Cells] = [
        ["X001", "王芳", "配偶", ZHANG_WIFE, None, "是"],
        [None, "张小明", "子", ZHANG_SON, None, None],
    ]
    member_header = (*MEMBER_SHEET_HEADER, "是否慢性病")
    path = write_xlsx(
        tmp_path / "v1.xlsx",
        main,
        header=(*MAIN_HEADER, "慢性病"),
        members=members,
        member_header=member_header,
    )
    assert (await run_import(db, path)).problems == []
    async with db.session() as session:
        people = await members_of(session, "X001")
    assert {n: m.chronic_illness for n, m in people.items()} == {
        "张三": True,
        "王芳": True,
        "张小明": False,
    }
    # The main sheet without the column: the head keeps his flag; the 成员 sheet
    # (the head restated on it with 否) decides for everyone it lists.
    restated: list[Cells] = [["X001", "张三", "户主", ZHANG, None, "否"], *members]
    path = write_xlsx(
        tmp_path / "v2.xlsx",
        [row[:8] for row in main],
        header=MAIN_HEADER,
        members=restated,
        member_header=member_header,
    )
    report = await run_import(db, path)
    assert report.members_updated == 1
    async with db.session() as session:
        people = await members_of(session, "X001")
    assert {n: m.chronic_illness for n, m in people.items()} == {
        "张三": False,
        "王芳": True,
        "张小明": False,
    }
    path = write_xlsx(
        tmp_path / "v3.xlsx",
        [["X001", "张三", ZHANG, None, "幸福村", None, None, None, "是"]],
        header=(*MAIN_HEADER, "慢性病"),
        members=[row[:5] for row in members],
    )
    report = await run_import(db, path)
    assert report.members_updated == 1
    async with db.session() as session:
        people = await members_of(session, "X001")
    assert {n: m.chronic_illness for n, m in people.items()} == {
        "张三": True,
        "王芳": True,  # the 成员 sheet has no 慢性病 column now: kept
        "张小明": False,
    }


async def test_set_chronic_illness(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    twin = id_card("19900101", "071")
    rows: list[Cells] = [
        *FAMILY_ROWS[:3],
        [None, None, None, None, None, None, None, None, "张小明", "孙", twin],  # a namesake
        *FAMILY_ROWS[3:],
    ]
    await run_import(db, write_xlsx(tmp_path / "名单.xlsx", rows))
    async with db.transaction() as session:
        village = await get_village(session, "幸福村")
        clerk = await add_staff(session, village, "周主任", "committee")
        shop = await add_staff(session, village, "吴店主", "shopkeeper")
        household, member, changed = await set_chronic_illness(
            session, village, clerk, "X001", "王芳", True
        )
        assert (household.number, member.name, member.chronic_illness, changed) == (
            "X001",
            "王芳",
            True,
            True,
        )
        again = await set_chronic_illness(session, village, clerk, "X001", "王芳", True)
        assert again[2] is False
        with pytest.raises(Forbidden):
            await set_chronic_illness(session, village, shop, "X001", "王芳", False)
        with pytest.raises(DomainError) as ambiguous:
            await set_chronic_illness(session, village, clerk, "X001", "张小明", True)
        assert ambiguous.value.code == "roster_member_ambiguous"
        _, grandson, _ = await set_chronic_illness(
            session, village, clerk, "X001", twin.lower(), True
        )
        assert grandson.id_card == twin and grandson.relation == "孙"
        with pytest.raises(DomainError) as missing:
            await set_chronic_illness(session, village, clerk, "X001", bad_checksum(LI), True)
        assert missing.value.code == "roster_member_not_found"
        assert bad_checksum(LI) not in missing.value.message
    async with db.session() as session:
        people = await members_of(session, "X001")
        assert people["王芳"].chronic_illness and not people["张三"].chronic_illness
