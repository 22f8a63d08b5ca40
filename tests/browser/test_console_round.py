"""A rating round (星级评定) in Chromium, against the real service, on both databases.

The 公示 period ends at midnight (Beijing time) after its last day and the domain
allows no shorter one, so the test moves the round's ``publicity_ends_at`` into
the past in the database, as the days passing would, and only then presses
公示期满生效 a second time.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from sqlmodel import select

from core.clock import utcnow
from core.db import Database
from points.models import RatingRound
from tests.browser.conftest import Console, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def end_publicity(console: Console, tmp_path: Path, pg_url: str) -> None:
    """The 公示 days pass: the server's database, written from the test."""
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'console.db'}" if console.dialect == "sqlite" else pg_url
    )
    database = Database(url)
    try:
        async with database.transaction() as session:
            for rnd in await session.scalars(select(RatingRound)):
                rnd.publicity_ends_at = utcnow() - timedelta(minutes=1)
    finally:
        await database.dispose()


async def press(page: Page, name: str) -> None:
    """Press a form's button and wait for the page it leads to (post, then redirect)."""
    async with page.expect_navigation():
        await page.get_by_role("button", name=name, exact=True).click()


async def test_a_round_goes_from_nomination_to_points_credited(
    page: Page, console: Console, tmp_path: Path, pg_url: str
) -> None:
    result = page.locator("#outcome")
    await log_in(page, console, console.secretary)
    await page.get_by_role("link", name="星级评定").click()
    await expect(page.locator("h1")).to_have_text("幸福村 星级评定")
    async with page.expect_navigation():
        await page.get_by_role("button", name=re.compile("新建本季度评星")).click()
    await expect(result).to_contain_text("已新建评定轮次")
    round_url = page.url

    # nominate 李秀英 (XF002), found by name as one types
    await page.get_by_role("searchbox").fill("李秀")
    picker = page.locator("#round-households select")
    await expect(picker.locator("option")).to_have_count(1)
    await expect(picker).to_have_value("XF002")
    await page.locator("#nominate select[name=category]").select_option(
        label="户容整洁之星（10 分）"
    )
    await page.locator("#nominate input[name=reason]").fill("庭院整洁，带头改厕")
    await press(page, "提名")
    await expect(result).to_contain_text("XF002 李秀英 · 户容整洁之星（10 分），待评议")

    await press(page, "提交评议")
    await expect(result).to_contain_text("已提交评议")
    row = page.locator("#awards tr", has_text="XF002")
    await expect(row).to_contain_text("本人提名，须由他人审核，需由幸福村主任、钱主任、郑委员审核")
    await expect(row.get_by_role("button", name="通过", exact=True)).to_have_count(0)

    # a second committee member reviews it and publishes the 公示
    await press(page, "退出登录")
    await log_in(page, console, console.committee_member)
    await page.goto(round_url)
    async with page.expect_navigation():
        await row.get_by_role("button", name="通过", exact=True).click()
    await expect(result).to_contain_text("评议通过")
    await press(page, "发布公示")
    await expect(result).to_contain_text("已发布公示")
    await expect(page.locator("#stage")).to_contain_text("公示")

    async with page.context.expect_page() as opened:
        await page.get_by_role("link", name="打印公示（新窗口）").click()
    notice = await opened.value
    await expect(notice.locator("body")).to_contain_text("幸福村")
    await expect(notice.locator("body")).to_contain_text("李秀英")
    await notice.close()
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="下载公示 Excel").click()
    assert (await downloading.value).suggested_filename.endswith("公示.xlsx")

    # an objection comes in by phone: recorded, looked into, rejected
    objection = page.locator("#object")
    await objection.locator("[name=name]").fill("王大爷")
    await objection.locator("[name=reason]").fill("她家院子没收拾")
    await press(page, "记录异议")
    await expect(result).to_contain_text("已受理异议")
    await page.locator("#objections [name=note]").fill("上门核实，院子整洁")
    await press(page, "异议不成立")
    await expect(result).to_contain_text("维持")

    await press(page, "公示期满生效")
    await expect(result).to_contain_text("期满后才能生效")
    await end_publicity(console, tmp_path, pg_url)
    await press(page, "公示期满生效")
    await expect(result).to_contain_text("已生效：1 项星级记入 1 户，共 10 分")
    await expect(row).to_contain_text("已记分")

    await page.goto(console.village_url("幸福村", f"households/{console.households['XF002']}"))
    await expect(page.locator("#balance b")).to_have_text("70")  # 60 + 10


async def test_a_shopkeeper_is_refused_the_round_pages(page: Page, console: Console) -> None:
    await log_in(page, console, console.shopkeeper)
    response = await page.goto(console.village_url("幸福村", "rounds"))
    assert response is not None and response.status == 403
    await expect(page.locator("p.error")).to_have_text("吴店主 的岗位不能做这件事")
    await expect(page.get_by_role("button", name=re.compile("新建"))).to_have_count(0)
