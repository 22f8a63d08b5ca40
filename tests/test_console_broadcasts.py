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
from notifications.models import MessageStatus, Notice, OutboxMessage
from tests import console
from tests.console import Client, csrf_token
from tests.factories import Town, make_town
from village.models import Household

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
    db: Database, village: str, name: str, role: str, quiet: tuple[time, time] = DAYTIME
) -> Client:
    settings = Settings(database_url=db.url, quiet_start=quiet[0], quiet_end=quiet[1])
    return await console.logged_in(db, village, name, role, settings)


def figure(page: str, name: str) -> str:
    found = re.search(rf'id="{name}">[^<]*<b>([^<]*)</b>', page)
    assert found is not None, page
    return found.group(1)


async def compose(client: Client, village_id: int, **fields: str) -> web.StreamResponse:
    page = await (await client.get(f"/villages/{village_id}/broadcasts")).text()
    form = {"csrf_token": csrf_token(page), "title": "医保缴费提醒", "when": "now"}
    form["body"] = "2027年度城乡居民医保开始缴费，请于12月31日前缴纳。"
    return await client.post(
        f"/villages/{village_id}/broadcasts", data=form | fields, allow_redirects=False
    )


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
