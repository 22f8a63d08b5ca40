"""``xiangxin fund …`` end to end: supporter → pledge → pay → payout → statement → honour roll.

The CLI runs on the real clock, so months and dates are taken relative to today.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner, Result

from core.clock import local_today
from core.db import Database
from core.settings import get_settings
from fund.pledge_schedule import add_months, month_start
from notifications.models import OutboxMessage
from tests.conftest import Invoke, invoke_all
from tests.factories import add_household
from village import binding
from village.models import Member, Village

VILLAGE = ("-v", "幸福村")
COUNCIL = (*VILLAGE, "--by", "孝善会长")


def flat(result: Result) -> str:
    return result.output.replace("\n", "")


def month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


async def _seed(url: str) -> None:
    database = Database(url)
    try:
        async with database.transaction() as s:
            village = await s.scalar(select(Village).where(Village.name == "幸福村"))
            assert village is not None
            home = await add_household(s, village, "H001", "王老汉")
            await add_household(s, village, "H002", "王大明")
            s.add(Member(household_id=home.id or 0, name="王奶奶", birth_date=date(1950, 5, 1)))
            s.add(Member(household_id=home.id or 0, name="王二", birth_date=date(1990, 1, 1)))
    finally:
        await database.dispose()


async def _outbox(url: str) -> list[OutboxMessage]:
    database = Database(url)
    try:
        async with database.session() as s:
            return list(await s.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id))))
    finally:
        await database.dispose()


@pytest.fixture
def town(invoke: Invoke, cli_url: str) -> Invoke:
    invoke_all(
        invoke,
        ("village", "add", "幸福村"),
        ("staff", "add", "李主任", "--role", "committee", *VILLAGE, "--phone", "+8613700000001"),
        ("staff", "add", "孝善会长", "--role", "fund_council", *VILLAGE),
        ("staff", "add", "王店主", "--role", "shopkeeper", *VILLAGE),
    )
    asyncio.run(_seed(cli_url))
    return invoke


def test_supporter_pledge_pay_payout_statement_and_honour_roll(
    town: Invoke, cli_url: str, tmp_path: Path
) -> None:
    today = local_today()
    this = month_start(today)
    last = add_months(this, -1)

    added = town(
        "fund",
        "supporter",
        "add",
        "王大明",
        "--phone",
        "13812345678",
        "--relation",
        "儿子",
        "--household",
        "H002",
        *COUNCIL,
    )
    assert added.exit_code == 0, added.output
    assert "已登记赡养人 王大明" in flat(added) and "138****5678" in flat(added)
    listed = town("fund", "supporter", "list", *VILLAGE)
    assert "138****5678" in flat(listed) and "13812345678" not in flat(listed)
    elders = town("fund", "elders", *VILLAGE)
    assert "王奶奶" in flat(elders) and "王二" not in flat(elders)
    refused = town("fund", "elder-age", "65", *COUNCIL)
    assert refused.exit_code == 1 and "没有权限" in flat(refused)
    shop = town("fund", "donate", "--donor", "某人", "--amount", "1", *VILLAGE, "--by", "王店主")
    assert shop.exit_code == 1 and "需要：孝善理事会、村两委" in flat(shop)

    invoke_all(
        town,
        (
            "fund",
            "pledge",
            "sign",
            "--elder",
            "王奶奶",
            "--supporter",
            "王大明",
            "--amount",
            "200",
            "--due-day",
            "31",
            "--start",
            month(last),
            *COUNCIL,
        ),
        ("fund", "donate", "--donor", "张乡贤", "--amount", "1000", "--method", "转账", *COUNCIL),
        ("fund", "rule", "set", "--from", month(this), "--rate", "10%", "--cap", "50", *COUNCIL),
    )
    past = town("fund", "rule", "set", "--from", month(last), "--rate", "20%", *COUNCIL)
    assert past.exit_code == 1 and "不能追溯" in flat(past)

    first = town(
        "fund",
        "pay",
        "--pledge",
        "1",
        "--month",
        month(last),
        "--amount",
        "200",
        "--date",
        (last + timedelta(days=4)).isoformat(),
        "--method",
        "微信",
        *COUNCIL,
    )
    assert first.exit_code == 0, first.output
    assert "已缴" in flat(first) and "本笔无配捐" in flat(first)  # no rule before this month
    assert "已向王大明（138****5678）发出感谢消息" in flat(first)
    part = town("fund", "pay", "--pledge", "1", "--month", month(this), "--amount", "100", *COUNCIL)
    assert "部分缴纳" in flat(part) and "孝善基金配捐 10.00元" in flat(part)
    over = town("fund", "pay", "--pledge", "1", "--month", month(this), "--amount", "200", *COUNCIL)
    assert over.exit_code == 1 and "还欠 100.00元" in flat(over)
    arrears = town("fund", "arrears", *VILLAGE, "--date", add_months(this, 1).isoformat())
    assert "共 1 期未缴足，合计欠缴 100.00元" in flat(arrears)
    rest = town(
        "fund",
        "pay",
        "--pledge",
        "1",
        "--month",
        month(this),
        "--amount",
        "100",
        "--ref",
        "WX-001",
        *COUNCIL,
    )
    assert "已缴" in flat(rest) and "还欠 0.00元" in flat(rest)
    replay = town(
        "fund",
        "pay",
        "--pledge",
        "1",
        "--month",
        month(this),
        "--amount",
        "100",
        "--ref",
        "WX-001",
        *COUNCIL,
    )
    assert replay.exit_code == 0 and "未重复记账" in flat(replay)
    pledges = town("fund", "pledge", "list", *VILLAGE, "--year", str(this.year))
    assert "王奶奶" in flat(pledges) and "138****5678" in flat(pledges)
    assert "已缴 2" in flat(pledges)

    paid = town("fund", "payout", "--month", month(this), *COUNCIL)
    assert paid.exit_code == 0, paid.output
    assert "420.00元" in flat(paid)  # 200 + 100 + 100 + two subsidies of 10
    again = town("fund", "payout", "--month", month(this), *COUNCIL)
    assert "本月已发放过" in flat(again) and "本次发放 0 位老人" in flat(again)
    gone = town("fund", "reverse", "1", "--reason", "捐款退回", *COUNCIL)  # the donation
    assert gone.exit_code == 1 and "已有一部分用于配捐" in flat(gone)

    page = tmp_path / "公示.html"
    shown = town(
        "fund", "statement", "--month", month(this), "--out", str(page), "--send", *COUNCIL
    )
    assert shown.exit_code == 0, shown.output
    assert "已把收支公示摘要发给村两委 1 人" in flat(shown)
    html = page.read_text(encoding="utf-8")
    assert f"幸福村孝善基金{this.year}年{this.month}月收支公示" in html
    assert "王奶奶" in html and "420.00元" in html
    messages = asyncio.run(_outbox(cli_url))
    assert [m.address for m in messages] == ["+8613812345678"] * 3 + ["+8613700000001"]
    assert "孝心养老金 100.00元，孝善基金另配捐 10.00元" in messages[1].body

    roll = tmp_path / "光荣榜.html"
    year = str(last.year)
    draft = town("fund", "honour", "--year", year, *VILLAGE)
    assert "王大明（王奶奶的儿子）" in flat(draft) and "尚未发布" in flat(draft)
    published = town(
        "fund",
        "honour",
        "--year",
        year,
        "--publish",
        "--yes",  # the year may not be over yet
        "--out",
        str(roll),
        *VILLAGE,
        "--by",
        "李主任",
    )
    assert published.exit_code == 0, published.output
    assert "王大明" in roll.read_text(encoding="utf-8")
    twice = town("fund", "honour", "--year", year, "--publish", *VILLAGE, "--by", "李主任")
    assert twice.exit_code == 1 and "不能重复发布" in flat(twice)

    verified = town("fund", "verify", *VILLAGE)
    assert verified.exit_code == 0 and "全部一致" in flat(verified)


async def _bind(url: str, chat: str, code: str) -> str:
    database = Database(url)
    try:
        async with database.transaction() as s:
            return (await binding.bind_chat(s, chat, code)).message
    finally:
        await database.dispose()


def test_supporter_code(town: Invoke, cli_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke_all(town, ("fund", "supporter", "add", "王大明", "--phone", "13812345678", *COUNCIL))
    monkeypatch.setenv("XIANGXIN_TELEGRAM_BOT_USERNAME", "@xiangxin_test_bot")
    get_settings.cache_clear()
    first = town("fund", "supporter", "code", "王大明", "-v", "幸福村", "-b", "孝善会长")
    assert first.exit_code == 0, first.output
    shown = flat(first)
    assert "已为赡养人王大明（幸福村）生成绑定码" in shown and "有效期至" in shown
    code = re.search(r"绑定码：([A-Z2-9]{4}-[A-Z2-9]{4})", shown)
    link = re.search(r"https://t\.me/xiangxin_test_bot\?start=([A-Z2-9]{8})", shown)
    assert code is not None and link is not None
    assert code.group(1).replace("-", "") == link.group(1)

    monkeypatch.setenv("XIANGXIN_TELEGRAM_BOT_USERNAME", "")
    monkeypatch.delenv("XIANGXIN_TELEGRAM_TOKEN", raising=False)
    get_settings.cache_clear()
    second = town("fund", "supporter", "code", "王大明", *VILLAGE, "--by", "李主任")
    assert second.exit_code == 0, second.output
    newer = re.search(r"/start ([A-Z2-9]{4}-[A-Z2-9]{4})", flat(second))
    assert newer is not None and "t.me" not in flat(second)

    assert "作废" in asyncio.run(_bind(cli_url, "8001", link.group(1)))  # the newer one voids it
    assert asyncio.run(_bind(cli_url, "8001", newer.group(1))) == "已绑定：王大明（赡养人，幸福村）"
    refused = town("fund", "supporter", "code", "王大明", *VILLAGE, "--by", "王店主")
    assert refused.exit_code == 1 and "没有权限" in flat(refused)


def _typed(answer: str, *args: str) -> Result:
    """Run the CLI with ``answer`` typed at its question (the ``town`` fixture set the database)."""
    from bot.cli import app

    return CliRunner().invoke(app, list(args), input=answer)


def test_publishing_this_years_honour_roll_warns_and_waits_for_a_yes(town: Invoke) -> None:
    this = month_start(local_today())
    invoke_all(
        town,
        ("fund", "supporter", "add", "王大明", "--relation", "儿子", *COUNCIL),
        (
            "fund",
            "pledge",
            "sign",
            "--elder",
            "王奶奶",
            "--supporter",
            "王大明",
            "--amount",
            "200",
            "--due-day",
            "1",
            "--start",
            month(this),
            *COUNCIL,
        ),
        (
            "fund",
            "pay",
            "--pledge",
            "1",
            "--month",
            month(this),
            "--amount",
            "200",
            "--date",
            this.isoformat(),
            *COUNCIL,
        ),
    )
    year = str(this.year)
    publish = ("fund", "honour", "--year", year, "--publish", *VILLAGE, "--by", "李主任")
    warning = f"{year}年还没过完，还有 {12 - this.month} 期未到期"
    for answer in ("", "n\n"):
        refused = _typed(answer, *publish)
        assert refused.exit_code == 1, refused.output
        assert warning in flat(refused) and "未确认，什么也没有做" in flat(refused)
        assert "尚未发布" in flat(town("fund", "honour", "--year", year, *VILLAGE))
    published = _typed("y\n", *publish)
    assert published.exit_code == 0, published.output
    assert warning in flat(published) and "按时足额" in flat(published)
    shown = town("fund", "honour", "--year", year, *VILLAGE)
    assert "王大明（王奶奶的儿子）" in flat(shown) and "尚未发布" not in flat(shown)


def test_a_donation_typed_twice_at_the_terminal_is_recorded_once(town: Invoke) -> None:
    gift = ("fund", "donate", "--donor", "张乡贤", "--amount", "1000", *COUNCIL)
    first = town(*gift)
    assert first.exit_code == 0 and "基金余额 1000.00元" in flat(first)
    twice = town(*gift)
    assert twice.exit_code == 1, twice.output
    assert "已登记过张乡贤的捐赠 1000.00元（#1）" in flat(twice)
    assert "未确认，什么也没有做" in flat(twice)
    no = _typed("n\n", *gift)
    assert no.exit_code == 1 and "未确认" in flat(no)
    yes = _typed("y\n", *gift)  # the same donor really gave twice today
    assert yes.exit_code == 0 and "基金余额 2000.00元" in flat(yes)
    flagged = town(*gift, "--yes")
    assert flagged.exit_code == 0 and "基金余额 3000.00元" in flat(flagged)
    receipt = town(*gift, "--ref", "R-9")
    assert receipt.exit_code == 0 and "基金余额 4000.00元" in flat(receipt)
    typo = town("fund", "donate", "--donor", "张乡贤", "--amount", "1000元整", *COUNCIL)
    assert typo.exit_code == 1 and "金额“1000元整”无效" in flat(typo)
    verified = town("fund", "verify", *VILLAGE)
    assert verified.exit_code == 0 and "4000.00元" in flat(verified)
