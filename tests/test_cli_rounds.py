"""``xiangxin category|round|award|objection``: a whole round from the terminal."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col
from typer.testing import Result

from bot.cli import context
from core.clock import utcnow
from core.db import Database
from points.models import RatingRound
from tests.factories import add_household
from village.models import StaffMember
from village.registry import get_village

Invoke = Callable[..., Result]
V = ("-v", "幸福村")
ROUND = "2026年第4季度"


def _run_db(url: str, work: Callable[[Database], Awaitable[None]]) -> None:
    async def main() -> None:
        database = Database(url)
        try:
            await work(database)
        finally:
            await database.dispose()

    asyncio.run(main())


def _households(url: str, count: int) -> None:
    async def work(database: Database) -> None:
        async with database.transaction() as s:
            village = await get_village(s, "幸福村")
            for i in range(1, count + 1):
                await add_household(
                    s, village, f"X{i:04d}", f"户主{i}", phone="+8613800000000", group_name="1组"
                )

    _run_db(url, work)


def _end_publicity(url: str) -> None:
    """The demo moves time through the domain's ``now``; here the period is simply over."""

    async def work(database: Database) -> None:
        async with database.transaction() as s:
            await s.execute(
                update(RatingRound).values(publicity_ends_at=utcnow() - timedelta(minutes=1))
            )

    _run_db(url, work)


@pytest.fixture
def town(invoke: Invoke, cli_url: str, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setattr(context.console, "width", 200)
    ok(invoke("village", "add", "幸福村", "--contact", "村委会办公室 0370-1234567"))
    _households(cli_url, 4)
    ok(invoke("staff", "add", "王文书", "--role", "committee", *V, "--household", "X0001"))
    ok(invoke("staff", "add", "李主任", "--role", "committee", *V))
    ok(invoke("staff", "add", "张店主", "--role", "shopkeeper", *V))
    return invoke


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def refused(result: Result, words: str) -> None:
    assert result.exit_code == 1, result.output
    assert "错误" in result.output and words in result.output, result.output
    assert "Traceback" not in result.output


def test_categories(town: Invoke) -> None:
    listed = ok(town("category", "list", *V))
    for name in ("增收致富之星", "热心公益之星", "模范守法之星"):
        assert name in listed
    assert "增收致富之星（20 分" in ok(
        town("category", "set", "增收致富之星", "--points", "20", *V, "--by", "李主任")
    )
    assert "孝老爱亲之星（15 分）" in ok(
        town("category", "add", "孝老爱亲之星", "--points", "15", *V, "--by", "李主任")
    )
    assert "停用" in ok(town("category", "deactivate", "反对迷信之星", *V, "--by", "李主任"))
    assert "启用" in ok(town("category", "set", "反对迷信之星", "--activate", *V, "--by", "李主任"))
    refused(town("category", "set", "增收致富之星", *V, "--by", "李主任"), "--points")
    refused(
        town("category", "set", "增收致富之星", "--points", "0", *V, "--by", "李主任"), "积分分值"
    )
    refused(town("category", "add", "新星", "--points", "5", *V, "--by", "张店主"), "没有权限")
    refused(
        town("category", "set", "无此星", "--points", "5", *V, "--by", "李主任"), "没有星级类别"
    )


def test_a_whole_round(town: Invoke, cli_url: str, tmp_path: Path) -> None:
    by_clerk, by_head = ("--by", "王文书"), ("--by", "李主任")
    ok(town("category", "set", "增收致富之星", "--points", "20", *V, *by_head))
    created = ok(town("round", "create", ROUND, "--year", "2026", *V, *by_clerk))
    assert "已新建评定轮次：2026年第4季度" in created

    def add(household: str, category: str, reason: str, *by: str) -> Result:
        return town(
            "award", "add", "--round", ROUND, "--household", household,
            "--category", category, "--reason", reason, *V, *by,
        )  # fmt: skip

    assert "已提名 #1：X0002 户主2 · 增收致富之星（20 分）" in ok(
        add("X0002", "增收致富之星", "养牛致富", *by_clerk)
    )
    assert "#2" in ok(add("X0003", "户容整洁之星", "庭院整洁", *by_clerk))
    refused(add("X0001", "良好家风之星", "本户", *by_clerk), "回避")
    refused(add("X0002", "政策明白之星", "x", "--by", "张店主"), "没有权限")
    refused(add("X0002", "增收致富之星", "再评", *by_head), "已有")
    refused(add("Y9999", "增收致富之星", "x", *by_head), "没有户编号")
    refused(town("round", "notice", ROUND, *V, "--out", str(tmp_path)), "发布公示后才能打印")
    refused(town("award", "approve", "1", *by_head), "评议")  # still a draft

    ok(town("round", "submit", ROUND, *V, *by_clerk))
    refused(town("award", "approve", "1", *by_clerk), "提名人")
    assert "提名 #1 评议通过" in ok(town("award", "approve", "1", *by_head, *V))
    refused(town("award", "reject", "2", "--note", "  ", *by_head), "理由")
    assert "不通过" in ok(town("award", "reject", "2", "--note", "材料不全", *by_head))
    refused(town("award", "approve", "2", *by_head), "已评议")

    published = ok(town("round", "publish", ROUND, *V, *by_head))
    assert "已发布公示" in published

    printed = ok(town("round", "notice", ROUND, *V, "--out", str(tmp_path / "公示")))
    html = tmp_path / "公示" / "公示.html"
    assert str(html) in printed and (tmp_path / "公示" / "公示.xlsx").exists()
    page = html.read_text(encoding="utf-8")
    assert "幸福村2026年第4季度星级评定结果公示" in page and "养牛致富" in page
    assert "庭院整洁" not in page and "13800000000" not in page

    assert "已受理异议 #1" in ok(
        town("objection", "lodge", "1", "--name", "李四", "--contact", "13811112222",
             "--reason", "牛是借的")
    )  # fmt: skip
    refused(
        town("objection", "lodge", "2", "--name", "李四", "--reason", "不服"), "只能对公示中的星级"
    )
    listed = ok(town("objection", "list", "--round", ROUND, *V))
    assert "李四" in listed and "138****2222" in listed and "13811112222" not in listed
    refused(town("objection", "list", "--round", ROUND), "-v")
    refused(town("round", "take-effect", ROUND, *V, *by_head), "期满后才能生效")
    refused(town("objection", "resolve", "1", "--note", "x", *by_head), "--uphold")
    assert "异议 #1 不成立" in ok(
        town("objection", "resolve", "1", "--reject", "--note", "实地核实属实", *by_head)
    )

    _end_publicity(cli_url)
    effective = ok(town("round", "take-effect", ROUND, *V, *by_head))
    assert "已生效：1 项星级记入 1 户，共 20 分" in effective
    refused(town("round", "take-effect", ROUND, *V, *by_head), "已生效")
    refused(town("round", "reopen", ROUND, "--reason", "改", *V, *by_head), "已生效")
    assert "积分余额：20 分" in ok(town("ledger", "show", "X0002", *V))

    listed = ok(town("round", "list", *V))
    assert ROUND in listed and "生效" in listed
    shown = ok(town("round", "show", ROUND, *V))
    assert "养牛致富" in shown and "已记分" in shown and "未通过" in shown and "李四" in shown
    events = ok(town("round", "events", "1", *V))
    for label in ("新建轮次", "提名", "提交评议", "评议通过", "发布公示", "提出异议", "生效记分"):
        assert label in events
    assert "13811112222" not in events
    assert ok(town("ledger", "verify"))


def test_reopen_and_unknown_things(town: Invoke) -> None:
    by_head = ("--by", "李主任")
    refused(town("round", "show", "无此轮", *V), "找不到评定轮次")
    refused(town("round", "list", "-v", "无此村"), "找不到村")
    refused(town("award", "approve", "99", *by_head), "找不到星级提名")
    refused(town("objection", "resolve", "99", "--uphold", "--note", "x", *by_head), "找不到异议")
    assert "还没有评定轮次" in ok(town("round", "list", *V))
    ok(town("round", "create", ROUND, "--year", "2026", *V, *by_head))
    refused(town("round", "create", "另一轮", "--year", "2026", *V, *by_head), "请先把它公示")
    refused(town("round", "submit", ROUND, *V, *by_head), "没有任何提名")
    ok(
        town(
            "award", "add", "--round", ROUND, "--household", "X0003", "--category",
            "增收致富之星", "--reason", "种大棚", *V, "--by", "王文书",
        )
    )  # fmt: skip
    ok(town("round", "submit", ROUND, *V, *by_head))
    ok(town("award", "approve", "1", *by_head))
    ok(town("round", "publish", ROUND, *V, *by_head))
    assert "已退回评议" in ok(town("round", "reopen", ROUND, "--reason", "补评", *V, *by_head))
    shown = ok(town("round", "show", ROUND, *V))
    assert "评议" in shown and "公示期" not in shown


def test_a_proposer_withdraws_a_nomination_nobody_may_review(town: Invoke) -> None:
    """Two committee members; the director nominates the clerk's own household (X0001)."""
    by_clerk, by_head = ("--by", "王文书"), ("--by", "李主任")
    ok(town("round", "create", ROUND, "--year", "2026", *V, *by_head))
    added = ok(
        town(
            "award", "add", "--round", ROUND, "--household", "X0001", "--category",
            "良好家风之星", "--reason", "照顾老人", *V, *by_head,
        )
    )  # fmt: skip
    assert "已提名 #1" in added and "本村目前没有可以审核这条提名的人" in added
    ok(town("round", "submit", ROUND, *V, *by_head))
    refused(town("award", "approve", "1", *by_clerk, *V), "本村目前没有可以审核这条提名的人")
    refused(town("award", "approve", "1", *by_head, *V), "增设一位村两委成员")
    refused(town("award", "withdraw", "1", *by_clerk, *V), "只有提名人")

    assert "已撤回提名 #1：X0001 户主1 · 良好家风之星" in ok(
        town("award", "withdraw", "1", *by_head, *V)
    )
    refused(town("award", "withdraw", "1", *by_head, *V), "找不到星级提名 #1")
    assert "照顾老人" not in ok(town("round", "show", ROUND, *V))
    events = ok(town("round", "events", ROUND, *V))
    assert "撤回提名" in events and "X0001" in events


def _deactivate(url: str, name: str) -> None:
    async def work(database: Database) -> None:
        async with database.transaction() as s:
            await s.execute(
                update(StaffMember).where(col(StaffMember.name) == name).values(active=False)
            )

    _run_db(url, work)


def test_round_show_by_a_member_prints_their_next_steps(town: Invoke, cli_url: str) -> None:
    by_clerk, by_head = ("--by", "王文书"), ("--by", "李主任")
    ok(town("round", "create", ROUND, "--year", "2026", *V, *by_head))
    assert "李主任 下一步可以：提名评星" in ok(town("round", "show", ROUND, *V, *by_head))
    ok(
        town(
            "award", "add", "--round", ROUND, "--household", "X0003", "--category",
            "增收致富之星", "--reason", "种大棚", *V, *by_clerk,
        )
    )  # fmt: skip
    drafted = ok(town("round", "show", ROUND, *V, *by_clerk))
    assert "王文书 下一步可以：提名评星、提交评议" in drafted
    shown = ok(town("round", "show", ROUND, *V))
    assert "下一步" not in shown  # without --by: the round only

    ok(town("round", "submit", ROUND, *V, *by_head))
    clerk = ok(town("round", "show", ROUND, *V, *by_clerk))
    assert "王文书 下一步可以：提名评星\n" in clerk
    assert "#1 户主3（X0003）增收致富之星：本人提名，须由他人审核；可审核：李主任" in clerk
    head = ok(town("round", "show", ROUND, *V, *by_head))
    assert "李主任 下一步可以：提名评星、通过我可评议的提名" in head and "须回避" not in head
    assert "张店主 可以查看本轮" in ok(town("round", "show", ROUND, *V, "--by", "张店主"))

    ok(town("award", "approve", "1", *by_head))
    ok(town("round", "publish", ROUND, *V, *by_head))
    assert "下一步可以：退回评议、公示期满，生效、查看异议" in ok(
        town("round", "show", ROUND, *V, *by_clerk)
    )

    _deactivate(cli_url, "王文书")
    refused(town("round", "show", ROUND, *V, *by_clerk), "王文书 的账号已停用")
    refused(town("round", "reopen", ROUND, "--reason", "补评", *V, *by_clerk), "账号已停用")
