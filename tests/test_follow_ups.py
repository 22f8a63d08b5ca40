"""Follow-ups (待办): opened by checklist problems and 求助, listed oldest first, closed once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from care.checklist import checks_from_problems
from care.follow_ups import close_follow_up, count_open, item_text, open_follow_ups
from care.hardship import record_hardship
from care.visits import assign_helper, log_visit
from core.db import Database
from core.errors import Conflict, DomainError, Forbidden, NotFound
from tests.factories import make_town
from village.registry import add_staff

NOW = datetime(2026, 3, 8, 4, 0, tzinfo=UTC)


def test_item_text_names_checklist_items_and_hardship_kinds() -> None:
    assert item_text("housing") == "住房安全"
    assert item_text("illness") == "因病"
    assert item_text("something_else") == "something_else"


async def test_open_list_close_once(db: Database) -> None:
    town = await make_town(db, households=3)
    other = await make_town(db, households=1, name="光明村")
    homes = town.households
    async with db.transaction() as s:
        helper = await add_staff(s, town.village, "张帮扶", "helper")
        await assign_helper(s, town.director, town.village, helper, homes)
        await log_visit(
            s,
            helper,
            homes[1],
            date(2026, 3, 7),
            "入户",
            now=NOW,
            checks=checks_from_problems(["住房:屋顶漏雨"]),
        )
        # older than the visit's problem, so it comes first
        await record_hardship(s, homes[2], "老伴住院了", "sms", NOW - timedelta(days=1))
        await record_hardship(s, other.households[0], "房子塌了", "sms", NOW)

    async with db.session() as s:
        listed = await open_follow_ups(s, town.village)
        assert await count_open(s, town.village) == 2
        assert await count_open(s, other.village) == 1
    assert [(f.household.number, f.about, f.source, f.follow_up.note) for f in listed] == [
        (homes[2].number, "因病", "求助", "老伴住院了"),
        (homes[1].number, "住房安全", "走访", "屋顶漏雨"),
    ]
    first, second = (f.follow_up for f in listed)

    for actor in (helper, town.shopkeeper, other.director):
        async with db.transaction() as s:
            with pytest.raises(Forbidden):
                await close_follow_up(s, actor, first.id or 0, "已联系", NOW)
    async with db.transaction() as s:
        with pytest.raises(DomainError, match="请写明处理结果"):
            await close_follow_up(s, town.director, first.id or 0, "  ", NOW)
        with pytest.raises(DomainError, match="最多 500 个字"):
            await close_follow_up(s, town.director, first.id or 0, "办" * 501, NOW)
        with pytest.raises(NotFound, match="找不到待办事项 #9999"):
            await close_follow_up(s, town.director, 9999, "已联系", NOW)

    async with db.transaction() as s:
        closed = await close_follow_up(
            s, town.director, first.id or 0, " 已申请临时救助 ", NOW + timedelta(hours=1)
        )
    assert (closed.resolution, closed.closed_by) == ("已申请临时救助", town.director.id)
    assert closed.closed_at is not None
    async with db.transaction() as s:
        with pytest.raises(Conflict) as again:
            await close_follow_up(s, town.secretary, first.id or 0, "也处理了", NOW)
    assert again.value.message == (
        f"待办事项 #{first.id} 已于 2026-03-08 13:00 由{town.director.name}处理，不能重复处理"
    )

    async with db.session() as s:
        remaining = await open_follow_ups(s, town.village)
        assert await count_open(s, town.village) == 1
    assert [f.follow_up.id for f in remaining] == [second.id]
