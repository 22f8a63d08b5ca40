"""A helper cadre in Telegram: my households, a visit logged step by step, the week's list."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from core.clock import to_local
from core.db import Database
from tests.chat import chat_world
from tests.factories import make_town
from village.models import Visit
from village.registry import add_staff
from village.visits import assign_helper

HELPER = 6001


async def test_a_helper_logs_a_visit_and_sees_what_is_due(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        helper = await add_staff(s, town.village, "帮扶干部小刘", "helper")
        await assign_helper(s, town.director, town.village, helper, town.households[:3])
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
        assert "走访情况" in (await world.press(HELPER, "vs:d:1"))[0]
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
