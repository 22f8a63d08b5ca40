"""Roster import, home visits and follow-ups in the console, over HTTP on both databases."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import ClientResponse, FormData
from sqlmodel import col, select

from care.models import FollowUp
from care.visits import assign_helper
from core.clock import to_local, utcnow
from core.db import Database
from core.settings import Settings
from tests.console import (
    PASSWORD,
    Client,
    console_client,
    log_in,
    logged_in,
    page_token,
    staff_with_password,
)
from tests.factories import Town, make_town
from village.models import ActionLog, Household, StaffMember

HEADER = "户编号,户主姓名,身份证号,联系电话,组,家庭人口\n"
GOOD_ID = "410102198002151234"


async def two_villages(db: Database) -> tuple[Town, Town]:
    return await make_town(db, households=3), await make_town(db, households=2, name="光明村")


async def upload(
    client: Client, village_id: int, content: bytes, *, skip_bad: bool = False, token: str = ""
) -> ClientResponse:
    form = FormData()
    form.add_field("csrf_token", token or await page_token(client, f"/villages/{village_id}/"))
    form.add_field("file", content, filename="名单.csv", content_type="text/csv")
    if skip_bad:
        form.add_field("skip_bad", "on")
    return await client.post(f"/villages/{village_id}/roster/import", data=form)


async def numbers(db: Database, prefix: str) -> list[str]:
    async with db.session() as s:
        found = await s.scalars(
            select(Household.number).where(col(Household.number).startswith(prefix))
        )
        return sorted(found)


async def test_the_committee_imports_a_csv_and_sees_the_summary(db: Database) -> None:
    town, _ = await two_villages(db)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    csv = HEADER + f"XF101,孙大力,{GOOD_ID},13800138000,一组,3\nXF102,郑好,,,二组,2\n"
    async with client:
        form = await client.get(f"/villages/{town.village.id}/roster/import")
        assert form.status == 200 and 'enctype="multipart/form-data"' in await form.text()
        response = await upload(client, town.village.id or 0, csv.encode())
        page = await response.text()
    assert response.status == 200, page
    assert "导入完成：共 2 户（新建 2 户，更新 0 户），2 人" in page
    assert await numbers(db, "XF") == ["XF101", "XF102"]


async def test_an_import_is_on_record_with_who_imported_it(db: Database) -> None:
    town, _ = await two_villages(db)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    csv = HEADER + "XF101,孙大力,,,一组,3\nXF102,郑好,,,二组,2\n"
    async with client:
        await upload(client, town.village.id or 0, csv.encode())
        audit = await (await client.get(f"/villages/{town.village.id}/logins")).text()
    async with db.session() as s:
        [line] = list(await s.scalars(select(ActionLog)))
    assert (line.action, line.village_id) == ("import_roster", town.village.id)
    assert line.detail == "导入名单《名单.csv》：本村 2 户"
    assert "李委员" in audit and "导入名单《名单.csv》：本村 2 户" in audit


async def test_a_file_with_bad_rows_imports_nothing_unless_bad_rows_are_skipped(
    db: Database,
) -> None:
    town, _ = await two_villages(db)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    csv = HEADER + "XF101,孙大力,,,一组,3\nXF102,,,,一组,2\nXF103,周小红,,1380013,二组,1\n"
    async with client:
        stopped = await upload(client, town.village.id or 0, csv.encode())
        page = await stopped.text()
        assert stopped.status == 422 and "有 2 处问题，没有导入任何数据" in page
        assert "<td>3</td><td>XF102</td><td>缺少户主姓名</td>" in page
        assert "<td>4</td><td>XF103</td>" in page and "不是有效的电话号码" in page
        assert await numbers(db, "XF") == []

        skipped = await upload(client, town.village.id or 0, csv.encode(), skip_bad=True)
        page = await skipped.text()
    assert skipped.status == 200 and "导入完成：共 1 户" in page and "跳过 2 户" in page
    assert "以下行已跳过（共 2 处）" in page and "<td>3</td><td>XF102</td>" in page
    assert await numbers(db, "XF") == ["XF101"]


async def test_a_head_registered_in_another_village_is_imported_with_a_warning(
    db: Database,
) -> None:
    town, other = await two_villages(db)
    async with db.transaction() as s:
        home = await s.get_one(Household, other.households[0].id)
        home.id_card = GOOD_ID
    client = await logged_in(db, "幸福村", "李委员", "committee")
    async with client:
        response = await upload(
            client, town.village.id or 0, (HEADER + f"XF101,孙大力,{GOOD_ID},,一组,3\n").encode()
        )
        page = await response.text()
    assert response.status == 200 and "导入完成：共 1 户" in page
    assert "也是光明村 光明村-001 户的户主" in page and GOOD_ID not in page


async def test_a_shopkeeper_may_not_import_the_roster(db: Database) -> None:
    town, _ = await two_villages(db)
    client = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with client:
        form = await client.get(f"/villages/{town.village.id}/roster/import")
        assert form.status == 403 and "没有权限" in await form.text()
        response = await upload(
            client, town.village.id or 0, (HEADER + "XF101,孙大力,,,一组,3\n").encode()
        )
        assert response.status == 403 and "没有权限" in await response.text()
    assert await numbers(db, "XF") == []


async def test_another_villages_committee_may_not_import_here(db: Database) -> None:
    town, other = await two_villages(db)
    client = await logged_in(db, "光明村", "孙文书", "committee")
    async with client:
        token = await page_token(client, f"/villages/{other.village.id}/")
        csv = (HEADER + "XF101,孙大力,,,一组,3\n").encode()
        response = await upload(client, town.village.id or 0, csv, token=token)
        assert response.status == 403 and "无权查看这个村" in await response.text()
    assert await numbers(db, "XF") == []


async def test_a_file_over_5_mb_is_refused_in_chinese(db: Database) -> None:
    town, _ = await two_villages(db)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    big = (HEADER + "XF101,孙大力,,,一组,3\n").encode() + b"#" * (5 * 1024 * 1024 + 100_000)
    async with client:
        response = await upload(client, town.village.id or 0, big)
        assert response.status == 413 and "文件太大：最大 5 MB" in await response.text()
    assert await numbers(db, "XF") == []


async def helper_for(db: Database, town: Town, name: str, homes: list[int], days_ago: int) -> None:
    """A helper with a password, responsible for ``homes`` since ``days_ago`` days."""
    helper = await staff_with_password(db, "幸福村", name, "helper", PASSWORD)
    async with db.transaction() as s:
        households = [await s.get_one(Household, town.households[i].id) for i in homes]
        await assign_helper(
            s,
            await s.get_one(StaffMember, town.secretary.id),
            town.village,
            await s.get_one(StaffMember, helper.id),
            households,
            now=utcnow() - timedelta(days=days_ago),
        )


async def test_the_committee_sees_visits_due_and_overdue_with_each_helper(db: Database) -> None:
    town, _ = await two_villages(db)
    await helper_for(db, town, "赵帮扶", [0], days_ago=40)
    await helper_for(db, town, "钱帮扶", [1], days_ago=0)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    async with client:
        response = await client.get(f"/villages/{town.village.id}/visits")
        page = await response.text()
    assert response.status == 200
    assert "幸福村-001</a></td>\n    <td>户主1</td><td>赵帮扶</td>" in page and "逾期 40 天" in page
    assert "幸福村-002</a></td>\n    <td>户主2</td><td>钱帮扶</td>" in page and "本周" in page
    assert "幸福村-003" not in page  # nobody's to visit
    assert (
        "<tr><td>赵帮扶</td><td>1</td></tr>" in page
        and "<tr><td>钱帮扶</td><td>1</td></tr>" in page
    )


def visit_form(token: str, number: str, **extra: str) -> dict[str, str]:
    today = to_local(utcnow()).date().isoformat()
    return {
        "csrf_token": token,
        "household": number,
        "method": "in_person",
        "visited_on": today,
    } | extra


async def test_the_committee_logs_a_visit_and_closes_the_follow_up_it_opened(db: Database) -> None:
    town, _ = await two_villages(db)
    await helper_for(db, town, "赵帮扶", [0], days_ago=40)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    visits = f"/villages/{town.village.id}/visits"
    async with client:
        token = await page_token(client, visits)
        form = visit_form(token, "幸福村-001", problem_housing="on", note_housing="屋顶漏雨")
        logged = await client.post(visits, data=form, allow_redirects=False)
        assert logged.status == 303 and logged.headers["Location"].startswith(visits + "?logged=")
        page = await (await client.get(logged.headers["Location"])).text()
        assert "已记录走访：幸福村-001 户主1" in page and "入户；发现问题 1 项" in page
        assert "逾期 40 天" not in page  # visited: due again in 30 days

        tomorrow = (to_local(utcnow()).date() + timedelta(days=1)).isoformat()
        future = await client.post(
            visits, data=visit_form(token, "幸福村-002", visited_on=tomorrow)
        )
        assert future.status == 400 and "还没到" in await future.text()

        follow_ups = f"/villages/{town.village.id}/follow-ups"
        page = await (await client.get(follow_ups)).text()
        assert "住房安全" in page and "屋顶漏雨" in page and "走访" in page
        async with db.session() as s:
            follow_up = await s.scalar(
                select(FollowUp).where(FollowUp.village_id == town.village.id)
            )
        assert follow_up is not None and follow_up.closed_at is None
        close = f"{follow_ups}/{follow_up.id}/close"
        closed = await client.post(
            close, data={"csrf_token": token, "resolution": "已申请危房改造"}, allow_redirects=False
        )
        assert (
            closed.status == 303
            and closed.headers["Location"] == f"{follow_ups}?closed={follow_up.id}"
        )
        page = await (await client.get(closed.headers["Location"])).text()
        assert (
            "已办结：幸福村-001 户主1 住房安全（已申请危房改造）" in page and "没有待办事项" in page
        )

        again = await client.post(close, data={"csrf_token": token, "resolution": "再办一次"})
        assert again.status == 400 and "已" in await again.text()
    async with db.session() as s:
        done = await s.get_one(FollowUp, follow_up.id)
        closer = await s.get_one(StaffMember, done.closed_by)
    assert done.resolution == "已申请危房改造" and closer.name == "李委员"


async def test_a_helper_logs_visits_only_for_her_own_households(db: Database) -> None:
    town, _ = await two_villages(db)
    await helper_for(db, town, "赵帮扶", [0], days_ago=3)
    client = await console_client(db, Settings(database_url=db.url))
    visits = f"/villages/{town.village.id}/visits"
    async with client:
        assert (await log_in(client, "幸福村", "赵帮扶", PASSWORD)).status == 200
        token = await page_token(client, visits)
        mine = await client.post(
            visits, data=visit_form(token, "幸福村-001", method="phone"), allow_redirects=False
        )
        assert mine.status == 303
        page = await (await client.get(mine.headers["Location"])).text()
        assert "已记录走访：幸福村-001 户主1" in page and "电话；发现问题 0 项" in page

        not_mine = await client.post(visits, data=visit_form(token, "幸福村-002"))
        assert (
            not_mine.status == 403
            and "不是户主2（幸福村-002）的帮扶责任人" in await not_mine.text()
        )


async def test_another_village_and_a_shopkeeper_may_not_log_visits_or_close_follow_ups(
    db: Database,
) -> None:
    town, other = await two_villages(db)
    await helper_for(db, town, "赵帮扶", [0], days_ago=3)
    committee = await logged_in(db, "幸福村", "李委员", "committee")
    async with committee:
        token = await page_token(committee, f"/villages/{town.village.id}/visits")
        form = visit_form(token, "幸福村-001", problem_water="on")
        assert (
            await committee.post(f"/villages/{town.village.id}/visits", data=form)
        ).status == 200
    async with db.session() as s:
        follow_up = await s.scalar(select(FollowUp))
    assert follow_up is not None

    stranger = await logged_in(db, "光明村", "孙文书", "committee")
    async with stranger:
        token = await page_token(stranger, f"/villages/{other.village.id}/visits")
        there = f"/villages/{town.village.id}"
        assert (await stranger.get(f"{there}/visits")).status == 403
        logged = await stranger.post(f"{there}/visits", data=visit_form(token, "幸福村-001"))
        assert logged.status == 403 and "无权查看这个村" in await logged.text()
        closing = {"csrf_token": token, "resolution": "已处理"}
        assert (
            await stranger.post(f"{there}/follow-ups/{follow_up.id}/close", data=closing)
        ).status == 403
        here = f"/villages/{other.village.id}/follow-ups/{follow_up.id}/close"
        assert (await stranger.post(here, data=closing)).status == 404

    shopkeeper = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with shopkeeper:
        token = await page_token(shopkeeper, f"/villages/{town.village.id}/follow-ups")
        closing = {"csrf_token": token, "resolution": "已处理"}
        refused = await shopkeeper.post(
            f"/villages/{town.village.id}/follow-ups/{follow_up.id}/close", data=closing
        )
        assert refused.status == 403 and "没有权限" in await refused.text()
        logged = await shopkeeper.post(
            f"/villages/{town.village.id}/visits", data=visit_form(token, "幸福村-001")
        )
        assert logged.status == 403
    async with db.session() as s:
        assert (await s.get_one(FollowUp, follow_up.id)).closed_at is None
