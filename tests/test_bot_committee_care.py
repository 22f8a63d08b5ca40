"""The committee's care menus in Telegram: 帮扶分配 (assign a helper) and 待办事项 (follow-ups)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot import state
from bot.state import Step
from care.follow_ups import open_follow_up
from care.models import FollowUp, HelperAssignment
from care.visits import assign_helper
from core.db import Database
from tests.chat import ChatWorld, buttons_of, chat_world
from tests.factories import make_town
from village.models import Household
from village.registry import add_staff

SECRETARY, DIRECTOR, HELPER, SHOP = 7101, 7102, 7103, 7104


def labels(world: ChatWorld, chat_id: int) -> list[str]:
    """The inline button labels under the newest message to ``chat_id``."""
    newest = [m for m in world.api.sent if m.chat_id == chat_id][-1]
    markup = newest.reply_markup or {}
    return [str(b.get("text")) for row in markup.get("inline_keyboard", []) for b in row]


def menu(world: ChatWorld, chat_id: int) -> list[str]:
    """The menu keyboard's labels under the newest message to ``chat_id`` that has one."""
    for message in reversed(world.api.sent):
        keys = (message.reply_markup or {}).get("keyboard") if message.chat_id == chat_id else None
        if keys:
            return [str(key.get("text")) for row in keys for key in row]
    raise AssertionError(f"no menu was shown to {chat_id}")


async def press_anyway(world: ChatWorld, chat_id: int, data: str) -> list[str]:
    """A button the bot never offered: forged under the newest message that still has buttons.

    (Telegram only sends presses of a keyboard that is shown; the bot takes a
    pressed message's keyboard away.)
    """
    edited = {(e.chat_id, e.message_id) for e in world.api.edits}
    shown = next(
        m
        for m in reversed(world.api.sent)
        if m.chat_id == chat_id and buttons_of(m) and (chat_id, m.message_id) not in edited
    )
    before = len(world.api.sent)
    world.api.push_callback(chat_id, data, message_id=shown.message_id)
    return [m.text for m in await world.replies(chat_id, before)]


def utc(moment: datetime) -> datetime:
    """SQLite gives back naive UTC, PostgreSQL aware."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def assignment(db: Database, home: Household) -> HelperAssignment | None:
    async with db.session() as s:
        return await s.scalar(
            select(HelperAssignment).where(HelperAssignment.household_id == home.id)
        )


async def test_a_household_is_assigned_then_moved_and_the_old_helper_named(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, name="和平村")
    async with db.transaction() as s:
        liu = await add_staff(s, town.village, "小刘", "helper")
        wang = await add_staff(s, town.village, "老王", "helper")
        gone = await add_staff(s, town.village, "老赵", "helper")
        gone.active = False  # no longer serving: not offered
        stranger = await add_staff(s, other.village, "外村干部", "helper")
        await assign_helper(s, town.director, town.village, liu, town.households[:2])
    home = town.households[2]
    async with chat_world(db) as world:
        await world.bind(SECRETARY, town.director, staff=town.secretary)
        assert "帮扶分配" in (await world.send(SECRETARY, "帮扶分配"))[0]
        await world.send(SECRETARY, home.head_name)
        asked = await world.press(SECRETARY, f"ha:h:{home.id}")
        assert "现在的帮扶责任人：无" in asked[0]
        assert world.buttons(SECRETARY) == [f"ha:s:{liu.id}", f"ha:s:{wang.id}"]  # by name
        assert labels(world, SECRETARY) == ["小刘（2户）", "老王（0户）"]

        done = await world.press(SECRETARY, f"ha:s:{liu.id}")
        assert done == [f"已将 {home.head_name}（{home.number}）分配给帮扶责任人小刘"]
        row = await assignment(db, home)
        assert row is not None and row.helper_id == liu.id
        assert utc(row.created_at) == world.clock.now

        world.clock.advance(days=3)
        await world.send(SECRETARY, "帮扶分配")
        await world.send(SECRETARY, home.number)
        stale = await press_anyway(world, SECRETARY, f"ha:s:{wang.id}")  # no household yet
        assert "过期" in stale[0]
        await world.send(SECRETARY, home.number)
        asked = await world.press(SECRETARY, f"ha:h:{home.id}")
        assert "现在的帮扶责任人：小刘" in asked[0] and "小刘（3户）" in labels(world, SECRETARY)
        moved = await world.press(SECRETARY, f"ha:s:{wang.id}")
        assert moved == [
            f"已将 {home.head_name}（{home.number}）分配给帮扶责任人老王，原帮扶责任人为小刘"
        ]

        await world.send(SECRETARY, "帮扶分配")
        await world.send(SECRETARY, home.number)
        await world.press(SECRETARY, f"ha:h:{home.id}")
        foreign = await press_anyway(world, SECRETARY, f"ha:s:{stranger.id}")
        assert "不是幸福村在册的帮扶责任人" in foreign[0]  # the domain refuses
        await world.send(SECRETARY, "帮扶分配")
        await world.send(SECRETARY, home.number)
        await world.press(SECRETARY, f"ha:h:{home.id}")
        same = await world.press(SECRETARY, f"ha:s:{wang.id}")
        assert "本来就是老王" in same[0]
    row = await assignment(db, home)
    assert row is not None and row.helper_id == wang.id
    assert utc(row.created_at) == world.clock.now


async def test_follow_ups_are_listed_oldest_first_and_one_is_closed(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, name="和平村")
    async with chat_world(db) as world:
        start = world.clock.now - timedelta(days=20)
        async with db.transaction() as s:
            ids = [
                (
                    await open_follow_up(
                        s,
                        town.households[i % 5],
                        "housing" if i % 2 else "illness",
                        f"情况{i}",
                        now=start + timedelta(hours=12 - i),  # opened newest first
                    )
                ).id
                for i in range(12)
            ]
            foreign = (await open_follow_up(s, other.households[0], "water", "外村", now=start)).id
        oldest = ids[::-1]
        await world.bind(SECRETARY, town.director, staff=town.secretary)
        await world.bind(DIRECTOR, town.secretary, staff=town.director)

        listed = await world.send(DIRECTOR, "待办事项")
        assert listed[0].splitlines()[1].startswith(f"#{oldest[0]} ")
        assert "住房安全" in listed[0] and "因病" in listed[0] and "等共12件" in listed[0]
        assert "外村" not in listed[0]
        assert world.buttons(DIRECTOR) == [f"fu:c:{i}" for i in oldest[:10]]
        assert labels(world, DIRECTOR)[0] == f"处理 #{oldest[0]}"

        await world.send(SECRETARY, "待办事项")
        asked = await world.press(SECRETARY, f"fu:c:{oldest[0]}")
        assert "处理结果" in asked[0]
        closed = await world.send(SECRETARY, "已联系镇民政办申请临时救助")
        assert f"已处理待办 #{oldest[0]}" in closed[0] and "还有 11 件" in closed[0]

        # the director's list is older than the close: pressing it is refused
        again = await world.press(DIRECTOR, f"fu:c:{oldest[0]}")
        assert "不能重复处理" in again[0] and "幸福村文书" in again[0]
        # closed by someone else between the press and the resolution: the domain refuses
        await world.send(DIRECTOR, "待办事项")
        await world.press(DIRECTOR, f"fu:c:{oldest[1]}")
        await world.send(SECRETARY, "待办事项")
        await world.press(SECRETARY, f"fu:c:{oldest[1]}")
        await world.send(SECRETARY, "屋顶已修好")
        late = await world.send(DIRECTOR, "已安排危房改造")
        assert "不能重复处理" in late[0]

        # another village's follow-up: neither a forged button nor a forged step closes it
        await world.send(SECRETARY, "待办事项")
        assert "找不到待办事项" in (await press_anyway(world, SECRETARY, f"fu:c:{foreign}"))[0]
        async with db.transaction() as s:
            step = Step("follow_up", "resolution", {"follow_up": foreign})
            await state.save(s, str(SECRETARY), step, world.clock.now)
        refused = await world.send(SECRETARY, "已处理")
        assert "不属于和平村" in refused[0]

    async with db.session() as s:
        first = await s.get_one(FollowUp, oldest[0])
        second = await s.get_one(FollowUp, oldest[1])
        outside = await s.get_one(FollowUp, foreign)
    assert first.closed_by == town.secretary.id and first.closed_at is not None
    assert first.resolution == "已联系镇民政办申请临时救助"
    assert (second.closed_by, second.resolution) == (town.secretary.id, "屋顶已修好")
    assert outside.closed_at is None and outside.resolution == ""


async def test_helpers_and_shopkeepers_do_not_get_the_care_menus(db: Database) -> None:
    town = await make_town(db)
    home = town.households[0]
    async with db.transaction() as s:
        helper = await add_staff(s, town.village, "小刘", "helper")
        await assign_helper(s, town.director, town.village, helper, town.households[1:2])
        follow_up = await open_follow_up(s, home, "water", "井水浑浊")
    async with chat_world(db) as world:

        async def keyboard(chat: int) -> None:  # something with buttons to forge a press under
            if chat == HELPER:
                await world.send(HELPER, "记录走访")
            else:
                await world.send(SHOP, "兑换")
                await world.send(SHOP, town.households[1].head_name)

        await world.bind(SECRETARY, town.director, staff=town.secretary)
        await world.bind(HELPER, town.director, staff=helper)
        await world.bind(SHOP, town.director, staff=town.shopkeeper)
        await world.send(SECRETARY, "/help")
        assert menu(world, SECRETARY)[-3:] == ["帮扶分配", "待办事项", "帮助"]
        for chat in (HELPER, SHOP):
            await world.send(chat, "/help")
            assert not {"帮扶分配", "待办事项"} & set(menu(world, chat))
            answered = await world.send(chat, "待办事项")
            assert "菜单" in answered[0] and "井水" not in answered[0]
            await keyboard(chat)
            assert "过期" in (await press_anyway(world, chat, f"fu:c:{follow_up.id}"))[0]
            await keyboard(chat)
            assert "过期" in (await press_anyway(world, chat, f"ha:h:{home.id}"))[0]
    async with db.session() as s:
        assert (await s.get_one(FollowUp, follow_up.id)).closed_at is None
    assert await assignment(db, home) is None
