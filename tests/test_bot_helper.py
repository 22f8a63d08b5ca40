"""A helper cadre in Telegram: my households, a visit logged step by step, the week's list."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from care.models import FollowUp, Visit, VisitCheck
from care.visits import assign_helper
from core.clock import to_local
from core.db import Database
from tests.chat import ChatWorld, chat_world
from tests.factories import Town, make_town
from village.models import StaffMember
from village.registry import add_staff

HELPER = 6001


def labels(world: ChatWorld, chat_id: int) -> list[str]:
    """The button labels under the newest message to ``chat_id``."""
    newest = [m for m in world.api.sent if m.chat_id == chat_id][-1]
    markup = newest.reply_markup or {}
    return [str(b.get("text")) for row in markup.get("inline_keyboard", []) for b in row]


async def town_with_helper(db: Database, households: int) -> tuple[Town, StaffMember]:
    """A village whose helper 帮扶干部小刘 has its first ``households`` households."""
    town = await make_town(db)
    async with db.transaction() as s:
        helper = await add_staff(s, town.village, "帮扶干部小刘", "helper")
        await assign_helper(s, town.director, town.village, helper, town.households[:households])
    return town, helper


async def test_a_helper_logs_a_visit_and_sees_what_is_due(db: Database) -> None:
    town, helper = await town_with_helper(db, 3)
    home = town.households[1]
    async with chat_world(db) as world:
        await world.bind(HELPER, town.director, staff=helper)
        mine = await world.send(HELPER, "我的农户")
        assert "3 户" in mine[0] and home.head_name in mine[0]
        due = await world.send(HELPER, "本周待访")
        assert home.head_name in due[0]  # never visited: due since it was assigned

        await world.send(HELPER, "记录走访")
        await world.press(HELPER, f"vs:h:{home.id}")
        await world.press(HELPER, "vs:m:phone")
        checklist = await world.press(HELPER, "vs:d:1")
        assert "两不愁三保障" in checklist[0]
        assert world.buttons(HELPER) == [
            "vs:c:food_clothing",
            "vs:c:education",
            "vs:c:medical",
            "vs:c:housing",
            "vs:c:water",
            "vs:c:ok",
        ]
        assert "走访情况" in (await world.press(HELPER, "vs:c:ok"))[0]  # all fine
        logged = await world.send(HELPER, "老人身体好，医保已缴")
        assert "已记录" in logged[0] and "电话" in logged[0]
        due = await world.send(HELPER, "本周待访")
        assert home.head_name not in due[0]  # visited: next due in a month
        yesterday = to_local(world.clock.now).date() - timedelta(days=1)
    async with db.session() as s:
        visits = list(await s.scalars(select(Visit)))
    assert [(v.household_id, v.method, v.note) for v in visits] == [
        (home.id, "phone", "老人身体好，医保已缴")
    ]
    assert visits[0].visited_on == yesterday and visits[0].helper_id == helper.id
    async with db.session() as s:
        checks = list(await s.scalars(select(VisitCheck)))
        follow_ups = list(await s.scalars(select(FollowUp)))
    assert len(checks) == 5 and all(c.ok for c in checks) and follow_ups == []


async def test_the_checklist_toggles_and_each_problem_becomes_a_follow_up(db: Database) -> None:
    town, helper = await town_with_helper(db, 2)
    home = town.households[0]
    async with chat_world(db) as world:
        await world.bind(HELPER, town.director, staff=helper)
        await world.send(HELPER, "记录走访")
        await world.press(HELPER, f"vs:h:{home.id}")
        await world.press(HELPER, "vs:m:in_person")
        await world.send(HELPER, "今天")  # a typed date leads to the checklist too
        assert labels(world, HELPER)[:5] == [
            "✅ 吃穿",
            "✅ 义务教育",
            "✅ 基本医疗",
            "✅ 住房安全",
            "✅ 饮水安全",
        ]
        await world.press(HELPER, "vs:c:water")
        await world.press(HELPER, "vs:c:housing")
        await world.press(HELPER, "vs:c:education")
        again = await world.press(HELPER, "vs:c:education")  # pressed twice: fine again
        assert "两不愁三保障" in again[0]
        assert labels(world, HELPER)[:5] == [
            "✅ 吃穿",
            "✅ 义务教育",
            "✅ 基本医疗",
            "⚠️ 住房安全",
            "⚠️ 饮水安全",
        ]
        ask = await world.press(HELPER, "vs:c:ok")
        assert "住房安全、饮水安全" in ask[0]
        logged = await world.send(HELPER, "屋顶漏雨，井水浑浊")
        assert "已记录" in logged[0] and "发现问题 2 项：住房安全、饮水安全" in logged[0]
    async with db.session() as s:
        checks = {c.item: (c.ok, c.note) for c in await s.scalars(select(VisitCheck))}
        follow_ups = list(await s.scalars(select(FollowUp).order_by(FollowUp.id)))  # type: ignore[arg-type]
    assert checks == {
        "food_clothing": (True, ""),
        "education": (True, ""),
        "medical": (True, ""),
        "housing": (False, "屋顶漏雨，井水浑浊"),
        "water": (False, "屋顶漏雨，井水浑浊"),
    }
    assert [(f.item, f.household_id, f.note, f.closed_at) for f in follow_ups] == [
        ("housing", home.id, "屋顶漏雨，井水浑浊", None),
        ("water", home.id, "屋顶漏雨，井水浑浊", None),
    ]


async def test_a_double_tap_is_answered_not_an_error(db: Database) -> None:
    """The second tap on a button whose keyboard is already gone gets a real answer."""
    town, helper = await town_with_helper(db, 1)
    home = town.households[0]
    async with chat_world(db) as world:
        await world.bind(HELPER, town.director, staff=helper)
        await world.send(HELPER, "记录走访")
        tapped = world.with_button(HELPER, f"vs:h:{home.id}")
        await world.press(HELPER, f"vs:h:{home.id}")
        before = len(world.api.sent)
        world.api.push_callback(HELPER, f"vs:h:{home.id}", message_id=tapped.message_id)
        again = [m.text for m in await world.replies(HELPER, before)]
    assert again and not any("抱歉" in answer for answer in again)
