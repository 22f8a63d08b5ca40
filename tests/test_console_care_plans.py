"""The 帮扶 page (assignments, visit plans, festivals) and the 困难求助 page, over HTTP on both databases."""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp import ClientResponse
from sqlmodel import select

from care.follow_ups import close_follow_up
from care.hardship import record_hardship
from care.models import FollowUp, HelperAssignment
from care.visits import assign_helper, log_visit
from core.clock import local_text, to_local, utcnow
from core.db import Database
from tests.console import (
    PASSWORD,
    Client,
    client_of,
    logged_in,
    outcome,
    page_token,
    staff_with_password,
)
from tests.factories import Town, make_town
from village.models import Household, StaffMember, Village

GOOD_ID = "410102198002151234"


def today() -> date:
    return to_local(utcnow()).date()


async def helper_for(db: Database, town: Town, name: str, homes: list[int], days_ago: int) -> int:
    """A helper with a password, responsible for ``homes`` since ``days_ago`` days; their id."""
    helper = await staff_with_password(db, town.village.name, name, "helper", PASSWORD)
    if homes:
        async with db.transaction() as s:
            await assign_helper(
                s,
                await s.get_one(StaffMember, town.secretary.id),
                town.village,
                await s.get_one(StaffMember, helper.id),
                [await s.get_one(Household, town.households[i].id) for i in homes],
                now=utcnow() - timedelta(days=days_ago),
            )
    return helper.id or 0


async def post(client: Client, town: Town, action: str, data: dict[str, object]) -> ClientResponse:
    """Post a form of the 帮扶 page with its token; the response is the page it leads to."""
    care = f"/villages/{town.village.id}/care"
    token = await page_token(client, care)
    return await client.post(f"{care}/{action}", data={"csrf_token": token} | data)


async def helper_of(db: Database, town: Town, home: int) -> tuple[int, int | None] | None:
    """(helper id, every_days) of the household's assignment."""
    async with db.session() as s:
        row = await s.scalar(
            select(HelperAssignment).where(
                HelperAssignment.household_id == town.households[home].id
            )
        )
        return (row.helper_id, row.every_days) if row else None


async def test_a_secretary_assigns_a_household_to_a_helper_and_the_count_goes_up(
    db: Database,
) -> None:
    town = await make_town(db, households=3)
    zhao = await helper_for(db, town, "赵帮扶", [0], days_ago=10)
    qian = await helper_for(db, town, "钱帮扶", [], days_ago=0)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    async with client:
        page = await (await client.get(f"/villages/{town.village.id}/care")).text()
        assert "<tr><td>赵帮扶</td><td>1</td></tr>" in page
        assert "<tr><td>钱帮扶</td><td>0</td></tr>" in page
        assert f'action="/villages/{town.village.id}/care/assign"' in page

        assigned = await post(client, town, "assign", {"household": "幸福村-002", "helper": qian})
        page = await assigned.text()
        assert assigned.status == 200 and assigned.url.query["q"] == "幸福村-002"
        assert outcome(page, "notice") == "已将 幸福村-002 户主2 分配给帮扶责任人钱帮扶"
        assert "<tr><td>钱帮扶</td><td>1</td></tr>" in page

        moved = await post(client, town, "assign", {"household": "幸福村-001", "helper": qian})
        page = await moved.text()
        assert outcome(page, "notice") == "已将 幸福村-001 户主1 分配给帮扶责任人钱帮扶"
        assert "<tr><td>赵帮扶</td><td>0</td></tr>" in page
        assert "<tr><td>钱帮扶</td><td>2</td></tr>" in page

        again = await post(client, town, "assign", {"household": "幸福村-001", "helper": qian})
        assert "已是钱帮扶，未改动" in outcome(await again.text(), "notice")
    assert await helper_of(db, town, 0) == (qian, None)
    assert await helper_of(db, town, 1) == (qian, None)
    assert await helper_of(db, town, 2) is None and zhao != qian


async def test_a_secretary_sets_a_30_day_plan_and_the_visits_page_follows(db: Database) -> None:
    town = await make_town(db, households=2)
    await helper_for(db, town, "赵帮扶", [0], days_ago=100)
    async with db.transaction() as s:
        secretary = await s.get_one(StaffMember, town.secretary.id)
        home = await s.get_one(Household, town.households[0].id)
        await log_visit(s, secretary, home, today() - timedelta(days=35), "in_person")
    client = await logged_in(db, "幸福村", "李委员", "committee")
    visits = f"/villages/{town.village.id}/visits"
    async with client:
        longer = await post(client, town, "plan", {"household": "幸福村-001", "every_days": "60"})
        due = (today() + timedelta(days=25)).isoformat()
        assert outcome(await longer.text(), "notice") == (
            f"幸福村-001 户主1 走访周期：每 60 天，下次应访 {due}"
        )
        assert "幸福村-001" not in await (await client.get(visits)).text()  # due in 25 days

        monthly = await post(client, town, "plan", {"household": "幸福村-001", "every_days": "30"})
        page = await monthly.text()
        due = (today() - timedelta(days=5)).isoformat()
        assert outcome(page, "notice") == f"幸福村-001 户主1 走访周期：每 30 天，下次应访 {due}"
        assert f'<td class="error">{due}（逾期）</td>' in page and "每 30 天" in page
        visits_page = await (await client.get(visits)).text()
    assert f"<td>赵帮扶</td><td>{due}</td>" in visits_page and "逾期 5 天" in visits_page
    assert await helper_of(db, town, 0) is not None
    assert (await helper_of(db, town, 0) or (0, 0))[1] == 30


async def test_an_out_of_range_plan_is_refused_in_chinese(db: Database) -> None:
    town = await make_town(db, households=2)
    await helper_for(db, town, "赵帮扶", [0], days_ago=10)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    async with client:
        short = await post(client, town, "plan", {"household": "幸福村-001", "every_days": "3"})
        assert short.status == 200
        assert outcome(await short.text(), "error") == "走访周期 3 天无效，应在 7–365 天之间"
        words = await post(client, town, "plan", {"household": "幸福村-001", "every_days": "一月"})
        assert "不是天数" in outcome(await words.text(), "error")
        nobody = await post(client, town, "plan", {"household": "幸福村-002", "every_days": "30"})
        assert "还没有帮扶责任人" in outcome(await nobody.text(), "error")
    assert (await helper_of(db, town, 0) or (0, 0))[1] is None
    assert await helper_of(db, town, 1) is None


async def test_a_secretary_switches_the_festival_visits_on_and_off(db: Database) -> None:
    town = await make_town(db, households=1)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    async with client:
        both = await post(
            client, town, "festivals", {"festival": ["spring_festival", "mid_autumn"]}
        )
        page = await both.text()
        assert outcome(page, "notice") == "幸福村 节日走访：春节、中秋"
        assert 'value="mid_autumn" checked' in page and "当前：春节、中秋" in page
        async with db.session() as s:
            assert (await s.get_one(Village, town.village.id)).festival_visits == (
                "spring_festival,mid_autumn"
            )
        none = await post(client, town, "festivals", {})
        assert outcome(await none.text(), "notice") == "幸福村 节日走访：未开启"
    async with db.session() as s:
        assert (await s.get_one(Village, town.village.id)).festival_visits == ""


async def test_the_hardship_page_lists_a_report_with_the_id_card_masked(db: Database) -> None:
    town = await make_town(db, households=2)
    async with db.transaction() as s:
        home = await s.get_one(Household, town.households[1].id)
        home.id_card, home.phone = GOOD_ID, "+8613800138000"
        report = await record_hardship(s, home, "老伴住院了", "sms")
        follow_up = await s.scalar(select(FollowUp).where(FollowUp.hardship_id == report.id))
        assert follow_up is not None
    client = await logged_in(db, "幸福村", "李委员", "committee")
    hardship = f"/villages/{town.village.id}/hardship"
    async with client:
        response = await client.get(hardship)
        page = await response.text()
        assert response.status == 200
        assert f"<td>{local_text(report.reported_at)}</td>" in page
        assert "<td>户主2</td><td>4101**********1234</td><td>138****8000</td>" in page
        assert "<td>因病</td><td>老伴住院了</td><td>短信</td>" in page
        assert GOOD_ID not in page and "13800138000" not in page
        assert f'follow-ups#follow-up-{follow_up.id}">待处理</a>' in page
        follow_ups = await (await client.get(f"/villages/{town.village.id}/follow-ups")).text()
        assert f'<tr id="follow-up-{follow_up.id}">' in follow_ups

        async with db.transaction() as s:
            director = await s.get_one(StaffMember, town.director.id)
            await close_follow_up(s, director, follow_up.id or 0, "已申请临时救助")
        page = await (await client.get(hardship)).text()
        assert "已处理（" in page and "已申请临时救助" in page
        bad = await client.get(hardship + "?days=0")
        assert bad.status == 400 and "天数应为 1–366 的数字" in await bad.text()


async def test_a_supervisor_reads_the_care_pages_without_forms_and_may_not_post(
    db: Database,
) -> None:
    town = await make_town(db, households=2)
    await helper_for(db, town, "赵帮扶", [0], days_ago=10)
    client = await logged_in(db, "幸福村", "周监督", "supervisor")
    async with client:
        care = await client.get(f"/villages/{town.village.id}/care")
        page = await care.text()
        assert care.status == 200 and "<tr><td>赵帮扶</td><td>1</td></tr>" in page
        assert "幸福村-001" in page and "每 30 天（默认）" in page
        assert "/care/assign" not in page and "/care/plan" not in page
        assert "/care/festivals" not in page and "当前：未开启" in page
        assert (await client.get(f"/villages/{town.village.id}/hardship")).status == 200
        refused = await post(client, town, "plan", {"household": "幸福村-001", "every_days": "14"})
        assert refused.status == 403
    assert (await helper_of(db, town, 0) or (0, 0))[1] is None


async def test_a_helper_sees_only_their_own_households_plans(db: Database) -> None:
    town = await make_town(db, households=3)
    await helper_for(db, town, "赵帮扶", [0], days_ago=10)
    await helper_for(db, town, "钱帮扶", [1], days_ago=10)
    client = await logged_in(db, "幸福村", "孙帮扶", "helper")
    async with client:
        empty = await (await client.get(f"/villages/{town.village.id}/care")).text()
        assert "您还没有负责的农户" in empty
    helper = await client_of(db, "幸福村", "赵帮扶")
    async with helper:
        response = await helper.get(f"/villages/{town.village.id}/care")
        page = await response.text()
        assert response.status == 200 and "赵帮扶 负责的农户" in page
        assert "幸福村-001" in page and "幸福村-002" not in page
        assert "/care/assign" not in page and "/care/festivals" not in page
        assert (await helper.get(f"/villages/{town.village.id}/hardship")).status == 403


async def test_a_shopkeeper_is_refused_the_care_and_hardship_pages(db: Database) -> None:
    town = await make_town(db, households=1)
    client = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with client:
        for path in ("care", "hardship"):
            response = await client.get(f"/villages/{town.village.id}/{path}")
            assert response.status == 403 and "岗位不能做这件事" in await response.text()
        dashboard = await (await client.get(f"/villages/{town.village.id}/")).text()
        assert '/care"' not in dashboard and '/hardship"' not in dashboard
    committee = await logged_in(db, "幸福村", "李委员", "committee")
    async with committee:
        dashboard = await (await committee.get(f"/villages/{town.village.id}/")).text()
    assert f'/villages/{town.village.id}/care">帮扶</a>' in dashboard
    assert f'/villages/{town.village.id}/hardship">困难求助</a>' in dashboard
