"""Importing 帮扶责任人 assignments from .xlsx / .csv: new helpers, plans, all-or-nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import col, select

from care.helper_import import HelperImportReport, import_helpers, read_helper_list
from care.models import HelperAssignment
from care.visits import assign_helper
from core.db import Database
from core.errors import DomainError, Forbidden
from tests.factories import Town, make_town
from village.models import Household, StaffMember
from village.registry import add_staff

NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
HEADER = ("户编号", "帮扶责任人", "帮扶责任人电话", "走访周期（天）")
Cells = Sequence[object]


def write_xlsx(path: Path, rows: Sequence[Cells], header: Cells = HEADER) -> Path:
    """Like the township's sheet: a title row above the header, numbers typed as numbers."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["幸福村帮扶责任人名单"])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Cells], header: Cells = HEADER) -> Path:
    lines = [",".join(str(v) for v in header)]
    lines += [",".join("" if v is None else str(v) for v in row) for row in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))  # Excel's CSV in China
    return path


async def _assignments(db: Database) -> dict[str, tuple[str, int | None]]:
    """户编号 → (helper's name, plan)."""
    async with db.session() as s:
        rows = await s.execute(
            select(Household.number, StaffMember.name, HelperAssignment.every_days)
            .join(HelperAssignment, col(HelperAssignment.household_id) == col(Household.id))
            .join(StaffMember, col(StaffMember.id) == col(HelperAssignment.helper_id))
        )
        return {number: (name, every) for number, name, every in rows}


async def _import(
    db: Database, town: Town, path: Path, actor: StaffMember | None = None
) -> HelperImportReport:
    parsed = read_helper_list(path)
    async with db.transaction() as s:
        return await import_helpers(s, actor or town.director, town.village, parsed, now=NOW)


async def test_an_xlsx_creates_helpers_assigns_and_sets_plans(db: Database, tmp_path: Path) -> None:
    town = await make_town(db, households=4)
    n = [h.number for h in town.households]
    async with db.transaction() as s:
        known = await add_staff(s, town.village, "王帮扶", "helper")
        await assign_helper(s, town.director, town.village, known, [town.households[3]], now=NOW)
    path = write_xlsx(
        tmp_path / "帮扶.xlsx",
        [
            (n[0], "张帮扶", 13812345678, 15),
            (n[1], "张帮扶", "138 1234 5678", None),
            (None, None, None, None),  # an empty row is skipped
            (n[2], "王帮扶", "13900001111", "30天"),
            (n[3], "王帮扶", None, None),  # already his: unchanged
        ],
    )
    report = await _import(db, town, path)
    assert report.written and not report.problems
    assert (report.rows, report.assigned, report.unchanged, report.plans) == (4, 3, 1, 2)
    assert report.helpers_created == ["张帮扶"]
    assert await _assignments(db) == {
        n[0]: ("张帮扶", 15),
        n[1]: ("张帮扶", None),
        n[2]: ("王帮扶", 30),
        n[3]: ("王帮扶", None),
    }
    async with db.session() as s:
        helpers = {
            h.name: (h.role, h.phone, h.village_id)
            for h in await s.scalars(select(StaffMember).where(StaffMember.role == "helper"))
        }
    assert helpers == {
        "张帮扶": ("helper", "+8613812345678", town.village.id),  # normalised like the roster
        "王帮扶": ("helper", "+8613900001111", town.village.id),  # had none: filled in
    }

    again = await _import(db, town, path)  # importing the same file again changes nothing
    assert (again.assigned, again.unchanged, again.plans, again.helpers_created) == (0, 4, 0, [])


async def test_one_bad_row_stops_the_import_and_every_problem_is_listed(
    db: Database, tmp_path: Path
) -> None:
    town = await make_town(db, households=4)
    other = await make_town(db, households=1, name="光明村")
    n = [h.number for h in town.households]
    async with db.transaction() as s:
        former = await add_staff(s, town.village, "钱帮扶", "helper")
        former.active = False
    path = write_csv(
        tmp_path / "帮扶.csv",
        [
            (n[0], "张帮扶", "13812345678", "15"),  # fine
            ("X999", "张帮扶", "", ""),  # no such household
            (other.households[0].number, "张帮扶", "", ""),  # another village's
            (n[1], "", "", "5"),  # no helper; plan too short
            (n[0], "李帮扶", "12345", ""),  # number again; bad phone
            (n[2], town.director.name, "", ""),  # a committee member
            ("", "钱帮扶", "", "两周"),  # no number; inactive helper; bad plan
            (n[3], "张帮扶", "13900001111", ""),  # 张's phone differs from row 2's
        ],
    )
    parsed = read_helper_list(path)
    async with db.transaction() as s:
        report = await import_helpers(s, town.director, town.village, parsed, now=NOW)
    assert report.stopped and not report.written
    found = [(p.row, p.number, p.reason()) for p in report.problems]
    assert found == [
        (3, "X999", "幸福村没有户编号为 X999 的农户"),
        (4, other.households[0].number, f"幸福村没有户编号为 {other.households[0].number} 的农户"),
        (5, n[1], "缺少帮扶责任人姓名"),
        (5, n[1], "走访周期“5”无效，应为 7–365 之间的整数天"),
        (6, n[0], "户编号与第 2 行重复"),
        (6, n[0], "帮扶责任人电话 ***** 不是有效的电话号码"),  # masked, like every phone
        (7, n[2], f"{town.director.name}是本村的村两委，不是帮扶责任人"),
        (8, "", "缺少户编号"),
        (8, "", "走访周期“两周”无效，应为 7–365 之间的整数天"),
        (8, "", "钱帮扶已不在册（停用），请先恢复或换人"),
        (9, n[3], "张帮扶的电话与第 2 行不同"),
    ]
    assert await _assignments(db) == {}
    async with db.session() as s:
        names = set(await s.scalars(select(StaffMember.name)))
    assert "张帮扶" not in names and "李帮扶" not in names  # nobody created either


async def test_only_the_committee_imports_and_the_file_needs_its_columns(
    db: Database, tmp_path: Path
) -> None:
    town = await make_town(db, households=1)
    path = write_csv(tmp_path / "a.csv", [(town.households[0].number, "张帮扶", "", "")])
    with pytest.raises(Forbidden):
        await _import(db, town, path, actor=town.shopkeeper)
    no_helper = write_csv(tmp_path / "b.csv", [("X1", "x")], header=("户编号", "备注"))
    with pytest.raises(DomainError, match="没有“帮扶责任人”列"):
        read_helper_list(no_helper)
    with pytest.raises(DomainError, match="找不到含“户编号”的表头行"):
        read_helper_list(write_csv(tmp_path / "c.csv", [("张帮扶",)], header=("帮扶责任人",)))
    with pytest.raises(DomainError, match="没有任何分配"):
        await _import(db, town, write_csv(tmp_path / "d.csv", []))
    text_file = tmp_path / "e.txt"
    text_file.write_text("户编号,帮扶责任人\n", encoding="utf-8")
    with pytest.raises(DomainError, match="不支持的文件类型"):
        read_helper_list(text_file)
