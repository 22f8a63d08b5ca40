"""The web console as people use it, in Chromium, against the real service (both databases).

Later slices add: a whole rating round in the browser, a counter redemption, a
roster import with errors, and a shopkeeper refused the round pages.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Console, Login, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_secretary_logs_in_and_sees_her_villages_dashboard(
    page: Page, console: Console
) -> None:
    await log_in(page, console, console.secretary)

    await expect(page).to_have_url(console.village_url("幸福村"))
    await expect(page.locator("h1")).to_have_text("幸福村 概况")
    await expect(page.locator("header")).to_contain_text("周文书")
    await expect(page.locator("#households b")).to_have_text("5")
    await expect(page.locator("#balance")).to_contain_text("积分余额合计")
    await expect(page.locator("#balance b")).to_have_text("220")  # 120 + 60 + 30 + 10
    # the Chinese really renders: the heading has a width, not tofu-free nothing
    box = await page.locator("h1").bounding_box()
    assert box is not None and box["width"] > 50


async def test_a_wrong_password_is_refused_and_five_wrong_tries_lock_the_account(
    page: Page, console: Console
) -> None:
    wrong = Login(console.secretary.village, console.secretary.name, "not-her-password")
    await log_in(page, console, wrong)
    await expect(page.get_by_role("alert")).to_have_text("村名、姓名或密码不对")
    await expect(page).to_have_url(re.compile(r"/login"))

    for _ in range(4):  # five wrong tries in all
        await log_in(page, console, wrong)
        await expect(page.get_by_role("alert")).to_be_visible()

    await log_in(page, console, console.secretary)  # now even the right password waits
    await expect(page.get_by_role("alert")).to_contain_text("尝试次数过多")
    await expect(page).to_have_url(re.compile(r"/login"))
    await page.goto(console.village_url("幸福村"))
    await expect(page).to_have_url(re.compile(r"/login\?next="))
    await expect(page.locator("h1")).to_have_text("登录")
    assert "幸福村 概况" not in await page.content()  # the right password did not get her in


async def test_logging_out_returns_to_the_login_page_and_back_shows_no_dashboard(
    page: Page, console: Console
) -> None:
    await log_in(page, console, console.secretary)
    await expect(page.locator("h1")).to_have_text("幸福村 概况")

    async with page.expect_navigation():
        await page.get_by_role("button", name="退出登录").click()
    await expect(page).to_have_url(re.compile(r"/login\?out=1$"))
    await expect(page.locator("p.notice")).to_have_text("已退出登录")

    await page.go_back()
    await expect(page.locator("h1")).to_have_text("登录")
    await expect(page).to_have_url(re.compile(r"/login"))
    assert "积分余额合计" not in await page.content()


async def test_a_post_without_the_csrf_token_is_refused(page: Page, console: Console) -> None:
    await log_in(page, console, console.secretary)
    await expect(page.locator("h1")).to_have_text("幸福村 概况")

    refused = await page.request.post(f"{console.url}/logout", form={"next": "/"})
    assert refused.status == 403
    assert "页面已过期或来自别的网站" in await refused.text()
    forged = await page.request.post(
        f"{console.url}/logout", form={"csrf_token": "forged"}, max_redirects=0
    )
    assert forged.status == 403

    await page.reload()  # still logged in: the refused POSTs changed nothing
    await expect(page.locator("h1")).to_have_text("幸福村 概况")


async def test_a_secretary_is_refused_another_villages_pages(page: Page, console: Console) -> None:
    await log_in(page, console, console.secretary)
    await expect(page.locator("h1")).to_have_text("幸福村 概况")

    response = await page.goto(console.village_url("光明村"))
    assert response is not None and response.status == 403
    await expect(page.locator("main")).to_contain_text("周文书 无权查看这个村的信息")
    await expect(page.locator("h1")).not_to_have_text("光明村 概况")
    response = await page.goto(console.village_url("光明村", "roster"))
    assert response is not None and response.status == 403
    assert "刘桂芳" not in await page.content()


async def test_a_county_admin_sees_every_village_and_drills_down(
    page: Page, console: Console
) -> None:
    await log_in(page, console, console.county_admin)

    await expect(page).to_have_url(f"{console.url}/township")
    table = page.locator("#villages")
    await expect(table.get_by_role("row", name=re.compile("幸福村"))).to_contain_text("5")
    await expect(table.get_by_role("row", name=re.compile("光明村"))).to_contain_text("2")

    async with page.expect_navigation():
        await table.get_by_role("link", name="光明村").click()
    await expect(page).to_have_url(console.village_url("光明村"))
    await expect(page.locator("h1")).to_have_text("光明村 概况")
    await expect(page.locator("#households b")).to_have_text("2")

    async with page.expect_navigation():
        await page.get_by_role("link", name="花名册").click()
    await expect(page.locator("#roster-table")).to_contain_text("刘桂芳")
    await expect(page.locator("#roster-table")).not_to_contain_text("王建国")
    assert "/villages/" in page.url and "光明村" in await page.locator("h1").inner_text()


async def test_searching_the_roster_by_pinyin_initials_narrows_it_without_a_reload(
    page: Page, console: Console
) -> None:
    await log_in(page, console, console.secretary)
    await page.goto(console.village_url("幸福村", "roster"))
    rows = page.locator("#roster-table tr:has(td)")
    await expect(rows).to_have_count(5)
    await page.evaluate("window.sameDocument = true")  # gone if the page reloads

    await page.get_by_role("searchbox").press_sequentially("wjg", delay=50)

    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("王建国")
    await expect(page).to_have_url(re.compile(r"/roster\?q=wjg"))  # htmx pushed the search
    assert await page.evaluate("window.sameDocument === true"), "the page was reloaded"

    await page.get_by_role("searchbox").fill("")
    await page.get_by_role("searchbox").press_sequentially("w")
    await expect(rows).to_have_count(2)  # 王建国 and 王秀兰
    assert await page.evaluate("window.sameDocument === true"), "the page was reloaded"


async def test_the_household_page_masks_the_id_and_phone_numbers(
    page: Page, console: Console
) -> None:
    await log_in(page, console, console.secretary)
    await page.goto(console.village_url("幸福村", "roster"))

    async with page.expect_navigation():
        await page.get_by_role("link", name="XF001").click()
    await expect(page).to_have_url(
        console.village_url("幸福村", f"households/{console.households['XF001']}")
    )
    await expect(page.locator("h1")).to_have_text("XF001 王建国")
    await expect(page.locator("main")).to_contain_text("4114**********0009")
    await expect(page.locator("main")).to_contain_text("138****1234")
    content = await page.content()
    assert "411421195003010009" not in content
    assert "13800001234" not in content
