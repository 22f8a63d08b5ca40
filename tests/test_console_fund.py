"""The 孝善基金's console pages over HTTP, on both databases: a real server, a real login."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from core.clock import local_today, utcnow
from core.db import Database
from fund import ledger, pledges
from fund import rule as fund_rule
from fund.ledger import month_key, month_text
from fund.models import FundEntry, FundEntryKind, FundRule, HonourRoll, HonourRollName, Pledge
from fund.pledge_schedule import add_months, month_start
from notifications.models import OutboxMessage
from tests.console import Client, csrf_token, logged_in, outcome, page_token
from tests.factories import make_town
from village.models import Member, StaffMember, Supporter, Village
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


# ---------------------------------------------------------------- money out, reversals, pledges, rule


async def council_of(s: AsyncSession) -> StaffMember:
    council = await s.scalar(select(StaffMember).where(StaffMember.name == "孝善会长"))
    assert council is not None
    return council


async def son_pays(
    db: Database, world: World, month: date, fen: int, on: date | None = None
) -> int:
    """王大明 pays ``fen`` for the period of ``month`` (on ``on``); the contribution's id."""
    async with db.transaction() as s:
        pledge = await s.get(Pledge, world.pledge.id)
        assert pledge is not None
        done = await pledges.record_contribution(s, await council_of(s), pledge, month, fen, on)
        return done.entry.id or 0


async def entries(db: Database, kind: FundEntryKind) -> list[FundEntry]:
    async with db.session() as s:
        found = await s.scalars(select(FundEntry).where(FundEntry.kind == kind.value))
        return list(found)


async def test_a_council_member_pays_out_the_month_and_the_elders_entries_appear(
    db: Database,
) -> None:
    world = await fund_world(db)
    await son_pays(db, world, world.last_month, 20_000)
    client = await logged_in(db, "幸福村", "孝善理事", "fund_council")
    here = f"/villages/{world.village_id}/fund/payouts"
    month = month_key(local_today(utcnow()))
    async with client:
        page = await (await client.get(here)).text()
        assert 'id="payout-form"' in page and "王奶奶" in page and "200.00元" in page
        form = {"csrf_token": csrf_token(page), "month": month, "method": "现金"}
        answer = await client.post(here, data=form, allow_redirects=False)
        assert answer.status == 303 and answer.headers["Location"] == here
        page = await (await client.get(here)).text()
        assert "1 位老人" in outcome(page, "notice") and "200.00元" in outcome(page, "notice")
        paid = re.search(r'<table id="paid">.*?</table>', page, re.S)
        assert paid is not None and "王奶奶" in paid.group(0) and "200.00元" in paid.group(0)
        await client.post(here, data=form)  # a second click pays nobody twice
        journal = await (await client.get(f"/villages/{world.village_id}/fund/journal")).text()
        assert "发放老人" in journal and "王奶奶" in journal
    payouts = await entries(db, FundEntryKind.PAYOUT)
    assert [(p.amount_fen, p.method) for p in payouts] == [(20_000, "现金")]
    async with db.session() as s:
        grandma = await s.get(Member, payouts[0].elder_id)
        assert grandma is not None and grandma.name == "王奶奶"


async def test_a_council_member_reverses_a_contribution_with_a_reason_and_its_subsidy_goes_too(
    db: Database,
) -> None:
    world = await fund_world(db)
    this_month = month_start(local_today(utcnow()))
    async with db.transaction() as s:
        council = await council_of(s)
        village = await s.get(Village, world.village_id)
        assert village is not None
        await fund_rule.set_fund_rule(
            s, council, village, this_month, fund_rule.parse_rate("10%"), None
        )
        await ledger.record_donation(s, council, village, "张老板", 100_000)
    paid = await son_pays(db, world, this_month, 20_000)
    client = await logged_in(db, "幸福村", "孝善理事", "fund_council")
    journal = f"/villages/{world.village_id}/fund/journal"
    url = f"/villages/{world.village_id}/fund/entries/{paid}/reversal"
    async with client:
        page = await (await client.get(journal)).text()
        assert "基金配捐" in page and "20.00元" in page and f"/entries/{paid}/reversal" in page
        token = csrf_token(page)
        blank = await client.post(url, data={"csrf_token": token, "reason": " "})
        assert "请写明冲正原因" in outcome(await blank.text(), "error")
        answer = await client.post(
            url, data={"csrf_token": token, "reason": "金额记错"}, allow_redirects=False
        )
        assert answer.status == 303 and answer.headers["Location"] == journal
        page = await (await client.get(journal)).text()
        said = outcome(page, "notice")
        assert f"#{paid}" in said and "配捐 20.00元 一并冲正" in said and "配捐池 1000.00元" in said
        assert "已冲正" in page and "金额记错" in page
    async with db.session() as s:
        undone = list(
            await s.scalars(select(FundEntry).where(col(FundEntry.reverses_id).is_not(None)))
        )
    assert sorted((e.kind, e.amount_fen, e.note) for e in undone) == [
        ("contribution", -20_000, "金额记错"),
        ("subsidy", -2_000, "金额记错"),
    ]


async def test_a_council_member_signs_a_pledge_and_it_shows_on_the_household_and_pledges_pages(
    db: Database,
) -> None:
    world = await fund_world(db)
    client = await logged_in(db, "幸福村", "孝善理事", "fund_council")
    base = f"/villages/{world.village_id}/fund"
    month = month_key(local_today(utcnow()))
    async with client:
        token = await page_token(client, f"{base}/supporters")
        added = await client.post(
            f"{base}/supporters",
            data={
                "csrf_token": token,
                "name": "王小红",
                "phone": "139 1234 5678",
                "relation": "女儿",
            },
        )
        assert "已登记赡养人王小红" in outcome(await added.text(), "notice")
        async with db.session() as s:
            daughter = await s.scalar(select(Supporter).where(Supporter.name == "王小红"))
            grandma = await s.scalar(select(Member).where(Member.name == "王奶奶"))
        assert daughter is not None and daughter.phone == "+8613912345678" and grandma is not None
        page = await (await client.get(f"{base}/pledges")).text()
        assert 'id="pledge-form"' in page and "王小红" in page
        form = {
            "csrf_token": csrf_token(page),
            "elder": str(grandma.id),
            "supporter": str(daughter.id),
            "amount": "150",
            "due_day": "5",
            "start": month,
            "frequency": "monthly",
        }
        answer = await client.post(f"{base}/pledges", data=form, allow_redirects=False)
        assert answer.status == 303 and answer.headers["Location"] == f"{base}/pledges"
        page = await (await client.get(f"{base}/pledges")).text()
        assert "已签订承诺书" in outcome(page, "notice") and "150.00元" in outcome(page, "notice")
        table = re.search(r'<table id="pledges">.*?</table>', page, re.S)
        assert table is not None and "王小红" in table.group(0)
        twice = await client.post(f"{base}/pledges", data=form)
        assert outcome(await twice.text(), "error")  # the same pledge again: refused, said why
        home = await client.get(f"/villages/{world.village_id}/households/{grandma.household_id}")
        assert home.status == 200 and "王小红" in await home.text()
        ended = await client.post(
            f"{base}/pledges/{world.pledge.id}/end",
            data={"csrf_token": form["csrf_token"], "month": month},
        )
        assert "已结束" in outcome(await ended.text(), "notice")
    async with db.session() as s:
        signed = list(await s.scalars(select(Pledge).where(Pledge.supporter_id == daughter.id)))
        old = await s.get(Pledge, world.pledge.id)
    assert [(p.monthly_fen, p.due_day, p.elder_id) for p in signed] == [(15_000, 5, grandma.id)]
    assert old is not None and old.end_month == month_start(local_today(utcnow()))


async def test_adding_a_supporter_with_a_landline_is_refused_in_chinese(db: Database) -> None:
    world = await fund_world(db)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    here = f"/villages/{world.village_id}/fund/supporters"
    async with client:
        token = await page_token(client, here)
        answer = await client.post(
            here,
            data={"csrf_token": token, "name": "王二明", "phone": "010-62345678"},
            allow_redirects=False,
        )
        assert answer.status == 303 and answer.headers["Location"] == here
        page = await (await client.get(here)).text()
        assert "座机" in outcome(page, "error") and "王二明" not in page
        async with db.session() as s:
            son = await s.scalar(select(Supporter).where(Supporter.name == "王大明"))
        assert son is not None
        fixed = await client.post(
            f"{here}/{son.id}",
            data={
                "csrf_token": token,
                "name": "王大明",
                "phone": "13700001111",
                "relation": "长子",
            },
        )
        page = await fixed.text()
        assert "已更正赡养人王大明" in outcome(page, "notice") and "137****1111" in page
    async with db.session() as s:
        supporters = list(await s.scalars(select(Supporter)))
    assert [(x.name, x.phone, x.relation) for x in supporters] == [
        ("王大明", "+8613700001111", "长子")
    ]


async def test_the_council_publishes_the_honour_roll_after_confirming(db: Database) -> None:
    world = await fund_world(db)
    today = local_today(utcnow())
    async with db.session() as s:
        pledge = await s.get(Pledge, world.pledge.id)
        assert pledge is not None
        due = await pledges.period_statuses(
            s, [pledge], date(today.year, 1, 1), date(today.year, 12, 1), today
        )
    for period in due[world.pledge.id or 0]:
        if period.due_on <= today:  # every period due so far, paid on its due date
            await son_pays(db, world, period.period, period.amount_fen, period.due_on)
    client = await logged_in(db, "幸福村", "孝善理事", "fund_council")
    url = f"/villages/{world.village_id}/fund/honour"
    async with client:
        page = await fund_page(client, world)
        assert 'id="honour-form"' in page
        form = {"csrf_token": csrf_token(page), "year": str(today.year)}
        asked = await client.post(url, data=form)
        text = await asked.text()
        assert asked.status == 409 and 'id="honour-ask"' in text and "还没过完" in text
        confirm = re.search(r'id="honour-ask".*?</form>', text, re.S)
        assert confirm is not None and 'name="confirmed" value="1"' in confirm.group(0)
        async with db.session() as s:
            assert await s.scalar(select(func.count()).select_from(HonourRoll)) == 0
        done = await client.post(url, data=form | {"confirmed": "1"}, allow_redirects=False)
        assert done.status == 303
        page = await fund_page(client, world)
        assert "已发布" in outcome(page, "notice") and "1 位赡养人" in outcome(page, "notice")
        sheet = await (await client.get(f"{url}?year={today.year}")).text()
        assert "王大明" in sheet and "尚未发布" not in sheet
    async with db.session() as s:
        names = list(await s.scalars(select(HonourRollName)))
    assert [n.supporter_id for n in names] == [world.pledge.supporter_id]


async def test_a_council_member_sets_the_matching_rule(db: Database) -> None:
    world = await fund_world(db)
    client = await logged_in(db, "幸福村", "孝善理事", "fund_council")
    here = f"/villages/{world.village_id}/fund/rule"
    month = month_key(local_today(utcnow()))
    async with client:
        page = await (await client.get(here)).text()
        assert "还没有配捐规则" in page and 'id="rule-form"' in page
        token = csrf_token(page)
        past = await client.post(
            here,
            data={"csrf_token": token, "start": month_key(world.last_month), "rate": "10%"},
        )
        assert "不能追溯" in outcome(await past.text(), "error")
        answer = await client.post(
            here,
            data={"csrf_token": token, "start": month, "rate": "10%", "cap": "50"},
            allow_redirects=False,
        )
        assert answer.status == 303 and answer.headers["Location"] == here
        page = await (await client.get(here)).text()
        assert "配捐规则已设定" in outcome(page, "notice")
        rules = re.search(r'<ul id="rules">.*?</ul>', page, re.S)
        assert rules is not None and "10%" in rules.group(0) and "50.00元" in rules.group(0)
        assert "本月适用" in rules.group(0)
    async with db.session() as s:
        stored = list(await s.scalars(select(FundRule)))
    assert [(r.rate, r.cap_fen, r.from_month) for r in stored] == [
        (Decimal("0.1"), 5_000, month_start(local_today(utcnow())))
    ]


async def test_the_supervisor_sees_no_forms_and_a_post_is_refused(db: Database) -> None:
    world = await fund_world(db)
    await son_pays(db, world, world.last_month, 20_000)
    client = await logged_in(db, "幸福村", "监委会", "supervisor")
    base = f"/villages/{world.village_id}/fund"
    pages = {  # each page: what it shows, the form it hides
        "": ("王大明", "honour-form"),
        "/payouts": ("王奶奶", "payout-form"),
        "/journal": ("子女缴纳", "/reversal"),
        "/supporters": ("138****5678", "supporter-form"),
        "/pledges": ("王大明", "pledge-form"),
        "/rule": ("还没有配捐规则", "rule-form"),
    }
    async with client:
        for path, (fact, form) in pages.items():
            page = await client.get(base + path)
            shown = await page.text()
            assert page.status == 200 and fact in shown, path
            assert form not in shown and "/end" not in shown, path
        token = await page_token(client, base)
        month = month_key(local_today(utcnow()))
        posts = {
            "/payouts": {"month": month},
            "/entries/1/reversal": {"reason": "试试"},
            "/supporters": {"name": "王二明", "phone": "13700001111"},
            f"/supporters/{world.pledge.supporter_id}": {"name": "改名"},
            "/pledges": {"elder": "1", "supporter": "1", "amount": "1", "start": month},
            f"/pledges/{world.pledge.id}/end": {"month": month},
            "/honour": {"year": "2026", "confirmed": "1"},
            "/rule": {"start": month, "rate": "50%"},
        }
        for path, data in posts.items():
            refused = await client.post(base + path, data={"csrf_token": token} | data)
            assert refused.status == 403, path
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(FundEntry)) == 1
        assert await s.scalar(select(func.count()).select_from(FundRule)) == 0
        assert await s.scalar(select(func.count()).select_from(Supporter)) == 1
        pledge = await s.get(Pledge, world.pledge.id)
        assert pledge is not None and pledge.end_month is None
