"""``xiangxin helpers …``: assign households, list what is due, log visits."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import Result

from care.hardship import record_hardship
from core.clock import local_today
from core.db import Database
from tests.conftest import Invoke, invoke_all
from tests.factories import add_household
from village.models import Household, Village


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
    after = flat(town("helpers", "list", *village, "--helper", "张帮扶"))
    assert f"{today.isoformat()}（电话）" in after and due in after
    assert "共 2 户：逾期 0 户，本周应访 1 户" in after
    # H002 (never visited, due today) comes first
    assert after.index("H002") < after.index("H001")

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


def test_plans_and_festivals(town: Invoke) -> None:
    village = ("-v", "幸福村")
    invoke_all(
        town,
        ("helpers", "assign", "H001", "H002", *village, "--by", "李主任", "--helper", "张帮扶"),
    )
    planned = town("helpers", "plan", "H001", *village, "--by", "李主任", "--every", "15")
    assert planned.exit_code == 0, planned.output
    assert "已将 1 户的走访周期设为每 15 天" in flat(planned)
    listed = flat(town("helpers", "list", *village, "--helper", "张帮扶"))
    assert "每 15 天" in listed and "每 30 天（默认）" in listed
    assert "节日走访：未开启" in listed

    visited = town("helpers", "visit", "H001", *village, "--by", "张帮扶")
    due = (local_today() + timedelta(days=15)).isoformat()
    assert f"下次应访 {due}" in flat(visited)  # by the household's own plan

    reset = town("helpers", "plan", "H001", *village, "--by", "李主任", "--default")
    assert "已将 1 户恢复默认走访周期（每 30 天）" in flat(reset)
    both = town("helpers", "plan", "H001", *village, "--by", "李主任", "--default", "--every", "9")
    assert both.exit_code == 1 and "两者选一" in flat(both)
    short = town("helpers", "plan", "H001", *village, "--by", "李主任", "--every", "3")
    assert short.exit_code == 1 and "应在 7–365 天之间" in flat(short)
    unassigned = town("helpers", "plan", "H003", *village, "--by", "李主任", "--every", "10")
    assert unassigned.exit_code == 1 and "还没有帮扶责任人" in flat(unassigned)
    by_helper = town("helpers", "plan", "H001", *village, "--by", "张帮扶", "--every", "10")
    assert by_helper.exit_code == 1 and "没有权限" in flat(by_helper)

    switched = town(
        "helpers", "festivals", *village, "--by", "李主任", "--on", "中秋", "--on", "春节"
    )
    assert switched.exit_code == 0, switched.output
    assert "幸福村的节日走访：春节、中秋" in flat(switched)
    assert "节日走访：春节、中秋" in flat(town("helpers", "list", *village, "--helper", "张帮扶"))
    assert "春节、中秋" in flat(town("helpers", "festivals", *village, "--by", "李主任"))
    unknown = town("helpers", "festivals", *village, "--by", "李主任", "--on", "端午")
    assert unknown.exit_code == 1 and "没有“端午”这个节日走访" in flat(unknown)
    off = town("helpers", "festivals", *village, "--by", "李主任", "--off")
    assert "幸福村的节日走访：未开启" in flat(off)


async def _hardship(url: str, number: str, words: str) -> None:
    database = Database(url)
    try:
        async with database.transaction() as s:
            household = await s.scalar(select(Household).where(Household.number == number))
            assert household is not None
            await record_hardship(s, household, words, "sms")
    finally:
        await database.dispose()


def test_visit_problems_become_follow_ups_the_committee_closes(town: Invoke, cli_url: str) -> None:
    village = ("-v", "幸福村")
    invoke_all(
        town,
        ("helpers", "assign", "H001", "H002", *village, "--by", "李主任", "--helper", "张帮扶"),
    )
    fine = town("helpers", "visit", "H002", *village, "--by", "张帮扶")
    assert "两不愁三保障：均无问题" in flat(fine)
    assert "没有未处理的待办事项" in flat(town("followups", "list", *village))

    visited = town(
        "helpers",
        "visit",
        "H001",
        *village,
        "--by",
        "张帮扶",
        "--problem",
        "住房安全:屋顶漏雨",
        "-p",
        "饮水",
        "--note",
        "井水浑浊",
    )
    assert visited.exit_code == 0, visited.output
    assert "发现问题 2 项：住房安全（屋顶漏雨）、饮水安全；已转村两委待办" in flat(visited)
    bad = town("helpers", "visit", "H001", *village, "--by", "张帮扶", "--problem", "交通:路坏了")
    assert bad.exit_code == 1 and "没有“交通”这一项" in flat(bad)
    asyncio.run(_hardship(cli_url, "H002", "老伴住院了"))

    listed = town("followups", "list", *village)
    assert listed.exit_code == 0, listed.output
    out = flat(listed)
    assert "幸福村未处理的待办事项（3 项）" in out
    for fragment in (
        "张三丰（H001）",
        "住房安全",
        "屋顶漏雨",
        "饮水安全",
        "井水浑浊",
        "因病",
        "求助",
    ):
        assert fragment in out, fragment
    assert out.index("住房安全") < out.index("饮水安全") < out.index("因病")  # oldest first

    refused = town("followups", "close", "1", *village, "--by", "张帮扶", "--resolution", "修好了")
    assert refused.exit_code == 1 and "没有权限" in flat(refused)
    closed = town("followups", "close", "1", *village, "--by", "李主任", "-r", "已申请危房改造")
    assert closed.exit_code == 0, closed.output
    assert "已处理待办 #1：张三丰（H001）住房安全；处理结果：已申请危房改造（李主任）" in flat(
        closed
    )
    twice = town("followups", "close", "1", *village, "--by", "李主任", "-r", "再处理")
    assert twice.exit_code == 1 and "不能重复处理" in flat(twice)
    assert "（2 项）" in flat(town("followups", "list", *village))

    reports = flat(town("followups", "hardship", *village))
    assert "幸福村近 30 天的求助（1 条）" in reports
    assert "李四（H002）" in reports and "老伴住院了" in reports and "因病" in reports
    assert "光明村近 30 天没有农户求助" in flat(town("followups", "hardship", "-v", "光明村"))


def test_import_assignments_from_a_file(town: Invoke, tmp_path: Path) -> None:
    village = ("-v", "幸福村")
    good = tmp_path / "帮扶.csv"
    good.write_text(
        "户编号,帮扶责任人,帮扶责任人电话,走访周期（天）\n"
        "H001,孙帮扶,13812345678,14\n"
        "H002,孙帮扶,,\n"
        "H003,张帮扶,,\n",
        encoding="utf-8",
    )
    imported = town("helpers", "import", str(good), *village, "--by", "李主任")
    assert imported.exit_code == 0, imported.output
    out = flat(imported)
    assert "已读取 3 行：新分配或改派 3 户，原已分配未变 0 户，设定走访周期 1 户" in out
    assert "新建帮扶责任人 1 名：孙帮扶" in out
    listed = flat(town("helpers", "list", *village, "--helper", "孙帮扶"))
    assert "H001" in listed and "H002" in listed and "每 14 天" in listed

    bad = tmp_path / "bad.csv"
    bad.write_text("户编号,帮扶责任人\nH001,赵帮扶\nG001,赵帮扶\nH002,\n", encoding="utf-8")
    refused = town("helpers", "import", str(bad), *village, "--by", "李主任")
    assert refused.exit_code == 1
    out = flat(refused)
    assert "幸福村没有户编号为 G001 的农户" in out and "缺少帮扶责任人姓名" in out
    assert "有 2 处问题，未导入任何数据" in out
    still = flat(town("helpers", "list", *village, "--helper", "孙帮扶"))
    assert "H001" in still  # nothing moved to 赵帮扶
    missing = town("helpers", "import", str(tmp_path / "none.csv"), *village, "--by", "李主任")
    assert missing.exit_code == 1 and "找不到文件" in flat(missing)
