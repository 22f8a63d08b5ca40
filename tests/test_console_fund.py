"""The 孝善基金's console pages over HTTP, on both databases: a real server, a real login."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from urllib.parse import quote

from openpyxl import load_workbook
from sqlalchemy import func, select

from core.clock import local_today, utcnow
from core.db import Database
from fund import pledges
from fund.ledger import month_key, month_text
from fund.models import FundEntry, Pledge
from fund.pledge_schedule import add_months, month_start
from notifications.models import OutboxMessage
from tests.console import Client, csrf_token, logged_in, outcome
from tests.factories import make_town
from village.models import Member
from village.registry import add_staff


@dataclass
class World:
    village_id: int
    other_village_id: int
    pledge: Pledge
    last_month: date


async def fund_world(db: Database) -> World:
    """幸福村 with an elder, her son's pledge of 200元 from last month (due on the 1st, unpaid)."""
    town = await make_town(db, households=2)
    other = await make_town(db, households=1, name="光明村")
    last_month = add_months(month_start(local_today(utcnow())), -1)
    async with db.transaction() as s:
        council = await add_staff(s, town.village, "孝善会长", "fund_council")
        grandma = Member(
            household_id=town.households[1].id or 0, name="王奶奶", birth_date=date(1950, 5, 1)
        )
        s.add(grandma)
        await s.flush()
        son = await pledges.add_supporter(s, council, town.village, "王大明", "13812345678", "儿子")
        pledge = await pledges.sign_pledge(
            s, council, town.village, grandma, son, 20_000, 1, last_month
        )
    return World(town.village.id or 0, other.village.id or 0, pledge, last_month)


async def fund_page(client: Client, world: World) -> str:
    response = await client.get(f"/villages/{world.village_id}/fund")
    assert response.status == 200
    return await response.text()


def arrears(page: str) -> str:
    found = re.search(r'<table id="arrears">.*?</table>', page, re.S)
    return found.group(0) if found else ""


async def test_the_council_records_a_payment_and_the_arrears_clear(db: Database) -> None:
    world = await fund_world(db)
    client = await logged_in(db, "幸福村", "孝善理事", "fund_council")
    async with client:
        page = await fund_page(client, world)
        assert "王大明" in page and "欠缴" in page and "200.00元" in page
        assert month_text(world.last_month) in arrears(page) and "138****5678" in page
        form = {
            "csrf_token": csrf_token(page),
            "once": re.search(r'name="once" value="([^"]+)"', page).group(1),  # type: ignore[union-attr]
            "pledge": str(world.pledge.id),
            "month": month_key(world.last_month),
            "amount": "200",
            "day": "",
            "method": "微信",
        }
        answer = await client.post(
            f"/villages/{world.village_id}/fund/contributions", data=form, allow_redirects=False
        )
        assert answer.status == 303
        assert answer.headers["Location"] == f"/villages/{world.village_id}/fund"
        page = await fund_page(client, world)
        assert "已登记" in outcome(page, "notice") and "200.00元" in outcome(page, "notice")
        assert month_text(world.last_month) not in arrears(page)  # paid in full
        again = await client.post(f"/villages/{world.village_id}/fund/contributions", data=form)
        assert again.status == 200 and "没有重复登记" in outcome(await again.text(), "notice")
        assert outcome(await fund_page(client, world)) == ""  # said once
    async with db.session() as s:
        paid = await s.scalar(select(func.count()).select_from(FundEntry))
        thanks = await s.scalar(select(func.count()).select_from(OutboxMessage))
    assert paid == 1 and thanks == 1  # one payment, one thank-you to the son


async def test_overpaying_a_period_is_refused_in_chinese(db: Database) -> None:
    world = await fund_world(db)
    client = await logged_in(db, "幸福村", "孝善理事", "fund_council")
    async with client:
        page = await fund_page(client, world)
        answer = await client.post(
            f"/villages/{world.village_id}/fund/contributions",
            data={
                "csrf_token": csrf_token(page),
                "pledge": str(world.pledge.id),
                "month": month_key(world.last_month),
                "amount": "250",
                "method": "现金",
            },
        )
        assert answer.status == 400
        assert "200.00元" in await answer.text()
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(FundEntry)) == 0


async def test_a_gift_typed_twice_is_recorded_again_only_when_confirmed(db: Database) -> None:
    world = await fund_world(db)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    url = f"/villages/{world.village_id}/fund/donations"
    async with client:
        page = await fund_page(client, world)
        gift = {"csrf_token": csrf_token(page), "donor": "张老板", "amount": "1000", "day": ""}
        first = await client.post(url, data=gift, allow_redirects=False)
        assert first.status == 303
        page = await fund_page(client, world)
        assert "张老板" in outcome(page, "notice") and "1000.00元" in outcome(page, "notice")
        twice = await client.post(url, data=gift)
        asked = await twice.text()
        assert twice.status == 409 and 'id="donation-twice"' in asked and "张老板" in asked
        confirm = re.search(r'id="donation-twice".*?</form>', asked, re.S)
        assert confirm is not None and 'name="again" value="1"' in confirm.group(0)
        confirmed = await client.post(url, data=gift | {"again": "1"}, allow_redirects=False)
        assert confirmed.status == 303
        page = await fund_page(client, world)
        assert "2000.00元" in page  # the balance holds both gifts
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(FundEntry)) == 2


async def test_the_supervisor_reads_the_fund_but_records_nothing(db: Database) -> None:
    world = await fund_world(db)
    client = await logged_in(db, "幸福村", "监委会", "supervisor")
    async with client:
        page = await fund_page(client, world)
        assert "王大明" in page and 'id="donation-form"' not in page
        refused = await client.post(
            f"/villages/{world.village_id}/fund/donations",
            data={"csrf_token": csrf_token(page), "donor": "张老板", "amount": "10"},
        )
        assert refused.status == 403
        pledges_page = await client.get(f"/villages/{world.village_id}/fund/pledges")
        assert pledges_page.status == 200 and "欠缴" in await pledges_page.text()
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(FundEntry)) == 0


async def test_a_shopkeeper_and_another_village_are_refused(db: Database) -> None:
    world = await fund_world(db)
    shopkeeper = await logged_in(db, "幸福村", "小卖部", "shopkeeper")
    async with shopkeeper:
        assert (await shopkeeper.get(f"/villages/{world.village_id}/fund")).status == 403
    neighbour = await logged_in(db, "光明村", "光明委员", "committee")
    async with neighbour:
        assert (await neighbour.get(f"/villages/{world.village_id}/fund")).status == 403
        page = await neighbour.get(f"/villages/{world.other_village_id}/fund")
        token = csrf_token(await page.text())
        refused = await neighbour.post(
            f"/villages/{world.village_id}/fund/donations",
            data={"csrf_token": token, "donor": "张老板", "amount": "10"},
        )
        assert refused.status == 403
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(FundEntry)) == 0


async def test_the_monthly_statement_shows_and_exports(db: Database) -> None:
    world = await fund_world(db)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    month = month_key(local_today(utcnow()))
    async with client:
        page = await fund_page(client, world)
        await client.post(
            f"/villages/{world.village_id}/fund/donations",
            data={"csrf_token": csrf_token(page), "donor": "张老板", "amount": "88.5"},
        )
        sheet = await client.get(f"/villages/{world.village_id}/fund/statement?month={month}")
        printed = await sheet.text()
        assert sheet.status == 200 and "收支公示" in printed and "张老板" in printed
        assert "88.50元" in printed
        book = await client.get(
            f"/villages/{world.village_id}/export/fund-statement.xlsx?month={month}"
        )
        assert book.status == 200
        assert quote("幸福村_孝善基金收支公示") in book.headers["Content-Disposition"]
        cells = [
            c
            for row in load_workbook(BytesIO(await book.read())).active.iter_rows(values_only=True)
            for c in row
            if c
        ]
        assert "张老板" in cells and "88.50元" in cells
        future = await client.get(f"/villages/{world.village_id}/fund/statement?month=2999-01")
        assert future.status == 400
        honour = await client.get(f"/villages/{world.village_id}/fund/honour")
        assert honour.status == 200 and "尚未发布" in await honour.text()
