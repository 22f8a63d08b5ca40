"""A secretary runs a whole quarter in Chromium: 帮扶 and 走访, the 孝善基金's month, the
supermarket's 报损 and 调价; the 村务监督委员会 then reads it all without a form.

Against the real service on both databases. What the conftest does not seed (a
帮扶责任人, a supervisor with a password, an elder, two goods on the shelf) is
written into the server's database by the test before the browser opens, through
the domain functions, as the CLI would have done.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect
from sqlmodel import col, select

from care.checklist import Checks
from care.models import ChecklistItem, FollowUp, HelperAssignment, Visit
from care.visits import assign_helper, log_visit
from core.clock import to_local, utcnow
from core.db import Database
from fund import pledges
from fund.models import FundEntry, FundEntryKind
from fund.pledge_schedule import add_months, month_start
from points import supermarket
from points.models import PriceChange, StockMovement
from tests.browser.conftest import Console, Login, log_in
from village.models import Household, Member, StaffMember, Village
from village.registry import add_staff

pytestmark = pytest.mark.asyncio(loop_scope="session")

HELPER = "赵帮扶"
SUPERVISOR = Login("幸福村", "冯监督")


@dataclass(frozen=True)
class Quarter:
    """What the test seeded beside the conftest's world."""

    console: Console
    database_url: str
    elder_id: int

    @asynccontextmanager
    async def database(self) -> AsyncIterator[Database]:
        """The server's database, opened from the test (to seed and to check facts)."""
        database = Database(self.database_url)
        try:
            yield database
        finally:
            await database.dispose()


def today() -> date:
    """The server's today: a Beijing date."""
    return to_local(utcnow()).date()


@pytest_asyncio.fixture(loop_scope="session")
async def quarter(console: Console, tmp_path: Path, pg_url: str) -> Quarter:
    """幸福村 gets a helper, a supervisor who can log in, 王奶奶 (76) in XF002, rice and oil."""
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'console.db'}" if console.dialect == "sqlite" else pg_url
    )
    database = Database(url)
    try:
        async with database.transaction() as session:
            village = await session.get_one(Village, console.villages["幸福村"])
            secretary = await session.scalar(
                select(StaffMember).where(StaffMember.name == console.secretary.name)
            )
            assert secretary is not None
            await add_staff(session, village, HELPER, "helper")
            supervisor = await add_staff(session, village, SUPERVISOR.name, "supervisor")
            supervisor.password_hash = secretary.password_hash  # same password, no new hash
            supervisor.password_set_at = secretary.password_set_at
            session.add(supervisor)
            grandma = Member(
                household_id=console.households["XF002"], name="王奶奶", birth_date=date(1950, 5, 1)
            )
            session.add(grandma)
            await session.flush()
            for name, price, unit, stock in (("大米", 20, "袋", 10), ("食用油", 30, "桶", 6)):
                await supermarket.add_item(
                    session, village, name, price, secretary, unit=unit, stock=stock
                )
            elder_id = grandma.id or 0
    finally:
        await database.dispose()
    return Quarter(console, url, elder_id)


async def press(page: Page, name: str, *, within: str = "main") -> None:
    """Press a form's button and wait for the page it leads to (post, then 303)."""
    async with page.expect_navigation():
        await page.locator(within).get_by_role("button", name=name, exact=True).click()


async def test_a_secretary_assigns_a_helper_logs_the_visit_and_closes_its_follow_up(
    page: Page, quarter: Quarter
) -> None:
    console = quarter.console
    result = page.locator("main [role=status]")
    await log_in(page, console, console.secretary)
    await page.get_by_role("link", name="帮扶", exact=True).click()
    await expect(page.locator("h1")).to_have_text("幸福村 帮扶责任人与走访计划")
    helper_count = page.locator("#care-helpers tr", has_text=HELPER).locator("td").nth(1)
    await expect(helper_count).to_have_text("0")

    row = page.locator("#care-XF003")
    await expect(row).to_contain_text("王秀兰")
    await row.get_by_label("选择帮扶责任人").select_option(label=HELPER)
    await press(page, "分配", within="#care-XF003")
    await expect(result).to_have_text(f"已将 XF003 王秀兰 分配给帮扶责任人{HELPER}")
    await expect(helper_count).to_have_text("1")
    await row.get_by_label("天数").fill("30")
    await press(page, "保存", within="#care-XF003")
    # nobody has visited yet: due from the day of assignment
    await expect(result).to_have_text(
        f"XF003 王秀兰 走访周期：每 30 天，下次应访 {today().isoformat()}"
    )

    await page.get_by_role("link", name="走访", exact=True).click()
    due = page.locator("#due-visits tr", has_text="XF003")
    await expect(due).to_contain_text(HELPER)
    await expect(due).to_contain_text(today().isoformat())
    await due.get_by_role("link", name="记录").click()
    visit = page.locator("form", has=page.locator("[name=visited_on]"))
    await expect(visit.get_by_label("户编号")).to_have_value("XF003")
    await visit.get_by_label("住房安全 有问题").check()
    await visit.get_by_label("住房安全 说明").fill("西屋墙体开裂")
    await press(page, "保存走访记录")
    await expect(result).to_have_text(
        f"已记录走访：XF003 王秀兰，{today().isoformat()}，入户；发现问题 1 项"
    )
    await expect(page.locator("#due-visits tr", has_text="XF003")).to_have_count(0)

    await page.get_by_role("link", name="待办", exact=True).click()
    open_item = page.locator("#follow-ups tr", has_text="XF003")
    await expect(open_item).to_contain_text("住房安全")
    await expect(open_item).to_contain_text("西屋墙体开裂")
    await open_item.get_by_label("处理结果").fill("已报镇危房改造")
    await press(page, "办结")
    await expect(result).to_have_text("已办结：XF003 王秀兰 住房安全（已报镇危房改造）")
    await expect(page.locator("main")).to_contain_text("没有待办事项")

    await page.get_by_role("link", name="帮扶", exact=True).click()
    await expect(row).to_contain_text((today() + timedelta(days=30)).isoformat())

    household = console.households["XF003"]
    async with quarter.database() as database, database.session() as session:
        plan = await session.scalar(
            select(HelperAssignment).where(HelperAssignment.household_id == household)
        )
        visits = list(await session.scalars(select(Visit).where(Visit.household_id == household)))
        follow_up = await session.scalar(select(FollowUp).where(FollowUp.household_id == household))
        helper = await session.scalar(select(StaffMember).where(StaffMember.name == HELPER))
    assert plan is not None and helper is not None
    assert (plan.helper_id, plan.every_days) == (helper.id, 30)
    assert [(v.visited_on, v.method) for v in visits] == [(today(), "in_person")]
    assert follow_up is not None and follow_up.item == "housing"
    assert follow_up.closed_at is not None and follow_up.resolution == "已报镇危房改造"


async def test_a_secretary_takes_a_supporter_from_pledge_to_payout(
    page: Page, quarter: Quarter
) -> None:
    console = quarter.console
    result = page.locator("main [role=status]")
    month = f"{today().year}年{today().month}月"
    await log_in(page, console, console.secretary)
    await page.get_by_role("link", name="孝善基金", exact=True).click()
    await page.get_by_role("link", name="赡养人", exact=True).click()
    adding = page.locator("#supporter-form")
    await adding.get_by_label("姓名").fill("王大明")
    await adding.get_by_label("手机号").fill("13812345678")
    await adding.get_by_label("与老人关系").fill("儿子")
    await press(page, "登记")
    await expect(result).to_contain_text("已登记赡养人王大明")
    await expect(result).to_contain_text("电话 138****5678")
    await expect(page.locator("#supporters")).to_contain_text("儿子")

    await page.get_by_role("link", name="赡养承诺书及各期缴纳").first.click()
    signing = page.locator("#pledge-form")
    await expect(signing.locator("[name=elder]")).to_contain_text("王奶奶（XF002，")
    await signing.get_by_label("每月金额（元）").fill("200")
    await press(page, "签订")
    await expect(result).to_contain_text("王大明为王奶奶每月缴纳 200.00元")
    await expect(page.locator("#pledges")).to_contain_text("王奶奶（XF002）")

    await page.get_by_role("link", name="返回孝善基金").click()
    paying = page.locator("#contribution-form")
    await expect(paying.locator("[name=pledge]")).to_contain_text("王大明 → 王奶奶（XF002）")
    await paying.get_by_label("金额（元）").fill("200")
    await press(page, "登记缴纳")
    await expect(result).to_contain_text(f"已登记 {month} 缴纳 200.00元")
    await expect(page.locator("#fund-balance b")).to_have_text("200.00元")

    await page.get_by_role("link", name="发放给老人").click()
    await expect(page.locator("#owed tr", has_text="王奶奶")).to_contain_text("200.00元")
    await press(page, "发放本月（每位老人名下全部余额）")
    await expect(result).to_have_text(
        f"{month}已发放：1 位老人，共 200.00元（本月此前已发放 0 位）"
    )
    await expect(page.locator("#paid tr", has_text="王奶奶")).to_contain_text("200.00元")
    await expect(page.locator("main")).to_contain_text("目前没有待发放给老人的余额")

    await page.get_by_role("link", name="返回孝善基金").click()
    await page.get_by_role("link", name="基金流水与冲正").click()
    journal = page.locator("#journal")
    await expect(journal.locator("tr", has_text="子女缴纳")).to_contain_text("王奶奶")
    await expect(journal.locator("tr", has_text="发放老人")).to_contain_text("200.00元")

    async with quarter.database() as database, database.session() as session:
        entries = list(await session.scalars(select(FundEntry).order_by(col(FundEntry.id))))
    assert [(e.kind, e.elder_id) for e in entries] == [
        (FundEntryKind.CONTRIBUTION, quarter.elder_id),
        (FundEntryKind.PAYOUT, quarter.elder_id),
    ]
    assert entries[0].amount_fen == 20_000 and abs(entries[1].amount_fen) == 20_000


async def test_a_secretary_writes_off_spoilt_goods_and_reprices_the_rice(
    page: Page, quarter: Quarter
) -> None:
    console = quarter.console
    result = page.locator("main [role=status]")
    await log_in(page, console, console.secretary)
    await page.goto(console.village_url("幸福村", "counter/stock"))
    stock = page.locator("#stock")
    for name, quantity, unit, reason, left in (
        ("大米", 2, "袋", "受潮发霉", 8),
        ("食用油", 1, "桶", "漏油", 5),
    ):
        row = stock.locator("tr", has_text=name)
        await row.get_by_label(f"{name} 报损数量").fill(str(quantity))
        await row.get_by_label(f"{name} 报损原因").fill(reason)
        async with page.expect_navigation():
            await row.get_by_role("button", name="报损").click()
        await expect(result).to_have_text(
            f"{name}报损 {quantity}{unit}（{reason}），现有 {left}{unit}"
        )
        await expect(stock.locator("tr", has_text=name)).to_contain_text(f"{left}{unit}")

    rice = stock.locator("tr", has_text="大米")
    await rice.get_by_label("大米 新积分价").fill("25")
    async with page.expect_navigation():
        await rice.get_by_role("button", name="调价").click()
    await expect(result).to_contain_text("大米新价格：25 分/袋")

    await rice.get_by_role("link", name="大米").click()
    await expect(page.locator("h1")).to_have_text("大米 · 库存记录")
    await expect(page.locator("#item-now")).to_contain_text("现价 25 分/袋")
    await expect(page.locator("#item-now")).to_contain_text("库存 8袋")
    written_off = page.locator("#history tr", has_text="受潮发霉")
    await expect(written_off).to_contain_text("-2袋")
    await expect(written_off).to_contain_text(console.secretary.name)
    await expect(page.locator("#prices tr").nth(1).locator("td")).to_have_text(
        [re.compile(r"\d{4}-\d\d-\d\d"), "20", "25", console.secretary.name]
    )

    async with quarter.database() as database, database.session() as session:
        moves = list(await session.scalars(select(StockMovement).where(StockMovement.delta < 0)))
        prices = list(await session.scalars(select(PriceChange)))
    assert sorted((m.delta, m.stock_after, m.reason) for m in moves) == [
        (-2, 8, "受潮发霉"),
        (-1, 5, "漏油"),
    ]
    assert [(p.old_points, p.new_points) for p in prices] == [(20, 25)]


async def seed_the_quarter_so_far(quarter: Quarter) -> None:
    """What the secretary did above, done through the domain: the supervisor has rows to read."""
    console = quarter.console
    async with quarter.database() as database, database.transaction() as session:
        village = await session.get_one(Village, console.villages["幸福村"])
        staff = {s.name: s for s in await session.scalars(select(StaffMember))}
        secretary = staff[console.secretary.name]
        homes = [
            await session.get_one(Household, console.households[n]) for n in ("XF001", "XF003")
        ]
        await assign_helper(session, secretary, village, staff[HELPER], homes)
        checks: Checks = {ChecklistItem.WATER: (False, "井水浑浊")}
        await log_visit(session, secretary, homes[1], today(), "phone", checks=checks)
        son = await pledges.add_supporter(
            session, secretary, village, "王大明", "13812345678", "儿子"
        )
        grandma = await session.get_one(Member, quarter.elder_id)
        last_month = add_months(month_start(today()), -1)  # so that a period is in arrears
        await pledges.sign_pledge(session, secretary, village, grandma, son, 20_000, 1, last_month)


async def test_the_supervisor_reads_the_quarter_and_the_logins_without_a_single_form(
    page: Page, quarter: Quarter
) -> None:
    console = quarter.console
    await seed_the_quarter_so_far(quarter)
    await log_in(page, console, console.secretary)
    await press(page, "退出登录", within="header")

    await log_in(page, console, SUPERVISOR)
    await expect(page.locator("header .who")).to_have_text(f"{SUPERVISOR.name}（村务监督委员会）")
    posting = page.locator("main form[method=post]")
    for path, table, fact in (
        ("care", "#care-XF001", HELPER),
        ("visits", "#due-visits", "XF001"),
        ("follow-ups", "#follow-ups", "井水浑浊"),
        ("fund", "#arrears", "王大明"),
        ("fund/pledges", "#pledges", "王奶奶（XF002）"),
        ("fund/supporters", "#supporters", "138****5678"),
        ("fund/payouts", "#fund-owed", "0.00元"),
        ("fund/journal", "main", "还没有基金记录"),
        ("counter/stock", "#stock", "大米"),
    ):
        response = await page.goto(console.village_url("幸福村", path))
        assert response is not None and response.status == 200, path
        await expect(page.locator(table)).to_contain_text(fact)
        assert await posting.count() == 0, f"{path} offers the supervisor a form"
    await expect(page.locator("#log-visit")).to_have_count(0)  # checked on visits already
    await expect(page.get_by_role("button", name="报损")).to_have_count(0)

    await page.get_by_role("link", name="登录与操作记录").click()
    await expect(page.locator("h1")).to_have_text("幸福村 登录记录")
    logins = page.locator("#logins tr.ok")
    await expect(logins).to_have_count(2)  # newest first: the supervisor, then the secretary
    await expect(logins.nth(0)).to_contain_text(SUPERVISOR.name)
    await expect(logins.nth(0).locator("td").last).to_have_text("—")  # still logged in
    await expect(logins.nth(1)).to_contain_text(console.secretary.name)
    await expect(logins.nth(1)).to_contain_text("登录成功")
    await expect(logins.nth(1).locator("td").last).not_to_have_text("—")  # logged out
    await expect(page.locator("#failed-day")).to_have_text("近 24 小时失败 0 次，来自 0 个地址")
