"""The county's 建档立卡 export (one row per person), --skip-bad by person, 座机, and heads
registered in two villages: what committees met importing a real county file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select
from typer.testing import Result

from core.db import Database
from tests.test_roster import (
    ZHANG,
    bad_checksum,
    id_card,
    make_villages,
    members_of,
    read,
    run_import,
    write_xlsx,
)
from village.models import Household
from village.roster import HEAD_RELATION

Invoke = Callable[..., Result]
Row = list[object]

# The header of the county's export (全国防返贫监测信息系统 style), one row per person.
COUNTY_HEADER = [
    "序号",
    "县（市、区）",
    "乡（镇）",
    "行政村",
    "村民小组",
    "户编号",
    "人编号",
    "户主姓名",
    "姓名",
    "性别",
    "与户主关系",
    "证件号码",
    "人数",
    "联系电话",
    "户类型",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧"
# Relations and birth years of the people after the head, as the export spells them.
FAMILY = [
    ("配偶", "1962"),
    ("之子", "1986"),
    ("儿媳", "1988"),
    ("之孙子", "2012"),
    ("之孙女", "2015"),
    ("之母", "1940"),
]
SIZES = [4, 3, 5, 2, 4, 1, 3, 4, 2, 5, 3, 4, 2, 3, 6, 4, 3, 2, 4, 5, 3, 1, 4, 3, 2, 5, 4, 3, 4, 2]
TYPES = ["脱贫户", "监测户", "一般户"]
SHORT = {"配偶": "偶", "之子": "子", "儿媳": "媳", "之孙子": "孙", "之孙女": "囡", "之母": "母"}


@dataclass
class County:
    """A generated export: its rows and what they hold."""

    rows: list[Row]
    people: int
    first_row: dict[str, int]  # 户编号 → the Excel row of its first person (title row above)


def number_of(index: int) -> str:
    return f"62112200{index:04d}"


def county_rows(households: int = 30, village: str = "幸福村") -> County:
    """30 households, 100 people: 户编号 on every row except two merged households, one
    household whose head is listed after a son, one whose phone is a 座机."""
    rows: list[Row] = []
    first_row: dict[str, int] = {}
    people = 0
    for index in range(households):
        number = number_of(index)
        surname = SURNAMES[index]
        head = f"{surname}建{index:02d}"
        size = SIZES[index]
        phone = "0932-6521234" if index == 7 else f"1389310{index:04d}"
        family: list[tuple[str, str, str, str | None]] = [
            ("户主", head, id_card("19600101", f"{index:02d}1", "621122"), phone)
        ]
        for position, (relation, year) in enumerate(FAMILY[: size - 1], start=2):
            name = f"{surname}{SHORT[relation]}{index:02d}"
            person_id = id_card(f"{year}0{position}0{position}", f"{index:02d}{position}", "621122")
            family.append((relation, name, person_id, None))
        if index == 4:
            family.reverse()  # the head is not always the first row
        first_row[number] = len(rows) + 3
        for position, (relation, name, person_id, person_phone) in enumerate(family):
            merged = index in (10, 11) and position > 0  # 户编号 and 户主姓名 in merged cells
            rows.append(
                [
                    len(rows) + 1,
                    "某某县",
                    "城关镇",
                    village,
                    f"{index % 4 + 1}组",
                    None if merged else number,
                    f"{number}{position + 1:02d}",
                    None if merged else head,
                    name,
                    "男" if position % 2 == 0 else "女",
                    relation,
                    person_id,
                    None if merged else size,
                    person_phone,
                    None if merged else TYPES[index % 3],
                ]
            )
            people += 1
    return County(rows, people, first_row)


def write_county(path: Path, rows: Sequence[Row], header: Sequence[str] = COUNTY_HEADER) -> Path:
    return write_xlsx(path, rows, header=header, title="某某县建档立卡户家庭成员信息表")


def change(county: County, number: str, relation: str, column: str, value: object) -> int:
    """Set a cell of the person of ``relation`` in household ``number``; their Excel row."""
    at = COUNTY_HEADER.index(column)
    start = county.first_row[number] - 3
    for offset, row in enumerate(county.rows[start:], start=start):
        if row[COUNTY_HEADER.index("与户主关系")] == relation:
            row[at] = value
            return offset + 3
    raise AssertionError((number, relation))


# ---------------------------------------------------------------- 1. one row per person


def test_county_export_reads_one_household_per_number(tmp_path: Path) -> None:
    county = county_rows()
    assert county.people == 100
    roster = read(write_county(tmp_path / "县导出.xlsx", county.rows))
    assert roster.problems == []
    assert len(roster.households) == 30
    assert sum(len(h.people) for h in roster.households) == 100
    first = roster.households[0]
    assert (first.number, first.head_name, first.village, first.group_name) == (
        number_of(0),
        "王建00",
        "幸福村",
        "1组",
    )
    assert first.phone == "+8613893100000" and first.size == 4
    assert [(p.name, p.relation, p.is_head) for p in first.people] == [
        ("王建00", HEAD_RELATION, True),
        ("王偶00", "配偶", False),
        ("王子00", "之子", False),
        ("王媳00", "儿媳", False),
    ]
    # The head listed after his son is still the head.
    fifth = roster.households[4]
    assert fifth.people[0].name == fifth.head_name == "陈建04"
    assert fifth.people[0].is_head and fifth.row == county.first_row[number_of(4)] + 3
    # Merged 户编号 cells continue the household above.
    assert [len(roster.households[i].people) for i in (10, 11)] == [3, 4]
    assert roster.households[10].household_type is not None


def test_county_csv_without_head_name_column(tmp_path: Path) -> None:
    header = ["户编号", "姓名", "与户主关系", "身份证号码", "手机号码", "家庭人口数"]
    rows: list[Row] = [
        ["A01", "周大山", "户主", ZHANG, "13812345678", 3],
        ["A01", "吴桂兰", "配偶", id_card("19580715", "022"), None, 3],
        ["A01", "周小虎", "之子", id_card("19851120", "031"), "13700001111", 3],
        ["A02", "郑二河", "户主", id_card("19700101", "041"), None, 1],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([list(header), *rows])
    path = tmp_path / "县导出.csv"
    path.write_bytes(buffer.getvalue().encode("gbk"))
    roster = read(path)
    assert roster.problems == []
    zhou, zheng = roster.households
    assert (zhou.head_name, zhou.id_card, zhou.phone) == ("周大山", ZHANG, "+8613812345678")
    assert [p.name for p in zhou.people] == ["周大山", "吴桂兰", "周小虎"]
    assert zhou.people[2].phone == "+8613700001111"
    assert [p.name for p in zheng.people] == ["郑二河"]


def test_county_export_without_a_single_head_row(tmp_path: Path) -> None:
    county = county_rows(3)
    no_head = change(county, number_of(0), "户主", "与户主关系", "之父")
    second_head = change(county, number_of(1), "配偶", "与户主关系", "户主")
    wrong_name = change(county, number_of(2), "户主", "户主姓名", "别人")
    roster = read(write_county(tmp_path / "县导出.xlsx", county.rows))
    assert [(p.row, p.code) for p in roster.problems] == [
        (no_head, "roster_no_head_row"),
        (second_head, "roster_second_head"),
        (wrong_name, "roster_head_mismatch"),
    ]
    assert all(h.bad for h in roster.households)
    assert f"第 {second_head - 1} 行" in roster.problems[1].reason()


async def test_import_county_export(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    path = write_county(tmp_path / "县导出.xlsx", county_rows().rows)
    report = await run_import(db, path, village=None)
    assert report.problems == []
    assert (report.households_created, report.members_total) == (30, 100)
    async with db.session() as session:
        households = list(await session.scalars(select(Household)))
        assert len(households) == 30
        chen = next(h for h in households if h.number == number_of(4))
        assert (chen.head_name, chen.size, chen.household_type) == ("陈建04", 4, "monitored")
        people = await members_of(session, number_of(4))
        assert people["陈建04"].is_head and people["陈建04"].relation == HEAD_RELATION
        assert people["陈媳04"].relation == "儿媳" and not people["陈媳04"].is_head
    again = await run_import(db, path, village=None)
    assert (again.households_created, again.households_unchanged) == (0, 30)


# ---------------------------------------------------------------- 2. --skip-bad by person


def bad_county() -> tuple[County, list[int], list[int]]:
    """30 households; 2 heads' rows and 3 members' rows are bad."""
    county = county_rows()
    heads = [
        change(county, number_of(3), "户主", "证件号码", "62112219600101031"),  # 17 digits
        change(county, number_of(20), "户主", "联系电话", "1381234"),
    ]
    members = [
        change(county, number_of(0), "之子", "证件号码", bad_checksum(id_card("19860303"))),
        change(county, number_of(9), "配偶", "联系电话", "12345"),
        change(county, number_of(14), "之孙子", "证件号码", "19800101"),
    ]
    return county, heads, members


async def test_skip_bad_drops_only_the_bad_person(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    county, heads, members = bad_county()
    path = write_county(tmp_path / "县导出.xlsx", county.rows)
    stopped = await run_import(db, path, village=None)
    assert stopped.stopped and {p.row for p in stopped.problems} == {*heads, *members}

    report = await run_import(db, path, village=None, skip_bad=True)
    assert (report.households_created, report.households_skipped) == (28, 2)
    dropped = 100 - SIZES[3] - SIZES[20]
    assert report.members_total == dropped - 3
    assert report.skipped_households == [(None, r) for r in heads]
    assert report.skipped_people == [(None, r) for r in members]
    async with db.session() as session:
        numbers = set(await session.scalars(select(Household.number)))
        assert number_of(3) not in numbers and number_of(20) not in numbers
        assert set(await members_of(session, number_of(0))) == {"王建00", "王偶00", "王媳00"}
        kept = await session.scalar(select(Household).where(Household.number == number_of(0)))
        assert kept is not None and kept.size == 4


async def test_reimport_with_a_bad_member_row_keeps_that_member(
    db: Database, tmp_path: Path
) -> None:
    await make_villages(db)
    county = county_rows(2)
    await run_import(db, write_county(tmp_path / "a.xlsx", county.rows), village=None)
    change(county, number_of(0), "之子", "联系电话", "12345")
    report = await run_import(
        db, write_county(tmp_path / "b.xlsx", county.rows), village=None, skip_bad=True
    )
    assert report.members_deactivated == 0 and len(report.skipped_people) == 1
    async with db.session() as session:
        assert (await members_of(session, number_of(0)))["王子00"].active


def test_cli_skip_bad_counts_households_and_people(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("village", "add", "幸福村").exit_code == 0
    county, heads, members = bad_county()
    path = write_county(tmp_path / "县导出.xlsx", county.rows)
    stopped = invoke("roster", "import", str(path))
    assert stopped.exit_code == 1 and "没有写入任何数据" in stopped.output
    for row in (*heads, *members):
        assert any(line.strip(" │┃|").startswith(str(row)) for line in stopped.output.splitlines())

    done = invoke("roster", "import", str(path), "--skip-bad")
    assert done.exit_code == 0, done.output
    people = 100 - SIZES[3] - SIZES[20] - 3
    assert f"导入 28 户（{people} 人），跳过 2 户、3 人" in done.output
    assert f"跳过的户：第 {heads[0]}、{heads[1]} 行" in done.output
    assert "跳过的人：第 {}、{}、{} 行".format(*members) in done.output
    assert "共 28 户" in invoke("roster", "list", "-v", "幸福村").output


# ---------------------------------------------------------------- 3. 座机


async def test_landline_is_kept_apart_from_the_mobile(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    county = county_rows(8)
    report = await run_import(db, write_county(tmp_path / "县导出.xlsx", county.rows), village=None)
    assert report.problems == []
    async with db.session() as session:
        house = await session.scalar(select(Household).where(Household.number == number_of(7)))
        assert house is not None
        assert (house.phone, house.landline) == (None, "+869326521234")
        other = await session.scalar(select(Household).where(Household.number == number_of(6)))
        assert other is not None and (other.phone, other.landline) == ("+8613893100006", None)


async def test_landline_column_and_member_landline(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    header = ["户编号", "户主姓名", "联系电话", "固定电话", "成员姓名", "与户主关系", "成员电话"]
    rows: list[Row] = [
        ["L01", "马一", "13812345678", "0932-6521234", None, None, None],
        ["L02", "罗二", None, None, None, None, None],
        [None, None, None, None, "罗小二", "之子", "(0932)652-1235"],
        ["L03", "梁三", "0932-6521236", "0932-6521237", None, None, None],
    ]
    path = write_xlsx(tmp_path / "座机.xlsx", rows, header=header)
    report = await run_import(db, path)
    assert [(p.row, p.code) for p in report.problems] == [(6, "roster_landline_as_phone")]
    assert "是座机，收不到短信；请填手机号" in report.problems[0].reason()
    report = await run_import(db, path, skip_bad=True)
    async with db.session() as session:
        found = {h.number: h for h in await session.scalars(select(Household))}
        assert (found["L01"].phone, found["L01"].landline) == ("+8613812345678", "+869326521234")
        assert (found["L02"].phone, found["L02"].landline) == (None, "+869326521235")
        assert (await members_of(session, "L02"))["罗小二"].phone is None
        assert "L03" not in found


def test_cli_shows_the_landline_masked(invoke: Invoke, tmp_path: Path) -> None:
    assert invoke("village", "add", "幸福村").exit_code == 0
    path = write_county(tmp_path / "县导出.xlsx", county_rows(8).rows)
    assert invoke("roster", "import", str(path)).exit_code == 0
    listed = invoke("roster", "list", "-v", "幸福村").output
    assert "座机 093****1234" in listed and "6521234" not in listed
    shown = invoke("roster", "show", number_of(7)).output
    assert "座机 093****1234" in shown


# ---------------------------------------------------------------- 4. one head, two villages


async def test_head_registered_in_another_village_is_a_warning(
    db: Database, tmp_path: Path
) -> None:
    await make_villages(db, "幸福村", "幸运村")
    first = [["F01", "赵六", ZHANG, None, None, None, None, None, None, None, None]]
    await run_import(db, write_xlsx(tmp_path / "a.xlsx", first), village="幸运村")
    second: list[Row] = [
        ["F02", "赵六", ZHANG, None, None, None, None, None, None, None, None],
        ["F03", "钱七", id_card("19700101", "041"), None, None, None, None, None, None, None, None],
    ]
    report = await run_import(db, write_xlsx(tmp_path / "b.xlsx", second), village="幸福村")
    assert report.problems == [] and report.households_created == 2
    assert [(w.row, w.number, w.code) for w in report.warnings] == [
        (3, "F02", "roster_head_elsewhere")
    ]
    reason = report.warnings[0].reason()
    assert "幸运村" in reason and "F01" in reason and ZHANG[:4] + "*" * 10 in reason
    assert ZHANG not in reason
    # The same village again (a re-import) is no warning.
    again = await run_import(db, write_xlsx(tmp_path / "c.xlsx", second), village="幸福村")
    assert [w.number for w in again.warnings] == ["F02"]
    async with db.session() as session:
        assert len(list(await session.scalars(select(Household)))) == 3


def test_cli_warns_about_a_head_in_two_villages(invoke: Invoke, tmp_path: Path) -> None:
    for name in ("幸福村", "幸运村"):
        assert invoke("village", "add", name).exit_code == 0
    row = ["F01", "赵六", ZHANG, None, None, None, None, None, None, None, None]
    first = invoke("roster", "import", str(write_xlsx(tmp_path / "a.xlsx", [row])), "-v", "幸运村")
    assert first.exit_code == 0, first.output
    row[0] = "F02"
    result = invoke("roster", "import", str(write_xlsx(tmp_path / "b.xlsx", [row])), "-v", "幸福村")
    assert result.exit_code == 0, result.output
    assert "新增 1 户" in result.output and "请核实（共 1 处，不影响导入）" in result.output
    assert "第3行F02：户主身份证号4101**********" in "".join(result.output.split())
    assert "也是幸运村F01户的户主" in "".join(result.output.split())
    assert ZHANG not in result.output
