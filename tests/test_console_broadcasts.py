"""Policy notices in the console over HTTP, on both databases: a real server, a real login."""

from __future__ import annotations

import re
from datetime import time, timedelta
from io import BytesIO

from aiohttp import web
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from core.clock import to_local, utcnow
from core.db import Database
from core.settings import Settings
from notifications.models import (
    MessageStatus,
    Notice,
    NoticeOccurrence,
    NoticeStatus,
    OutboxMessage,
)
from outreach.audience import Audience
from outreach.notices import create_notice, fire_due, send_now
from tests import console
from tests.console import Client, csrf_token
from tests.factories import Town, make_town
from village.models import Household, StaffMember
from village.staff_login import set_password

SETTINGS_PRICE = Settings().sms_price_yuan


async def village_with_phones(db: Database) -> tuple[Town, Town]:
    """幸福村 of 3 households, two with a mobile; 光明村 next door."""
    town = await make_town(db, households=3)
    other = await make_town(db, households=1, name="光明村")
    async with db.transaction() as s:
        for home, phone in zip(town.households, ("+8613800001234", "+8613900002345"), strict=False):
            row = await s.get_one(Household, home.id)
            row.phone = phone
    return town, other


DAYTIME = (time(0, 0), time(0, 0))  # no quiet hours: SMS may go at any time
NIGHT = (time(0, 0), time(23, 59, 59, 999_999))  # quiet all day long


async def logged_in(
    db: Database, village: str | None, name: str, role: str, quiet: tuple[time, time] = DAYTIME
) -> Client:
    settings = Settings(database_url=db.url, quiet_start=quiet[0], quiet_end=quiet[1])
    return await console.logged_in(db, village, name, role, settings)


def figure(page: str, name: str) -> str:
    found = re.search(rf'id="{name}">[^<]*<b>([^<]*)</b>', page)
    assert found is not None, page
    return found.group(1)


async def compose(client: Client, village_id: int | None, **fields: str) -> web.StreamResponse:
    """Fill in the compose form of a village's page (of the county's with no village)."""
    path = f"/villages/{village_id}/broadcasts" if village_id else "/township/broadcasts"
    page = await (await client.get(path)).text()
    form = {"csrf_token": csrf_token(page), "title": "医保缴费提醒", "when": "now"}
    form["body"] = "2027年度城乡居民医保开始缴费，请于12月31日前缴纳。"
    return await client.post(path, data=form | fields, allow_redirects=False)


async def test_the_committee_previews_sends_and_exports_a_notice(db: Database) -> None:
    town, _ = await village_with_phones(db)
    village_id = town.village.id or 0
    client = await logged_in(db, "幸福村", "李委员", "committee")
    async with client:
        made = await compose(client, village_id)
        assert made.status == 303
        notice_url = made.headers["Location"]
        page = await (await client.get(notice_url)).text()
        assert figure(page, "reach-sms") == "2" and figure(page, "reach-telegram") == "0"
        assert figure(page, "reach-none") == "1"
        assert figure(page, "sms-cost") == f"{SETTINGS_PRICE * 2:.2f} 元"
        assert 'id="progress"' not in page  # nothing sent yet
        sent = await client.post(
            notice_url + "/send", data={"csrf_token": csrf_token(page)}, allow_redirects=False
        )
        assert sent.status == 303 and sent.headers["Location"] == notice_url
        page = await (await client.get(notice_url)).text()
        assert "开始发送，共 2 户" in page
        assert 'hx-trigger="every 1s"' in page and "已完成 0/2" in page  # no worker here
        async with db.transaction() as s:  # what the service's outbox worker does
            await s.execute(
                update(OutboxMessage).values(
                    status=MessageStatus.DELIVERED.value, finished_at=utcnow()
                )
            )
        part = await (await client.get(notice_url + "/progress")).text()
        assert "已完成 2/2" in part and "全部发送完毕" in part and "hx-get" not in part
        listing = await (await client.get(f"/villages/{village_id}/broadcasts")).text()
        assert "医保缴费提醒" in listing and "2/2" in listing
        notice_id = notice_url.rsplit("/", 1)[1]
        book = await client.get(f"/villages/{village_id}/export/broadcast-{notice_id}.xlsx")
        assert book.status == 200
        rows = list(load_workbook(BytesIO(await book.read())).active.iter_rows(values_only=True))
        assert len(rows) == 3 and rows[1][4] == "138****1234" and rows[1][5] == "已送达"
        assert not any("13800001234" in str(cell) for row in rows for cell in row)


async def test_at_night_the_progress_says_the_sms_wait_for_the_morning(db: Database) -> None:
    town, _ = await village_with_phones(db)
    village_id = town.village.id or 0
    client = await logged_in(db, "幸福村", "李委员", "committee", quiet=NIGHT)
    async with client:
        notice_url = (await compose(client, village_id)).headers["Location"]
        page = await (await client.get(notice_url)).text()
        await client.post(notice_url + "/send", data={"csrf_token": csrf_token(page)})
        part = await (await client.get(notice_url + "/progress")).text()
        assert "已完成 0/2" in part and "2 条短信将在早上自动发出" in part
        assert "hx-get" not in part  # nothing moves before the morning: polling stops


async def test_a_yearly_notice_is_scheduled_and_a_past_time_is_refused(db: Database) -> None:
    town, _ = await village_with_phones(db)
    village_id = town.village.id or 0
    client = await logged_in(db, "幸福村", "李委员", "committee")
    soon = to_local(utcnow() + timedelta(days=3)).replace(hour=9, minute=0)
    async with client:
        yearly = await compose(
            client, village_id, when="yearly", at=soon.strftime("%Y-%m-%dT%H:%M")
        )
        assert yearly.status == 303
        page = await (await client.get(yearly.headers["Location"])).text()
        assert f"0 9 {soon.day} {soon.month} *" in page
        past = await compose(client, village_id, when="at", at="2020-01-01T09:00")
        assert past.status == 400 and "已经过去" in await past.text()
    async with db.session() as s:
        notices = list(await s.scalars(select(Notice)))
    assert [n.cron for n in notices] == [f"0 9 {soon.day} {soon.month} *"]


async def test_only_the_villages_committee_sends_notices(db: Database) -> None:
    town, other = await village_with_phones(db)
    village_id = town.village.id or 0
    committee = await logged_in(db, "幸福村", "李委员", "committee")
    async with committee:
        notice_url = (await compose(committee, village_id)).headers["Location"]
    supervisor = await logged_in(db, "幸福村", "监委会", "supervisor")
    async with supervisor:
        assert (await supervisor.get(f"/villages/{village_id}/broadcasts")).status == 403
    neighbour = await logged_in(db, "光明村", "光明委员", "committee")
    async with neighbour:
        assert (await neighbour.get(notice_url)).status == 403
        page = await (await neighbour.get(f"/villages/{other.village.id}/broadcasts")).text()
        refused = await neighbour.post(
            notice_url + "/send", data={"csrf_token": csrf_token(page)}, allow_redirects=False
        )
        assert refused.status == 403
        hidden = await neighbour.get(
            f"/villages/{other.village.id}/broadcasts/{notice_url.rsplit('/', 1)[1]}"
        )
        assert hidden.status in (403, 404)
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_a_secretary_cancels_a_weekly_notice_and_nothing_more_is_planned(
    db: Database,
) -> None:
    town, _ = await village_with_phones(db)
    village_id = town.village.id or 0
    async with db.transaction() as s:
        secretary = await s.get_one(StaffMember, town.secretary.id)
        await set_password(s, secretary, console.PASSWORD)
        weekly = await create_notice(
            s,
            secretary,
            town.village,
            "卫生评比",
            "每周一上午村里评比户容户貌，请提前打扫。",
            Audience(),
            cron="0 9 * * 1",
        )
        await send_now(s, weekly)  # fired once already: 2 SMS still queued
    settings = Settings(database_url=db.url, quiet_start=DAYTIME[0], quiet_end=DAYTIME[1])
    client = await console.client_of(db, "幸福村", town.secretary.name, settings)
    notice_url = f"/villages/{village_id}/broadcasts/{weekly.id}"
    async with client:
        page = await (await client.get(notice_url)).text()
        assert "0 9 * * 1" in page and 'id="cancel"' in page and "撤销这条通知" in page
        cancelled = await client.post(
            notice_url + "/cancel", data={"csrf_token": csrf_token(page)}, allow_redirects=False
        )
        assert cancelled.status == 303 and cancelled.headers["Location"] == notice_url
        page = await (await client.get(notice_url)).text()
        assert console.outcome(page, "notice") == (
            f"通知 #{weekly.id} 已撤销，2 条未发出的消息已作废"
        )
        assert "已撤销" in page and 'id="cancel"' not in page and 'id="send"' not in page
        again = await client.post(notice_url + "/cancel", data={"csrf_token": csrf_token(page)})
        assert console.outcome(await again.text(), "error") == (
            f"通知 #{weekly.id} 已撤销，不能再发送"
        )
    async with db.transaction() as s:  # the scheduler's sweep, a month on
        assert await fire_due(s, utcnow() + timedelta(days=31)) == []
    async with db.session() as s:
        notice = await s.get_one(Notice, weekly.id)
        assert notice.status == NoticeStatus.CANCELLED.value and notice.next_run_at is None
        assert await s.scalar(select(func.count()).select_from(NoticeOccurrence)) == 1
        statuses = list(await s.scalars(select(OutboxMessage.status)))
    assert statuses == [MessageStatus.CANCELLED.value] * 2


async def test_a_county_admin_sends_one_notice_to_two_villages(db: Database) -> None:
    town, other = await village_with_phones(db)
    async with db.transaction() as s:
        neighbour = await s.get_one(Household, other.households[0].id)
        neighbour.phone = "+8613700003456"
    client = await logged_in(db, None, "县里李", "county_admin")
    async with client:
        township = await (await client.get("/township")).text()
        assert 'href="/township/broadcasts"' in township and "给全县各村发通知" in township
        made = await compose(client, None)
        assert made.status == 303
        notice_url = made.headers["Location"]
        assert notice_url.startswith("/township/broadcasts/")
        page = await (await client.get(notice_url)).text()
        assert "全县各村" in page
        assert figure(page, "reach-sms") == "3" and figure(page, "reach-none") == "1"
        assert figure(page, "sms-cost") == f"{SETTINGS_PRICE * 3:.2f} 元"
        sent = await client.post(
            notice_url + "/send", data={"csrf_token": csrf_token(page)}, allow_redirects=False
        )
        assert sent.status == 303 and sent.headers["Location"] == notice_url
        page = await (await client.get(notice_url)).text()
        assert "开始发送，共 3 户" in page and "已完成 0/3" in page
        assert f'hx-get="{notice_url}/progress"' in page
        part = await (await client.get(notice_url + "/progress")).text()
        assert "已完成 0/3" in part
        listing = await (await client.get("/township/broadcasts")).text()
        assert f'href="{notice_url}"' in listing and "医保缴费提醒" in listing
        book = await client.get(f"/township/export/broadcast-{notice_url.rsplit('/', 1)[1]}.xlsx")
        assert book.status == 200
    async with db.session() as s:
        reached = await s.execute(
            select(Household.village_id, func.count())
            .join(OutboxMessage, OutboxMessage.household_id == Household.id)
            .group_by(Household.village_id)
        )
        notices = list(await s.scalars(select(Notice)))
    assert {village: count for village, count in reached} == {
        town.village.id: 2,
        other.village.id: 1,
    }
    assert [n.village_id for n in notices] == [None]


async def test_a_village_secretary_cannot_open_the_township_broadcasts(db: Database) -> None:
    town, _ = await village_with_phones(db)
    county = await logged_in(db, None, "县里李", "county_admin")
    async with county:
        county_wide = (await compose(county, None)).headers["Location"]
    client = await logged_in(db, "幸福村", "李委员", "committee")
    async with client:
        assert (await client.get("/township/broadcasts")).status == 403
        assert (await client.get(county_wide)).status == 403
        page = await (await client.get(f"/villages/{town.village.id}/broadcasts")).text()
        assert "医保缴费提醒" not in page  # the county's notice is not on a village's list
        refused = await client.post(
            "/township/broadcasts",
            data={"csrf_token": csrf_token(page), "title": "假通知", "body": "假", "when": "now"},
            allow_redirects=False,
        )
        assert refused.status == 403
        sent = await client.post(
            county_wide + "/send", data={"csrf_token": csrf_token(page)}, allow_redirects=False
        )
        assert sent.status == 403
        hidden = await client.get(
            f"/villages/{town.village.id}/broadcasts/{county_wide.rsplit('/', 1)[1]}"
        )
        assert hidden.status == 404
    async with db.session() as s:
        assert [n.title for n in await s.scalars(select(Notice))] == ["医保缴费提醒"]
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 0
