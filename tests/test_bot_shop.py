"""The shopkeeper starts a redemption in Telegram; the household confirms in its own chat.

The household's request and both receipts travel through the outbox and the
Telegram sender, as in production.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func
from sqlmodel import col, select

from core.db import Database
from notifications.models import OutboxMessage
from points import ledger
from points.models import CatalogueItem, Redemption, RedemptionStatus
from tests.chat import ChatWorld, chat_world
from tests.factories import Town, make_town
from tests.test_supermarket import fund, stock_shop
from village.models import Household

SHOP, HOME = 8001, 8002
RECEIPT = "积分兑换小票"  # the receipt's title line


async def arrival(world: ChatWorld, chat_id: int, words: str, timeout: float = 15) -> str:
    """Wait for a message to ``chat_id`` containing ``words`` (sent by the outbox sender)."""
    for _ in range(int(timeout / 0.05)):
        for message in world.api.sent:
            if message.chat_id == chat_id and words in message.text:
                return message.text
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing with {words!r} reached {chat_id}")


async def start_rice(world: ChatWorld, number: str, household_id: int) -> list[str]:
    await world.send(SHOP, "兑换")
    await world.send(SHOP, number)
    await world.press(SHOP, f"sh:h:{household_id}")
    rice = next(b for b in world.buttons(SHOP) if b.startswith("sh:i:"))
    await world.press(SHOP, rice)
    await world.send(SHOP, "２")  # full-width digits from a Chinese keyboard
    return await world.press(SHOP, "sh:done:0")


async def shop_with_rice(db: Database) -> tuple[Town, Household]:
    """A stocked shop and a household with 100 points."""
    town = await make_town(db)
    home = town.households[1]
    await stock_shop(db, town)
    await fund(db, town, home, 100, "fund")
    return town, home


async def bind_both(world: ChatWorld, town: Town, home: Household) -> None:
    await world.bind(SHOP, town.secretary, staff=town.shopkeeper)
    await world.bind(HOME, town.secretary, household=home)


async def test_a_redemption_is_confirmed_by_the_household_and_both_get_the_receipt(
    db: Database,
) -> None:
    town, home = await shop_with_rice(db)
    async with chat_world(db, outreach=True) as world:
        await bind_both(world, town, home)

        asked = await start_rice(world, home.number, home.id or 0)
        assert "已发给农户确认" in asked[0]
        async with db.session() as s:
            pending = await s.scalar(select(Redemption))
            assert pending is not None and pending.status == RedemptionStatus.PENDING.value
            assert await ledger.balance(s, home.id or 0) == 100  # nothing taken yet

        await arrival(world, HOME, "为您兑换")
        confirmed = await world.press(HOME, f"r:ok:{pending.id}")
        assert any("已确认" in reply for reply in confirmed), confirmed
        assert "兑换后余额：60 分" in await arrival(world, HOME, RECEIPT)
        assert "兑换后余额：60 分" in await arrival(world, SHOP, RECEIPT)

        again = await world.send(HOME, "查积分")
        assert "60" in again[0]
    async with db.session() as s:
        done = await s.get(Redemption, pending.id)
        assert done is not None and done.status == RedemptionStatus.COMPLETED.value
        assert await ledger.balance(s, home.id or 0) == 60
        rice = await s.scalar(select(CatalogueItem).where(CatalogueItem.name == "大米"))
        assert rice is not None and rice.stock == 8


async def confirmed_rice(world: ChatWorld, town: Town, home: Household) -> int:
    """Two bags started by the shopkeeper, asked of the household; returns the redemption id."""
    await bind_both(world, town, home)
    await start_rice(world, home.number, home.id or 0)
    await arrival(world, HOME, "为您兑换")
    async with world.db.session() as s:
        pending = await s.scalar(select(Redemption))
    assert pending is not None
    return pending.id or 0


async def test_a_double_tap_on_confirm_gives_one_receipt(db: Database) -> None:
    town, home = await shop_with_rice(db)
    async with chat_world(db, outreach=True) as world:
        rid = await confirmed_rice(world, town, home)
        first = await world.press(HOME, f"r:ok:{rid}")
        second = await world.press(HOME, f"r:ok:{rid}")
        # The outbox sender may slip the receipt in between: look at every reply.
        assert any("已确认" in reply for reply in first), first
        assert any("已经确认过" in reply for reply in second), second
        await arrival(world, HOME, RECEIPT)
        await arrival(world, SHOP, RECEIPT)
    to_home = [m for m in world.api.sent if m.chat_id == HOME and RECEIPT in m.text]
    assert len(to_home) == 1
    async with db.session() as s:
        queued = await s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.body).contains(RECEIPT))
        )
        assert queued == 2  # one for the household, one for the shopkeeper
        assert await ledger.balance(s, home.id or 0) == 60


async def test_the_shopkeeper_takes_goods_back_in_chat(db: Database) -> None:
    town, home = await shop_with_rice(db)
    async with chat_world(db, outreach=True) as world:
        rid = await confirmed_rice(world, town, home)
        await world.press(HOME, f"r:ok:{rid}")
        await arrival(world, SHOP, RECEIPT)  # so that it does not mix with the replies below
        assert "退货" in (await world.send(SHOP, "退货"))[0]
        done = await world.send(SHOP, str(rid))
        assert f"兑换单 #{rid} 已退货" in done[0] and "现有 100 分" in done[0], done
        assert "现有100分" in await arrival(world, HOME, "已退货")
        await world.send(SHOP, "退货")
        again = await world.send(SHOP, f"#{rid}")
        assert "没有重复退分" in again[0]
    async with db.session() as s:
        assert await ledger.balance(s, home.id or 0) == 100
        rice = await s.scalar(select(CatalogueItem).where(CatalogueItem.name == "大米"))
        assert rice is not None and rice.stock == 10
        returned = await s.get(Redemption, rid)
        assert returned is not None and returned.status == RedemptionStatus.RETURNED.value
        assert await ledger.verify(s) == []


async def test_the_household_refuses_and_nothing_is_taken(db: Database) -> None:
    town, home = await shop_with_rice(db)
    async with chat_world(db, outreach=True) as world:
        await bind_both(world, town, home)
        await start_rice(world, home.number, home.id or 0)
        await arrival(world, HOME, "为您兑换")
        async with db.session() as s:
            pending = await s.scalar(select(Redemption))
        assert pending is not None
        refused = await world.press(HOME, f"r:no:{pending.id}")
        assert "已取消" in refused[0]
        assert "拒绝" in await arrival(world, SHOP, "拒绝")
    async with db.session() as s:
        assert await ledger.balance(s, home.id or 0) == 100
        closed = await s.get(Redemption, pending.id)
        assert closed is not None and closed.status == RedemptionStatus.CANCELLED.value


async def test_the_code_told_at_the_counter_completes_it_too(db: Database) -> None:
    """A household without Telegram reads the code from its SMS to the shopkeeper."""
    town = await make_town(db)
    home = town.households[1]
    async with db.transaction() as s:
        row = await s.get(type(home), home.id)
        assert row is not None
        row.phone = "+8613900000001"
    await stock_shop(db, town)
    await fund(db, town, home, 100, "fund")
    async with chat_world(db) as world:  # no sender: the SMS waits in the outbox
        await world.bind(SHOP, town.secretary, staff=town.shopkeeper)
        await start_rice(world, home.number, home.id or 0)
        from notifications.models import OutboxMessage

        async with db.session() as s:
            ask = await s.scalar(select(OutboxMessage).where(OutboxMessage.household_id == home.id))
        assert ask is not None and ask.channel == "sms"
        code = ask.body.split("验证码", 1)[1][:6]
        wrong = await world.send(SHOP, "000000" if code != "000000" else "111111")
        assert "不正确" in wrong[0] or "错误" in wrong[0]
        receipt = await world.send(SHOP, code)
        assert "小票" in receipt[0]
    async with db.session() as s:
        assert await ledger.balance(s, home.id or 0) == 60
