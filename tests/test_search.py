"""Household search: 户编号, part of the head's name, 拼音首字母; one village only."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from core.db import Database
from core.errors import DomainError
from tests.factories import add_household
from tests.test_roster import FAMILY_ROWS, make_villages, run_import, write_csv
from village.models import Household, Village
from village.pinyin import initials
from village.registry import create_village
from village.search import search_households


def test_initials() -> None:
    assert initials("张三丰") == "zsf"
    assert initials("李四") == "ls"
    assert initials("王A五") == "ww"  # not Chinese: left out, as the migration did
    assert initials("") == ""
    assert len(initials("张" * 100)) == 64


async def _seed(db: Database) -> tuple[Village, Village]:
    async with db.transaction() as s:
        village = await create_village(s, "幸福村")
        other = await create_village(s, "光明村")
        for number, name in (
            ("X001", "张三丰"),
            ("X002", "张三"),
            ("X003", "李四"),
            ("X012", "王张氏"),
            ("A_1", "赵六"),
            ("A21", "钱七"),
            ("001", "孙八"),
        ):
            await add_household(s, village, number, name)
        await add_household(s, other, "G001", "张三丰")
        await add_household(s, other, "G002", "周九")
    return village, other


async def _numbers(db: Database, village: Village, query: str, limit: int = 8) -> list[str]:
    async with db.transaction() as s:
        return [h.number for h in await search_households(s, village, query, limit)]


async def test_by_number(db: Database) -> None:
    village, _ = await _seed(db)
    # the exact number first, then the numbers containing it
    assert await _numbers(db, village, "001") == ["001", "X001"]
    assert await _numbers(db, village, "X01") == ["X012"]
    assert await _numbers(db, village, " x002 ") == ["X002"]  # blanks and case
    assert await _numbers(db, village, "Ｘ００３") == ["X003"]  # full-width digits and letters
    assert await _numbers(db, village, "X0", limit=2) == ["X001", "X002"]


async def test_by_name_part(db: Database) -> None:
    village, _ = await _seed(db)
    # exact name, then names starting with it, then names containing it
    assert await _numbers(db, village, "张三") == ["X002", "X001"]
    assert await _numbers(db, village, "张") == ["X001", "X002", "X012"]
    assert await _numbers(db, village, "三丰") == ["X001"]
    assert await _numbers(db, village, "张氏") == ["X012"]


async def test_by_initials(db: Database) -> None:
    village, _ = await _seed(db)
    assert await _numbers(db, village, "zsf") == ["X001"]
    # exact initials before longer ones; upper case and full-width letters too
    assert await _numbers(db, village, "ZS") == ["X002", "X001"]
    assert await _numbers(db, village, "ｚｓ") == ["X002", "X001"]
    assert await _numbers(db, village, "z s f") == ["X001"]
    assert await _numbers(db, village, "ls") == ["X003"]
    assert await _numbers(db, village, "qq") == ["A21"]  # 钱七
    assert await _numbers(db, village, "xyz") == []


async def test_other_village_never_returned(db: Database) -> None:
    village, other = await _seed(db)
    assert await _numbers(db, village, "G001") == []
    assert await _numbers(db, village, "周九") == []
    assert await _numbers(db, other, "zsf") == ["G001"]
    assert await _numbers(db, other, "X001") == []
    assert await _numbers(db, other, "张三丰") == ["G001"]


async def test_wildcards_are_literal(db: Database) -> None:
    village, _ = await _seed(db)
    assert await _numbers(db, village, "A_1") == ["A_1"]  # not also A21
    assert await _numbers(db, village, "_") == ["A_1"]
    assert await _numbers(db, village, "%") == []
    assert await _numbers(db, village, "A%") == []
    assert await _numbers(db, village, "/") == []  # the escape character itself


async def test_blank_query_refused(db: Database) -> None:
    village, _ = await _seed(db)
    async with db.transaction() as s:
        for blank in ("", "   ", "\u3000"):
            with pytest.raises(DomainError) as refused:
                await search_households(s, village, blank)
            assert refused.value.code == "search_empty"
            assert "户编号" in refused.value.message
        with pytest.raises(DomainError, match="太长"):
            await search_households(s, village, "张" * 65)


async def _initials_by_number(session: AsyncSession) -> dict[str, str]:
    return {h.number: h.initials for h in await session.scalars(select(Household))}


async def test_roster_import_fills_initials(db: Database, tmp_path: Path) -> None:
    await make_villages(db)
    path = write_csv(tmp_path / "名单.csv", FAMILY_ROWS, "utf-8")
    first = await run_import(db, path)
    assert first.households_created == 2
    async with db.transaction() as s:
        assert await _initials_by_number(s) == {"X001": "zs", "X002": "ls"}
        village = await s.scalar(select(Village).where(Village.name == "幸福村"))
        assert village is not None
        assert [h.number for h in await search_households(s, village, "zs")] == ["X001"]

    # the same file again changes nothing; a new head's name changes the initials
    again = await run_import(db, path)
    assert (again.households_updated, again.households_unchanged) == (0, 2)
    renamed = [["X001", "赵六丰", *FAMILY_ROWS[0][2:]], *FAMILY_ROWS[1:]]
    changed = await run_import(db, write_csv(tmp_path / "改.csv", renamed, "utf-8"))
    assert changed.households_updated >= 1
    async with db.transaction() as s:
        assert await _initials_by_number(s) == {"X001": "zlf", "X002": "ls"}


async def test_orm_writes_keep_initials(db: Database) -> None:
    village, _ = await _seed(db)
    async with db.transaction() as s:
        made = Household(village_id=village.id or 0, number="N1", head_name="周星星")
        s.add(made)
        await s.flush()
        assert made.initials == "zxx"
        made.head_name = "吴大"
        await s.flush()
    async with db.transaction() as s:
        assert (await _initials_by_number(s))["N1"] == "wd"
