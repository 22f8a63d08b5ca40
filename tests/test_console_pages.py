"""The console's pages over HTTP, on both databases: a real server, a real login."""

from __future__ import annotations

import re
from io import BytesIO
from urllib.parse import quote

from openpyxl import load_workbook

from core.db import Database
from core.settings import Settings
from points import ledger
from points.models import EntryKind
from tests.console import console_client, logged_in
from tests.factories import Town, make_town
from village.models import Household

NAV_LINK = re.compile(r'<a href="(/villages/\d+/[^"]*)">')


async def two_villages(db: Database) -> tuple[Town, Town]:
    town = await make_town(db, households=3)
    other = await make_town(db, households=2, name="光明村")
    async with db.transaction() as s:
        row = await s.get_one(Household, town.households[0].id)
        row.id_card, row.phone = "410102195001011234", "+8613812345678"
        await ledger.post(
            s,
            ledger.Posting(
                household_id=row.id or 0,
                village_id=town.village.id or 0,
                amount=15,
                kind=EntryKind.AWARD,
                reason="户容整洁",
                actor_id=town.director.id or 0,
                idempotency_key="start",
            ),
        )
    return town, other


async def test_committee_browses_its_village(db: Database) -> None:
    town, _ = await two_villages(db)
    village_id, home_id = town.village.id, town.households[0].id
    client = await logged_in(db, "幸福村", "李委员", "committee")
    async with client:
        home = await client.get("/")
        assert home.status == 200 and str(home.url).endswith(f"/villages/{village_id}/")
        page = await home.text()
        assert "幸福村 概况" in page and "<svg" in page and "积分余额合计" in page
        assert f"/villages/{village_id}/export/balances.xlsx" in page

        roster = await client.get(f"/villages/{village_id}/roster")
        text = await roster.text()
        assert roster.status == 200 and "<html" in text
        assert "138****5678" in text and "4101**********1234" in text
        assert "13812345678" not in text and "410102195001011234" not in text

        live = await client.get(
            f"/villages/{village_id}/roster", params={"q": "002"}, headers={"HX-Request": "true"}
        )
        part = await live.text()
        assert live.status == 200 and "<html" not in part and 'id="roster-table"' in part
        assert "幸福村-002" in part and "幸福村-001" not in part

        household = await client.get(f"/villages/{village_id}/households/{home_id}")
        text = await household.text()
        assert household.status == 200 and "户容整洁" in text and "138****5678" in text
        assert "13812345678" not in text

        missing = await client.get(f"/villages/{village_id}/households/999999")
        assert missing.status == 404 and "幸福村没有这一户" in await missing.text()

        township = await client.get("/township")
        text = await township.text()
        assert township.status == 200 and "幸福村" in text and "光明村" not in text


async def test_committee_downloads_balances_as_excel(db: Database) -> None:
    town, _ = await two_villages(db)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    async with client:
        response = await client.get(f"/villages/{town.village.id}/export/balances.xlsx")
        assert response.status == 200
        assert response.content_type.endswith("spreadsheetml.sheet")
        disposition = response.headers["Content-Disposition"]
        assert "filename*=UTF-8''" + quote("幸福村_积分余额_") in disposition
        sheet = load_workbook(BytesIO(await response.read())).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("户编号", "户主", "积分余额", "折合金额（元）")
        assert rows[1][:3] == ("幸福村-001", "户主1", 15)
        for what in ("redemptions", "visits"):
            other = await client.get(f"/villages/{town.village.id}/export/{what}.xlsx")
            assert other.status == 200, what


async def test_committee_is_refused_another_villages_pages(db: Database) -> None:
    _, other = await two_villages(db)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    paths = [
        f"/villages/{other.village.id}/",
        f"/villages/{other.village.id}/roster?q=001",
        f"/villages/{other.village.id}/households/{other.households[0].id}",
        f"/villages/{other.village.id}/export/balances.xlsx",
        f"/villages/{other.village.id}/export/redemptions.xlsx",
        f"/villages/{other.village.id}/export/visits.xlsx",
    ]
    async with client:
        for path in paths:
            response = await client.get(path)
            text = await response.text()
            assert response.status == 403, path
            assert "光明村" not in text and "户主1" not in text, path
            assert "李委员" in text  # the Chinese refusal names who was refused


async def test_county_admin_drills_down_from_the_township(db: Database) -> None:
    town, other = await two_villages(db)
    client = await logged_in(db, None, "县管理员", "county_admin")
    async with client:
        township = await client.get("/township")
        text = await township.text()
        assert township.status == 200
        for village in (town.village, other.village):
            assert f'href="/villages/{village.id}/"' in text and village.name in text
        dashboard = await client.get(f"/villages/{other.village.id}/")
        assert dashboard.status == 200 and "光明村 概况" in await dashboard.text()


async def test_visitor_without_login_is_sent_to_the_login_form(db: Database) -> None:
    town, _ = await two_villages(db)
    client = await console_client(db, Settings(database_url=db.url))
    async with client:
        for path in (f"/villages/{town.village.id}/", "/township"):
            response = await client.get(path, allow_redirects=False)
            assert response.status == 302 and response.headers["Location"].startswith("/login")


async def test_roster_page_number_must_be_a_number(db: Database) -> None:
    town, _ = await two_villages(db)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    async with client:
        response = await client.get(f"/villages/{town.village.id}/roster", params={"page": "x"})
        assert response.status == 400 and "页码应是数字" in await response.text()


async def test_the_village_nav_offers_the_rounds_to_the_committee_not_the_shopkeeper(
    db: Database,
) -> None:
    town, _ = await two_villages(db)
    village_id = town.village.id
    rounds = f'<a href="/villages/{village_id}/rounds">星级评定</a>'
    shopkeeper = await logged_in(db, "幸福村", "吴店主", "shopkeeper")
    async with shopkeeper:
        page = await (await shopkeeper.get(f"/villages/{village_id}/")).text()
        assert f"/villages/{village_id}/counter" in page and "星级评定" not in page
        assert (await shopkeeper.get(f"/villages/{village_id}/rounds")).status == 403
    committee = await logged_in(db, "幸福村", "李委员", "committee")
    async with committee:
        page = await (await committee.get(f"/villages/{village_id}/")).text()
        assert rounds in page


async def test_every_link_of_the_village_nav_opens_for_whoever_sees_it(db: Database) -> None:
    town, _ = await two_villages(db)
    village_id = town.village.id
    roles = ["committee", "shopkeeper", "helper", "fund_council", "supervisor", "county_admin"]
    for n, role in enumerate(roles):
        village = None if role == "county_admin" else "幸福村"
        client = await logged_in(db, village, f"员工{n}", role)
        async with client:
            page = await (await client.get(f"/villages/{village_id}/")).text()
            header = page.split("</header>")[0]
            links = NAV_LINK.findall(header)
            assert f"/villages/{village_id}/roster" in links, role
            for link in links:
                assert (await client.get(link)).status == 200, (role, link)
