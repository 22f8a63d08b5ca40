from __future__ import annotations

import asyncio
import os
import re
from typing import Any

import pytest
from sqlmodel import func, select
from typer.testing import Result

from core.db import Database
from notifications.models import OutboxMessage
from points import ledger
from points.models import (
    Award,
    AwardStatus,
    CatalogueItem,
    EntryKind,
    PriceChange,
    RatingRound,
    RoundStatus,
    StarCategory,
)
from tests.conftest import Invoke, invoke_all
from tests.factories import add_household
from village.models import StaffMember, Village

PHONES = {1: "+8613900000001", 2: "+8613900000002"}  # 幸0003 has no phone and no chat


def flat(result: Result) -> str:
    """Output without rich's line wrapping, so long Chinese lines can be matched."""
    return result.output.replace("\n", "")


async def _seed(url: str, stars: dict[str, int]) -> None:
    """Households (no roster import yet), 100 points each, and an effective round of stars."""
    database = Database(url)
    try:
        async with database.transaction() as s:
            village = await s.scalar(select(Village).where(Village.name == "幸福村"))
            director = await s.scalar(select(StaffMember).where(StaffMember.name == "李主任"))
            assert village is not None and director is not None
            homes = [
                await add_household(s, village, f"幸000{i}", f"户主{i}", phone=PHONES.get(i))
                for i in range(1, 4)
            ]
            rating = RatingRound(
                village_id=village.id or 0,
                name="2026年第1季度",
                year=2026,
                status=RoundStatus.EFFECTIVE.value,
                created_by=director.id or 0,
            )
            categories = [
                StarCategory(village_id=village.id or 0, name=f"第{n}星", points=10)
                for n in range(3)
            ]
            s.add_all([rating, *categories])
            await s.flush()
            for home in homes:
                await ledger.post(
                    s,
                    ledger.Posting(
                        household_id=home.id or 0,
                        village_id=village.id or 0,
                        amount=100,
                        kind=EntryKind.AWARD,
                        reason="期初积分",
                        actor_id=director.id or 0,
                        idempotency_key=f"seed:{home.number}",
                    ),
                )
                for category in categories[: stars.get(home.number, 0)]:
                    award = Award(
                        round_id=rating.id or 0,
                        household_id=home.id or 0,
                        category_id=category.id or 0,
                        points=0,
                        reason="评议通过",
                        status=AwardStatus.CREDITED.value,
                        proposed_by=director.id or 0,
                    )
                    s.add(award)
                    await s.flush()
                    await ledger.post(
                        s,
                        ledger.Posting(
                            household_id=home.id or 0,
                            village_id=village.id or 0,
                            amount=10,
                            kind=EntryKind.AWARD,
                            reason=category.name,
                            actor_id=director.id or 0,
                            idempotency_key=f"award:{award.id}",
                            ref_type="award",
                            ref_id=award.id,
                        ),
                    )
    finally:
        await database.dispose()


@pytest.fixture
def town(invoke: Invoke, cli_url: str) -> Invoke:
    invoke_all(
        invoke,
        ("village", "add", "幸福村", "--point-value", "0.5"),
        ("village", "add", "光明村"),
        ("staff", "add", "王店主", "--role", "shopkeeper", "-v", "幸福村"),
        ("staff", "add", "李主任", "--role", "committee", "-v", "幸福村"),
        ("staff", "add", "赵店主", "--role", "shopkeeper", "-v", "光明村"),
    )
    asyncio.run(_seed(cli_url, {"幸0001": 3, "幸0002": 3, "幸0003": 1}))
    return invoke


def shop(invoke: Invoke, *args: str, by: str = "王店主") -> Result:
    return invoke(*args, "-v", "幸福村", "--by", by)


def test_items(town: Invoke) -> None:
    added = shop(town, "item", "add", "大米", "--price", "20", "--stock", "10", "--unit", "袋")
    assert added.exit_code == 0, added.output
    assert "已上架：大米，20 分/袋（折合 10.00 元），库存 10袋" in flat(added)
    assert shop(town, "item", "add", "食用油", "--price", "15", "--unit", "瓶").exit_code == 0
    again = shop(town, "item", "add", "大米", "--price", "20")
    assert again.exit_code == 1 and "已有商品“大米”" in flat(again)
    free = shop(town, "item", "add", "盐", "--price", "0")
    assert free.exit_code == 1 and "积分价格必须是正整数" in flat(free)

    restocked = shop(town, "item", "restock", "食用油", "--add", "6")
    assert restocked.exit_code == 0 and "食用油库存 +6瓶，现有 6瓶" in flat(restocked)
    repriced = shop(town, "item", "price", "大米", "--price", "25")
    assert repriced.exit_code == 0 and "25 分/袋（折合 12.50 元）" in flat(repriced)
    missing = shop(town, "item", "restock", "酱油", "--add", "1")
    assert missing.exit_code == 1 and "没有商品“酱油”" in flat(missing)
    outsider = town("item", "add", "面粉", "--price", "5", "-v", "幸福村", "--by", "赵店主")
    assert outsider.exit_code == 1 and "找不到工作人员" in flat(outsider)

    listed = town("item", "list", "-v", "幸福村")
    assert listed.exit_code == 0
    text = flat(listed)
    for fragment in ("幸福村扶贫超市", "大米", "25", "12.50", "食用油", "7.50", "折合"):
        assert fragment in text, fragment
    assert "还没有商品" in flat(town("item", "list", "-v", "光明村"))


def test_a_shopkeeper_writes_off_spoilt_rice_and_reads_the_items_history(town: Invoke) -> None:
    assert (
        shop(
            town, "item", "add", "大米", "--price", "20", "--stock", "10", "--unit", "袋"
        ).exit_code
        == 0
    )
    off = shop(town, "item", "write-off", "大米", "-q", "3", "--reason", "受潮发霉")
    assert off.exit_code == 0, off.output
    assert "大米报损 3袋（受潮发霉），现有 7袋" in flat(off)
    blank = shop(town, "item", "write-off", "大米", "-q", "1", "--reason", "  ")
    assert blank.exit_code == 1 and "报损须写明原因" in flat(blank)
    too_many = shop(town, "item", "write-off", "大米", "-q", "8", "--reason", "过期")
    assert too_many.exit_code == 1 and "库存不足" in flat(too_many)
    assert shop(town, "item", "price", "大米", "--price", "25", by="李主任").exit_code == 0
    assert shop(town, "item", "price", "大米", "--price", "25", by="李主任").exit_code == 0

    history = shop(town, "item", "history", "大米", by="李主任")
    assert history.exit_code == 0, history.output
    text = flat(history)
    for fragment in (
        "库存变动",
        "-3袋",
        "7袋",
        "受潮发霉",
        "王店主",
        "+10袋",
        "调价记录",
        "李主任",
    ):
        assert fragment in text, fragment
    stock = scalar(select(CatalogueItem.stock).where(CatalogueItem.name == "大米"))
    changes = scalar(select(func.count()).select_from(PriceChange))
    assert (stock, changes) == (7, 1)  # the same price again is no change


def scalar(statement: Any) -> Any:
    """One value read from the CLI's database (the ``invoke`` fixture points it there)."""

    async def read() -> Any:
        database = Database(os.environ["XIANGXIN_DATABASE_URL"])
        try:
            async with database.session() as s:
                return await s.scalar(statement)
        finally:
            await database.dispose()

    return asyncio.run(read())


def code_sent(redemption_id: str) -> str:
    """The code in the outbox message to the household (what its phone receives)."""
    message = scalar(
        select(OutboxMessage).where(
            OutboxMessage.idempotency_key == f"otp:redemption:{redemption_id}:ask"
        )
    )
    assert isinstance(message, OutboxMessage) and message.address == PHONES[1]
    found = re.search(r"验证码(\d{6})", message.body)
    assert found, message.body
    return found.group(1)


def test_redeem_start_sends_the_code_to_the_household_not_the_shopkeeper(town: Invoke) -> None:
    shop(town, "item", "add", "大米", "--price", "20", "--stock", "10", "--unit", "袋")
    started = shop(town, "redeem", "start", "--household", "幸0001", "--item", "大米=1")
    assert started.exit_code == 0, started.output
    found_id = re.search(r"兑换单 #(\d+)", flat(started))
    assert found_id
    code = code_sent(found_id.group(1))
    assert code not in started.output and "验证码：" not in flat(started)


def test_redeem_start_for_an_unreachable_household_starts_nothing(town: Invoke) -> None:
    shop(town, "item", "add", "大米", "--price", "20", "--stock", "10", "--unit", "袋")
    lost = shop(town, "redeem", "start", "--household", "幸0003", "--item", "大米=1")
    assert lost.exit_code == 1 and "无法发送验证码，兑换未发起" in flat(lost)
    assert "没有兑换记录" in flat(town("redeem", "list", "-v", "幸福村"))


def test_redeem_return_gives_back_points_and_stock_once(town: Invoke) -> None:
    shop(town, "item", "add", "大米", "--price", "20", "--stock", "10", "--unit", "袋")
    started = shop(town, "redeem", "start", "--household", "幸0001", "--item", "大米=2")
    found_id = re.search(r"兑换单 #(\d+)", flat(started))
    assert found_id
    rid = found_id.group(1)
    early = shop(town, "redeem", "return", rid)
    assert early.exit_code == 1 and "只有已完成的兑换才能退货" in flat(early)
    assert shop(town, "redeem", "confirm", rid, "--code", code_sent(rid)).exit_code == 0
    assert "积分余额：90 分" in flat(town("ledger", "show", "幸0001", "-v", "幸福村"))

    returned = shop(town, "redeem", "return", rid, "--reason", "米生虫")
    assert returned.exit_code == 0, returned.output
    assert (
        f"兑换单 #{rid} 已退货：大米 2袋 已入库，40 分已退回户主1（幸0001），现有 130 分"
        in flat(returned)
    )
    again = shop(town, "redeem", "return", rid)
    assert again.exit_code == 0 and "没有重复退分、入库" in flat(again)

    assert "积分余额：130 分" in flat(town("ledger", "show", "幸0001", "-v", "幸福村"))
    assert scalar(select(CatalogueItem.stock).where(CatalogueItem.name == "大米")) == 10
    notice = scalar(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == f"redemption:{rid}:returned")
    )
    assert isinstance(notice, OutboxMessage) and notice.address == PHONES[1]
    assert "已退货，40分已退回，现有130分" in notice.body
    listed = flat(town("redeem", "list", "-v", "幸福村"))
    assert "已退货" in listed and "已完成 0 单" in listed
    assert town("ledger", "verify").exit_code == 0


def test_redeem_flow(town: Invoke) -> None:
    shop(town, "item", "add", "大米", "--price", "20", "--stock", "10", "--unit", "袋")
    shop(town, "item", "add", "食用油", "--price", "15", "--stock", "3", "--unit", "瓶")

    started = shop(
        town, "redeem", "start", "--household", "幸0001", "--item", "大米=2", "-i", "食用油＝1"
    )
    assert started.exit_code == 0, started.output
    out = flat(started)
    assert "户主1（幸0001）兑换 大米 2袋、食用油 1瓶，共 55 分（折合 27.50 元）" in out
    assert "6 位验证码已通过 Telegram 或短信发给农户本人，30 分钟内有效" in out
    found_id = re.search(r"兑换单 #(\d+)", out)
    assert found_id
    rid = found_id.group(1)
    code = code_sent(rid)

    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    first = shop(town, "redeem", "confirm", rid, "--code", wrong)
    assert first.exit_code == 1 and "还可以再试 4 次" in flat(first)
    second = shop(town, "redeem", "confirm", rid, "--code", wrong)  # the first attempt was kept
    assert second.exit_code == 1 and "还可以再试 3 次" in flat(second)
    assert shop(town, "redeem", "confirm", rid, "--code", "12").exit_code == 1

    done = shop(town, "redeem", "confirm", rid, "--code", code)
    assert done.exit_code == 0, done.output
    receipt = flat(done)
    for fragment in ("兑换完成", "幸福村扶贫超市", "大米 2袋 × 20分 = 40分", "兑换后余额：75 分"):
        assert fragment in receipt, fragment
    again = shop(town, "redeem", "confirm", rid, "--code", code)
    assert again.exit_code == 0 and "未重复扣分" in flat(again)
    shown = town("ledger", "show", "幸0001", "-v", "幸福村")
    assert "积分余额：75 分" in flat(shown)

    listed = town("redeem", "list", "-v", "幸福村", "--today")
    assert listed.exit_code == 0 and "已完成" in flat(listed)
    assert "共 1 单，已完成 1 单，兑出 55 分" in flat(listed)
    assert "没有兑换记录" in flat(town("redeem", "list", "-v", "光明村"))
    assert town("ledger", "verify").exit_code == 0


def test_redeem_key_cancel_and_refusals(town: Invoke) -> None:
    shop(town, "item", "add", "大米", "--price", "20", "--stock", "10", "--unit", "袋")
    args = ("redeem", "start", "--household", "幸0002", "--item", "大米=1", "--key", "K1")
    first = shop(town, *args)
    second = shop(town, *args)
    assert first.exit_code == 0 and second.exit_code == 0
    assert "已经发起过" in flat(second) and "验证码：" not in flat(second)
    rid = re.search(r"兑换单 #(\d+)", flat(first))
    assert rid is not None
    changed = shop(town, "redeem", "start", "--household", "幸0002", "-i", "大米=2", "--key", "K1")
    assert changed.exit_code == 1 and "另一笔内容不同的兑换" in flat(changed)

    cancelled = shop(town, "redeem", "cancel", rid.group(1))
    assert cancelled.exit_code == 0 and "已取消" in flat(cancelled)
    late = shop(town, "redeem", "confirm", rid.group(1), "--code", "123456")
    assert late.exit_code == 1 and "已取消" in flat(late)

    for spec, message in (
        ("大米=x", "商品写法“大米=x”不对"),
        ("=2", "商品写法"),
        ("大米=0", "商品写法"),
        ("酱油=1", "没有商品“酱油”"),
        ("大米=7", "积分不足：现有 130 分，需要 140 分"),
        ("大米=11", "库存不足"),
    ):
        bad = shop(town, "redeem", "start", "--household", "幸0002", "--item", spec)
        assert bad.exit_code == 1, spec
        assert message in flat(bad), (spec, bad.output)
    unknown = shop(town, "redeem", "start", "--household", "幸9999", "--item", "大米=1")
    assert unknown.exit_code == 1 and "找不到户" in flat(unknown)
    other = town(
        "redeem", "start", "--household", "幸0002", "-i", "大米", "-v", "光明村", "--by", "赵店主"
    )
    assert other.exit_code == 1
    assert "找不到户：幸0002" in flat(other)  # households of another village are invisible
    assert town("redeem", "list", "-v", "幸福村").exit_code == 0


def test_commend(town: Invoke) -> None:
    top = town("village", "set", "-v", "幸福村", "--commend-top", "1", "--by", "李主任")
    assert top.exit_code == 0, top.output
    preview = town("commend", "preview", "--year", "2026", "-v", "幸福村")
    assert preview.exit_code == 0, preview.output
    text = flat(preview)
    assert "年度星级示范户" in text and "幸0001" in text and "幸0003" in text
    assert "将表彰 2 户（仅预览" in text  # a tie for first: both are commended

    refused = town("commend", "run", "--year", "2026", "-v", "幸福村", "--by", "王店主")
    assert refused.exit_code == 1 and "没有权限" in flat(refused)
    missing = town("commend", "show", "--year", "2026", "-v", "幸福村")
    assert missing.exit_code == 1 and "还没有2026年度表彰记录" in flat(missing)

    done = town("commend", "run", "--year", "2026", "-v", "幸福村", "--by", "李主任")
    assert done.exit_code == 0, done.output
    assert "2026年度表彰完成" in flat(done)
    again = town("commend", "run", "--year", "2026", "-v", "幸福村", "--by", "李主任")
    assert again.exit_code == 1 and "每年只表彰一次" in flat(again)
    shown = town("commend", "show", "--year", "2026", "-v", "幸福村")
    assert shown.exit_code == 0 and "李主任" in flat(shown) and "幸0001" in flat(shown)
    balance = town("ledger", "show", "幸0001", "-v", "幸福村")
    assert "积分余额：230 分" in flat(balance)  # 100 + 3 stars × 10 + 100 bonus
    assert town("ledger", "verify").exit_code == 0
    empty = town("commend", "preview", "--year", "2025", "-v", "幸福村")
    assert empty.exit_code == 0 and "没有生效的星级" in flat(empty)
