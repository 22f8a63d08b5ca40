"""``xiangxin helpers …``: assign households, list what is due, log visits."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import Result

from core.db import Database
from tests.conftest import Invoke, invoke_all
from tests.factories import add_household
from village.models import Village
from village.visits import local_today


def flat(result: Result) -> str:
    return result.output.replace("\n", "")


async def _seed(url: str) -> None:
    database = Database(url)
    try:
        async with database.transaction() as s:
            for name, prefix in (("幸福村", "H"), ("光明村", "G")):
                village = await s.scalar(select(Village).where(Village.name == name))
                assert village is not None
                for i, head in enumerate(("张三丰", "李四", "王五"), start=1):
                    await add_household(s, village, f"{prefix}00{i}", head)
    finally:
        await database.dispose()


@pytest.fixture
def town(invoke: Invoke, cli_url: str) -> Invoke:
    invoke_all(
        invoke,
        ("village", "add", "幸福村"),
        ("village", "add", "光明村"),
        ("staff", "add", "李主任", "--role", "committee", "-v", "幸福村"),
        ("staff", "add", "王店主", "--role", "shopkeeper", "-v", "幸福村"),
        ("staff", "add", "张帮扶", "--role", "helper", "-v", "幸福村"),
        ("staff", "add", "赵帮扶", "--role", "helper", "-v", "幸福村"),
    )
    asyncio.run(_seed(cli_url))
    return invoke


def test_assign_list_and_visit(town: Invoke) -> None:
    village = ("-v", "幸福村")
    assigned = town(
        "helpers", "assign", "H001", "H002", *village, "--by", "李主任", "--helper", "张帮扶"
    )
    assert assigned.exit_code == 0, assigned.output
    assert "已将 2 户分配给帮扶责任人张帮扶" in flat(assigned)
    assert "原已由" not in flat(assigned)
    again = town(
        "helpers", "assign", "H001", "H002", *village, "--by", "李主任", "--helper", "张帮扶"
    )
    assert "已将 0 户" in flat(again) and "另有 2 户原已由张帮扶负责" in flat(again)
    refused = town("helpers", "assign", "H003", *village, "--by", "王店主", "--helper", "张帮扶")
    assert refused.exit_code == 1 and "没有权限" in flat(refused)
    elsewhere = town("helpers", "assign", "G001", *village, "--by", "李主任", "--helper", "张帮扶")
    assert elsewhere.exit_code == 1 and "找不到户：G001" in flat(elsewhere)
    not_helper = town("helpers", "assign", "H003", *village, "--by", "李主任", "--helper", "王店主")
    assert not_helper.exit_code == 1 and "不是幸福村在册的帮扶责任人" in flat(not_helper)

    today = local_today()
    listed = town("helpers", "list", *village, "--helper", "张帮扶")
    assert listed.exit_code == 0, listed.output
    out = flat(listed)
    for fragment in (
        "张帮扶负责的农户",
        "H001",
        "张三丰",
        "H002",
        "未走访",
        today.isoformat(),
        "本周",
    ):
        assert fragment in out, fragment
    assert "共 2 户：逾期 0 户，本周应访 2 户" in out
    tomorrow = (today + timedelta(days=1)).isoformat()
    later = town("helpers", "list", *village, "--helper", "张帮扶", "--date", tomorrow)
    assert "逾期" in flat(later) and "共 2 户：逾期 2 户" in flat(later)
    assert "还没有分配农户" in flat(town("helpers", "list", *village, "--helper", "赵帮扶"))

    visited = town(
        "helpers",
        "visit",
        "H001",
        *village,
        "--by",
        "张帮扶",
        "--method",
        "电话",
        "--note",
        "身体好",
    )
    assert visited.exit_code == 0, visited.output
    due = (today + timedelta(days=30)).isoformat()
    assert (
        f"已登记走访：张三丰（H001），{today.isoformat()}，电话，登记人 张帮扶；下次应访 {due}"
        in flat(visited)
    )
    listed = flat(town("helpers", "list", *village, "--helper", "张帮扶"))
    assert f"{today.isoformat()}（电话）" in listed and due in listed
    assert "共 2 户：逾期 0 户，本周应访 1 户" in listed
    # H002 (never visited, due today) comes first
    assert listed.index("H002") < listed.index("H001")

    future = town("helpers", "visit", "H002", *village, "--by", "张帮扶", "--date", tomorrow)
    assert future.exit_code == 1 and "还没到" in flat(future)
    unassigned = town("helpers", "visit", "H003", *village, "--by", "张帮扶")
    assert unassigned.exit_code == 1
    assert "张帮扶不是王五（H003）的帮扶责任人" in flat(unassigned)
    bad_method = town("helpers", "visit", "H002", *village, "--by", "张帮扶", "-m", "写信")
    assert bad_method.exit_code == 1 and "走访方式“写信”无效" in flat(bad_method)
    bad_date = town("helpers", "visit", "H002", *village, "--by", "张帮扶", "--date", "昨天")
    assert bad_date.exit_code == 1 and "日期“昨天”无效" in flat(bad_date)
    by_committee = town(
        "helpers", "visit", "H003", *village, "--by", "李主任", "--date", today.isoformat()
    )
    assert by_committee.exit_code == 0 and "入户" in flat(by_committee)
