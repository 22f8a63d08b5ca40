"""A household in Telegram: bound by its card's code, then checks points, stars and the shop."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot import household as bot_household
from care.models import FollowUp, HardshipReport
from core.db import Database
from notifications.models import OutboxMessage
from tests.chat import chat_world
from tests.factories import make_town
from tests.test_supermarket import fund, stock_shop
from village.binding import issue_code
from village.models import ChatBinding, Household

HOME_CHAT = 5001


async def test_a_household_binds_with_its_code_and_checks_its_points(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    await fund(db, town, home, 35, "fund-1")
    await stock_shop(db, town)
    async with chat_world(db) as world:
        first = await world.send(HOME_CHAT, "你好")
        assert "/start" in first[0]  # not bound yet: told how to bind

        bound = await world.bind(HOME_CHAT, town.secretary, household=home)
        assert any(home.head_name in t and home.number in t for t in bound)
        async with db.session() as s:
            binding = await s.scalar(
                select(ChatBinding).where(ChatBinding.chat_id == str(HOME_CHAT))
            )
        assert binding is not None and binding.household_id == home.id and binding.active

        points = await world.send(HOME_CHAT, "查积分")
        assert len(points) == 1 and "35" in points[0] and "测试入账" in points[0]

        assert "JF" in (await world.send(HOME_CHAT, "帮助"))[0]
        shop = (await world.send(HOME_CHAT, "cs"))[0]
        assert "大米" in shop and "20" in shop
        stars = (await world.send(HOME_CHAT, "星级"))[0]
        assert stars

        other = await world.send(HOME_CHAT, "今天天气怎么样")
        assert "没看懂" in other[0] and "JF" in other[0]


async def test_a_used_or_wrong_code_binds_nobody(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    async with chat_world(db) as world:
        await world.bind(HOME_CHAT, town.secretary, household=home)
        assert "绑定码不正确" in (await world.send(HOME_CHAT + 1, "/start WRNG2345"))[0]
        async with db.transaction() as s:
            code = await issue_code(s, town.secretary, household=town.households[2])
        await world.send(HOME_CHAT + 3, f"/start {code}")
        again = await world.send(HOME_CHAT + 1, f"/start {code}")
        assert "已经用过" in again[0]
        # a typed name or number never binds
        await world.send(HOME_CHAT + 2, home.head_name)
        await world.send(HOME_CHAT + 2, home.number)
        async with db.session() as s:
            chats = {b.chat_id for b in await s.scalars(select(ChatBinding))}
        assert chats == {str(HOME_CHAT), str(HOME_CHAT + 3)}


async def test_opting_out_in_the_chat_is_recorded(db: Database) -> None:
    town = await make_town(db)
    home = town.households[2]
    async with chat_world(db) as world:
        await world.bind(HOME_CHAT, town.secretary, household=home)
        reply = await world.send(HOME_CHAT, "退订")
        assert reply
        async with db.session() as s:
            refreshed = await s.get(Household, home.id)
            assert refreshed is not None and refreshed.opted_out_at is not None
        await world.send(HOME_CHAT, "订阅")
        async with db.session() as s:
            refreshed = await s.get(Household, home.id)
            assert refreshed is not None and refreshed.opted_out_at is None


async def test_the_roster_phone_hears_of_every_new_binding(db: Database) -> None:
    """A code passes through other hands: whoever binds a chat that is not theirs is found out."""
    town = await make_town(db)
    async with db.transaction() as s:
        home = await s.get(Household, town.households[1].id)
        assert home is not None
        home.phone = "+8613800000002"
    async with chat_world(db) as world:
        await world.bind(HOME_CHAT, town.secretary, household=home)
    async with db.session() as s:
        told = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")))
    assert [(m.address, "绑定了新的Telegram" in m.body) for m in told] == [("+8613800000002", True)]


async def test_an_unexpected_failure_is_logged_and_the_person_told(
    db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    town = await make_town(db)
    async with chat_world(db) as world:
        await world.bind(HOME_CHAT, town.secretary, household=town.households[1])

        async def broken(*args: object, **kwargs: object) -> str:
            raise RuntimeError("database on fire")

        monkeypatch.setattr(bot_household, "answer", broken)
        reply = await world.send(HOME_CHAT, "查积分")
    assert "抱歉" in reply[0] and "database on fire" not in reply[0]
    assert "database on fire" in caplog.text


async def test_a_household_asks_for_help_in_the_chat(db: Database) -> None:
    town = await make_town(db)
    home = town.households[2]
    async with chat_world(db) as world:
        await world.bind(HOME_CHAT, town.secretary, household=home)
        await world.bind(HOME_CHAT + 1, town.secretary, staff=town.director)
        helped = await world.send(HOME_CHAT, "求助 房子被大风刮塌了一间")
        assert helped == [
            "已收到您的求助（因灾），已告知村委会和帮扶责任人，他们会尽快联系您。可再发“求助+情况”补充。"
        ]
        assert "求助（QZ）" in (await world.send(HOME_CHAT, "帮助"))[0]
    async with db.session() as s:
        report = await s.scalar(select(HardshipReport))
        follow_up = await s.scalar(select(FollowUp))
        alerts = list(
            await s.scalars(select(OutboxMessage).where(col(OutboxMessage.staff_id).is_not(None)))
        )
    assert report is not None and (report.household_id, report.kind, report.channel) == (
        home.id,
        "disaster",
        "telegram",
    )
    assert follow_up is not None and follow_up.hardship_id == report.id
    # the director's chat is bound: the alert goes there (the secretary has neither chat nor phone)
    assert [
        (m.address, m.channel) for m in alerts if m.idempotency_key.startswith("hardship:")
    ] == [(str(HOME_CHAT + 1), "telegram")]
