"""Helper cadres (帮扶责任人): assignments, due visits, logging a visit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, func, insert
from sqlmodel import col, select

from care.checklist import (
    all_fine,
    checks_from_problems,
    item_name,
    parse_item,
    parse_problem,
    parse_problem_text,
    problems_of,
    problems_text,
)
from care.festivals import Festival
from care.models import ChecklistItem, FollowUp, HelperAssignment, Visit, VisitCheck
from care.visits import (
    VisitState,
    assign_helper,
    due_this_week,
    helper_of,
    log_visit,
    method_text,
    my_households,
    parse_method,
    parse_visit_date,
    set_festival_visits,
    set_visit_plan,
    visit_every,
    week_end,
    year_before,
)
from core.clock import local_today
from core.db import Database
from core.errors import DomainError, Forbidden
from tests.factories import Town, make_town
from village.models import Household, StaffMember, Village
from village.registry import add_staff

# 2026-03-01 10:00 in Shanghai; 2026-03-04 is a Wednesday, 2026-03-08 a Sunday.
ASSIGNED = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
WEDNESDAY = date(2026, 3, 4)
SUNDAY = date(2026, 3, 8)
LATER = datetime(2026, 3, 8, 4, 0, tzinfo=UTC)  # when visits are logged in these tests


async def _helpers(db: Database, town: Town, *names: str) -> list[StaffMember]:
    async with db.transaction() as s:
        return [await add_staff(s, town.village, name, "helper") for name in names]


async def _visits(db: Database) -> int:
    async with db.transaction() as s:
        return int(await s.scalar(select(func.count()).select_from(Visit)) or 0)


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    """The SQL statements run inside the block (not counting SQLite's BEGIN)."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        if not str(args[2]).startswith("BEGIN"):
            seen.append(str(args[2]))

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


# ---------------------------------------------------------------- small parts


def test_methods_dates_and_weeks() -> None:
    assert method_text("in_person") == "入户"
    assert method_text("phone") == "电话"
    assert parse_method("入户").value == "in_person"
    assert parse_method(" 电话 ").value == "phone"
    assert parse_method("PHONE").value == "phone"
    with pytest.raises(DomainError, match="走访方式“写信”无效（可选：入户、电话）"):
        parse_method("写信")
    assert parse_visit_date("2026-03-01") == date(2026, 3, 1)
    assert parse_visit_date("2026/3/1") == date(2026, 3, 1)
    assert parse_visit_date("2026年3月1日") == date(2026, 3, 1)
    assert parse_visit_date("２０２６－０３－０１") == date(2026, 3, 1)
    for bad in ("2026-02-30", "昨天", "03-01"):
        with pytest.raises(DomainError, match="日期"):
            parse_visit_date(bad)
    assert week_end(WEDNESDAY) == SUNDAY
    assert week_end(SUNDAY) == SUNDAY
    assert week_end(date(2026, 3, 2)) == SUNDAY  # a Monday
    assert year_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert local_today(datetime(2026, 3, 1, 16, 30, tzinfo=UTC)) == date(2026, 3, 2)


# ---------------------------------------------------------------- assignments


async def test_assignment_rules(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, households=2, name="光明村")
    zhang, wang = await _helpers(db, town, "张帮扶", "王帮扶")
    homes = town.households
    async with db.transaction() as s:
        outsider = await add_staff(s, other.village, "外村帮扶", "helper")
        county = await add_staff(s, None, "县管理员", "county_admin")

    async with db.transaction() as s:
        # committee only
        for actor in (town.shopkeeper, zhang, other.director):
            with pytest.raises(Forbidden):
                await assign_helper(s, actor, town.village, zhang, homes[:2])
        # the helper must be an active helper of this village
        for not_helper in (town.shopkeeper, town.director, outsider):
            with pytest.raises(DomainError) as refused:
                await assign_helper(s, town.director, town.village, not_helper, homes[:2])
            assert refused.value.code == "visit_not_a_helper"
            assert "不是幸福村在册的帮扶责任人" in refused.value.message
        # only this village's households
        with pytest.raises(Forbidden, match="不属于幸福村"):
            await assign_helper(
                s, town.director, town.village, zhang, [homes[0], *other.households]
            )
        with pytest.raises(DomainError, match="至少"):
            await assign_helper(s, town.director, town.village, zhang, [])
    async with db.transaction() as s:
        assert await s.scalar(select(func.count()).select_from(HelperAssignment)) == 0

    async with db.transaction() as s:
        assert await assign_helper(s, town.director, town.village, zhang, homes[:3]) == 3
        # again: nothing changes; a household named twice counts once
        assert await assign_helper(s, town.director, town.village, zhang, homes[:3]) == 0
        assert await assign_helper(s, town.director, town.village, zhang, [homes[3]] * 2) == 1
        # re-assigning moves the household (one assignment per household)
        assert await assign_helper(s, county, town.village, wang, [homes[0]]) == 1
        assert await helper_of(s, homes[0]) == wang.id
        assert await helper_of(s, homes[1]) == zhang.id
        assert await helper_of(s, homes[4]) is None
        assert await s.scalar(select(func.count()).select_from(HelperAssignment)) == 4

    async with db.transaction() as s:
        zhang = await s.get_one(StaffMember, zhang.id)
        zhang.active = False
        await s.flush()
        with pytest.raises(DomainError, match="帮扶责任人"):
            await assign_helper(s, town.director, town.village, zhang, [homes[4]])


# ---------------------------------------------------------------- due visits


async def _assigned(db: Database, town: Town) -> tuple[StaffMember, StaffMember, list[Household]]:
    zhang, wang = await _helpers(db, town, "张帮扶", "王帮扶")
    homes = town.households
    async with db.transaction() as s:
        await assign_helper(s, town.director, town.village, zhang, homes[:4], now=ASSIGNED)
        await assign_helper(s, town.director, town.village, wang, homes[4:], now=ASSIGNED)
    return zhang, wang, homes


async def _log(db: Database, actor: StaffMember, home: Household, *days: date) -> None:
    async with db.transaction() as s:
        for day in days:
            await log_visit(s, actor, home, day, "in_person", now=LATER)


async def test_my_households_order_and_due_dates(db: Database) -> None:
    town = await make_town(db)
    zhang, wang, homes = await _assigned(db, town)
    await _log(db, zhang, homes[0], date(2026, 2, 20))  # due 3-22
    await _log(db, zhang, homes[1], date(2026, 2, 25), date(2026, 1, 10))  # the later counts: 3-27
    await _log(db, town.director, homes[2], date(2026, 3, 3))  # by the committee: 4-02
    await _log(db, wang, homes[4], date(2026, 1, 1))  # another helper's household
    # homes[3] never visited: due on the day of assignment

    async with db.transaction() as s:
        with counted(db) as statements:
            found = await my_households(s, zhang, WEDNESDAY)
    assert len(statements) == 1
    assert [(st.household.number, st.due_on) for st in found] == [
        (homes[3].number, date(2026, 3, 1)),
        (homes[0].number, date(2026, 3, 22)),
        (homes[1].number, date(2026, 3, 27)),
        (homes[2].number, date(2026, 4, 2)),
    ]
    never, first, second, third = found
    assert never.last_visit is None
    assert never.overdue(WEDNESDAY) and never.days_overdue(WEDNESDAY) == 3
    assert never.state(WEDNESDAY) is VisitState.OVERDUE and never.state_text(WEDNESDAY) == "逾期"
    assert first.last_visit is not None and first.last_visit.visited_on == date(2026, 2, 20)
    assert second.last_visit is not None and second.last_visit.visited_on == date(2026, 2, 25)
    assert third.last_visit is not None and third.last_visit.helper_id == town.director.id
    assert not first.overdue(WEDNESDAY) and first.state(WEDNESDAY) is VisitState.LATER
    assert first.state(date(2026, 3, 16)) is VisitState.THIS_WEEK
    assert first.state_text(WEDNESDAY) == "—"

    async with db.transaction() as s:
        assert [st.household.number for st in await my_households(s, wang, WEDNESDAY)] == [
            homes[4].number
        ]
        assert await my_households(s, town.director, WEDNESDAY) == []


async def test_assignment_day_is_a_shanghai_date(db: Database) -> None:
    town = await make_town(db, households=1)
    (zhang,) = await _helpers(db, town, "张帮扶")
    late_evening_utc = datetime(2026, 2, 28, 17, 0, tzinfo=UTC)  # 3-01 01:00 in Shanghai
    async with db.transaction() as s:
        await assign_helper(
            s, town.director, town.village, zhang, town.households, now=late_evening_utc
        )
        (status,) = await my_households(s, zhang, WEDNESDAY)
    assert status.due_on == date(2026, 3, 1)


async def test_due_this_week_boundaries(db: Database) -> None:
    town = await make_town(db)
    zhang, _, homes = await _assigned(db, town)
    month = timedelta(days=30)
    await _log(db, zhang, homes[0], SUNDAY - month)  # due on Sunday: in
    await _log(db, zhang, homes[1], SUNDAY + timedelta(days=1) - month)  # due Monday: out
    await _log(db, zhang, homes[2], WEDNESDAY - month)  # due today: in
    # homes[3]: due 3-01, overdue: in

    async with db.transaction() as s:
        week = await due_this_week(s, zhang, WEDNESDAY)
        assert [st.household.number for st in week] == [
            homes[3].number,
            homes[2].number,
            homes[0].number,
        ]
        assert [st.overdue(WEDNESDAY) for st in week] == [True, False, False]
        # on the Sunday itself the week ends that day; the Monday after starts the next one
        on_sunday = await due_this_week(s, zhang, SUNDAY)
        assert [st.household.number for st in on_sunday] == [
            homes[3].number,
            homes[2].number,
            homes[0].number,
        ]
        monday = await due_this_week(s, zhang, SUNDAY + timedelta(days=1))
        assert homes[1].number in [st.household.number for st in monday]


# ---------------------------------------------------------------- logging a visit


async def test_log_visit_access(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, households=1, name="光明村")
    zhang, wang, homes = await _assigned(db, town)

    async with db.transaction() as s:
        with pytest.raises(Forbidden) as refused:
            await log_visit(s, wang, homes[0], date(2026, 3, 5), "in_person", now=LATER)
        assert refused.value.code == "visit_not_assigned"
        assert refused.value.message == (
            f"王帮扶不是{homes[0].head_name}（{homes[0].number}）的帮扶责任人，不能登记这次走访"
        )
        for outsider in (town.shopkeeper, other.director):
            with pytest.raises(Forbidden):
                await log_visit(s, outsider, homes[0], date(2026, 3, 5), "phone", now=LATER)
    assert await _visits(db) == 0

    async with db.transaction() as s:
        own = await log_visit(s, zhang, homes[0], date(2026, 3, 5), "phone", " 身体好 ", LATER)
        by_committee = await log_visit(
            s, town.secretary, homes[1], date(2026, 3, 6), "入户", now=LATER
        )
    assert (own.helper_id, own.method, own.note, own.created_at) == (
        zhang.id,
        "phone",
        "身体好",
        LATER,
    )
    assert (by_committee.helper_id, by_committee.method) == (town.secretary.id, "in_person")
    assert await _visits(db) == 2

    async with db.transaction() as s:
        zhang = await s.get_one(StaffMember, zhang.id)
        zhang.active = False
        await s.flush()
        with pytest.raises(Forbidden):
            await log_visit(s, zhang, homes[0], date(2026, 3, 7), "phone", now=LATER)


async def test_log_visit_checks_date_method_and_note(db: Database) -> None:
    town = await make_town(db)
    zhang, _, homes = await _assigned(db, town)
    now = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)  # 2026-03-02 01:00 in Shanghai
    home = homes[0]
    async with db.transaction() as s:
        assert (await log_visit(s, zhang, home, date(2026, 3, 2), "phone", now=now)).id
        assert (await log_visit(s, zhang, home, date(2025, 3, 2), "phone", now=now)).id
        assert (await log_visit(s, zhang, home, date(2026, 3, 1), "phone", "字" * 500, now)).id
    cases: list[tuple[date, str, str, str]] = [
        (date(2026, 3, 3), "phone", "", "还没到"),
        (date(2025, 3, 1), "phone", "", "已超过一年，不能补登（最早 2025-03-02）"),
        (date(2026, 3, 1), "letter", "", "走访方式"),
        (date(2026, 3, 1), "phone", "字" * 501, "最多 500 个字，现在 501 个字"),
    ]
    for day, method, note, message in cases:
        async with db.transaction() as s:
            with pytest.raises(DomainError, match=message):
                await log_visit(s, zhang, home, day, method, note, now)
    assert await _visits(db) == 3


async def test_many_households_in_few_statements(db: Database) -> None:
    town = await make_town(db, households=1)
    (zhang,) = await _helpers(db, town, "张帮扶")
    rows = [
        {
            "village_id": town.village.id,
            "number": f"M{i:05d}",
            "head_name": f"户主{i}",
            "created_at": ASSIGNED,
            "updated_at": ASSIGNED,
        }
        for i in range(1200)
    ]
    async with db.transaction() as s:
        await s.execute(insert(Household), rows)
        homes = list(await s.scalars(select(Household).where(col(Household.number).like("M%"))))
        assert (
            await assign_helper(s, town.director, town.village, zhang, homes, now=ASSIGNED) == 1200
        )
        await log_visit(s, zhang, homes[7], date(2026, 3, 2), "phone", now=LATER)
    async with db.transaction() as s:
        with counted(db) as statements:
            found = await my_households(s, zhang, WEDNESDAY)
    assert len(statements) == 1 and len(found) == 1200
    assert found[-1].household.number == homes[7].number
    assert found[-1].due_on == date(2026, 4, 1)


# ---------------------------------------------------------------- visit plans


async def test_a_household_plan_moves_its_due_date(db: Database) -> None:
    town = await make_town(db)
    zhang, _, homes = await _assigned(db, town)
    await _log(db, zhang, homes[0], date(2026, 2, 20))
    await _log(db, zhang, homes[1], date(2026, 2, 20))
    async with db.transaction() as s:
        assert await set_visit_plan(s, town.director, town.village, [homes[0], homes[3]], 14) == 2
        unchanged = await set_visit_plan(s, town.director, town.village, [homes[0]], 14)
        assert unchanged == 0
        assert await visit_every(s, homes[0]) == 14 and await visit_every(s, homes[1]) == 30
        assert await visit_every(s, homes[4]) == 30  # another helper's, no plan of its own
    async with db.transaction() as s:
        with counted(db) as statements:
            found = {st.household.number: st for st in await my_households(s, zhang, WEDNESDAY)}
    assert len(statements) == 1
    assert found[homes[0].number].due_on == date(2026, 3, 6)  # 2-20 + 14
    assert found[homes[0].number].every_days == 14 and found[homes[0].number].interval == 14
    assert found[homes[1].number].due_on == date(2026, 3, 22)  # 2-20 + 30 (the setting)
    assert found[homes[1].number].every_days is None and found[homes[1].number].interval == 30
    assert found[homes[3].number].due_on == date(2026, 3, 1)  # never visited: the assignment day

    async with db.transaction() as s:  # back to the default
        assert await set_visit_plan(s, town.director, town.village, [homes[0]], None) == 1
        (first,) = [
            st for st in await my_households(s, zhang, WEDNESDAY) if st.household.id == homes[0].id
        ]
    assert first.due_on == date(2026, 3, 22) and first.every_days is None


async def test_plan_rules(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, households=1, name="光明村")
    zhang, _, homes = await _assigned(db, town)
    async with db.transaction() as s:
        await s.execute(
            delete(HelperAssignment).where(col(HelperAssignment.household_id) == homes[3].id)
        )
    for actor in (town.shopkeeper, zhang, other.director):
        async with db.transaction() as s:
            with pytest.raises(Forbidden):
                await set_visit_plan(s, actor, town.village, [homes[0]], 14)
    cases: list[tuple[list[Household], int | None, str]] = [
        ([homes[0]], 6, "走访周期 6 天无效，应在 7–365 天之间"),
        ([homes[0]], 366, "366 天无效"),
        (
            [homes[0], homes[3]],
            14,
            f"这些户还没有帮扶责任人，请先分配再设走访周期：{homes[3].number}",
        ),
        ([other.households[0]], 14, "不属于幸福村"),
        ([], 14, "至少"),
    ]
    for households, days, message in cases:
        async with db.transaction() as s:
            with pytest.raises(DomainError, match=message):
                await set_visit_plan(s, town.director, town.village, households, days)
    async with db.session() as s:
        plans = list(await s.scalars(select(HelperAssignment.every_days)))
    assert plans == [None] * len(plans)
    async with db.transaction() as s:  # the limits themselves are fine
        assert await set_visit_plan(s, town.director, town.village, homes[:2], 7) == 2
        assert await set_visit_plan(s, town.director, town.village, homes[:1], 365) == 1


async def test_festival_visits_are_switched_by_the_committee(db: Database) -> None:
    town = await make_town(db, households=1)
    (zhang,) = await _helpers(db, town, "张帮扶")
    async with db.transaction() as s:
        village = await s.get_one(Village, town.village.id)
        with pytest.raises(Forbidden):
            await set_festival_visits(s, zhang, village, [Festival.SPRING_FESTIVAL])
        on = await set_festival_visits(
            s, town.director, village, [Festival.MID_AUTUMN, Festival.SPRING_FESTIVAL]
        )
        assert on == [Festival.SPRING_FESTIVAL, Festival.MID_AUTUMN]
    async with db.session() as s:
        assert (
            await s.get_one(Village, town.village.id)
        ).festival_visits == "spring_festival,mid_autumn"
    async with db.transaction() as s:
        village = await s.get_one(Village, town.village.id)
        assert await set_festival_visits(s, town.director, village, []) == []
    async with db.session() as s:
        assert (await s.get_one(Village, town.village.id)).festival_visits == ""


# ---------------------------------------------------------------- the checklist


def test_checklist_names_and_the_typed_form() -> None:
    assert [item_name(i.value) for i in ChecklistItem] == [
        "吃穿",
        "义务教育",
        "基本医疗",
        "住房安全",
        "饮水安全",
    ]
    for name, item in (
        ("吃", ChecklistItem.FOOD_CLOTHING),
        ("教育", ChecklistItem.EDUCATION),
        ("医疗", ChecklistItem.MEDICAL),
        (" 住房 ", ChecklistItem.HOUSING),
        ("饮水安全", ChecklistItem.WATER),
        ("water", ChecklistItem.WATER),
    ):
        assert parse_item(name) is item
    with pytest.raises(
        DomainError,
        match="没有“交通”这一项，两不愁三保障为：吃穿、义务教育、基本医疗、住房安全、饮水安全",
    ):
        parse_item("交通")
    assert parse_problem("住房安全:屋顶漏雨") == (ChecklistItem.HOUSING, "屋顶漏雨")
    assert parse_problem("住房：屋顶漏雨：要修") == (ChecklistItem.HOUSING, "屋顶漏雨：要修")
    assert parse_problem("饮水") == (ChecklistItem.WATER, "")
    with pytest.raises(DomainError, match="最多 200 个字"):
        parse_problem("住房:" + "漏" * 201)

    checks = checks_from_problems(["住房安全:屋顶漏雨", "饮水", "住房:墙裂"])
    assert checks == {
        ChecklistItem.FOOD_CLOTHING: (True, ""),
        ChecklistItem.EDUCATION: (True, ""),
        ChecklistItem.MEDICAL: (True, ""),
        ChecklistItem.HOUSING: (False, "屋顶漏雨；墙裂"),
        ChecklistItem.WATER: (False, ""),
    }
    assert problems_of(checks) == [ChecklistItem.HOUSING, ChecklistItem.WATER]
    assert problems_text(checks) == "住房安全（屋顶漏雨；墙裂）、饮水安全"
    assert problems_text(all_fine()) == "无" and all(ok for ok, _ in all_fine().values())
    assert parse_problem_text("住房:屋顶漏雨；饮水\n医疗:没办慢性病卡") == checks_from_problems(
        ["住房:屋顶漏雨", "饮水", "医疗:没办慢性病卡"]
    )


async def test_a_visit_records_its_checklist_and_problems_open_follow_ups(db: Database) -> None:
    town = await make_town(db)
    zhang, _, homes = await _assigned(db, town)
    checks = checks_from_problems(["住房:屋顶漏雨", "饮水"])
    async with db.transaction() as s:
        visit = await log_visit(
            s, zhang, homes[0], date(2026, 3, 5), "入户", "井水浑浊", LATER, checks=checks
        )
        fine = await log_visit(
            s, zhang, homes[1], date(2026, 3, 5), "电话", now=LATER, checks=all_fine()
        )
        partial = await log_visit(
            s,
            zhang,
            homes[2],
            date(2026, 3, 5),
            "电话",
            now=LATER,
            checks={ChecklistItem.MEDICAL: (False, " 没办慢性病卡 ")},
        )
        bare = await log_visit(s, zhang, homes[3], date(2026, 3, 5), "电话", now=LATER)
    async with db.session() as s:
        stored = list(await s.scalars(select(VisitCheck).order_by(col(VisitCheck.id))))
        follow_ups = list(await s.scalars(select(FollowUp).order_by(col(FollowUp.id))))
    by_visit: dict[int | None, dict[str, tuple[bool, str]]] = {}
    for check in stored:
        by_visit.setdefault(check.visit_id, {})[check.item] = (check.ok, check.note)
    assert by_visit[visit.id] == {
        "food_clothing": (True, ""),
        "education": (True, ""),
        "medical": (True, ""),
        "housing": (False, "屋顶漏雨"),
        "water": (False, ""),
    }
    assert list(by_visit[fine.id].values()) == [(True, "")] * 5
    assert by_visit[partial.id] == {"medical": (False, "没办慢性病卡")}  # only what was given
    assert bare.id not in by_visit
    assert [
        (f.visit_id, f.household_id, f.village_id, f.item, f.note, f.opened_at) for f in follow_ups
    ] == [
        (visit.id, homes[0].id, town.village.id, "housing", "屋顶漏雨", LATER),
        (visit.id, homes[0].id, town.village.id, "water", "井水浑浊", LATER),  # the visit's note
        (partial.id, homes[2].id, town.village.id, "medical", "没办慢性病卡", LATER),
    ]
    assert all(f.hardship_id is None and f.closed_at is None for f in follow_ups)

    async with db.transaction() as s:
        with pytest.raises(DomainError, match="最多 200 个字"):
            await log_visit(
                s,
                zhang,
                homes[0],
                date(2026, 3, 6),
                "入户",
                now=LATER,
                checks={ChecklistItem.WATER: (False, "浑" * 201)},
            )
    assert await _visits(db) == 4
