"""A notice from the browser: compose, read the preview's reach and cost, send, watch it go.

The console server is the real service (``bot.service.serve``), whose outreach
worker sends the outbox through the console SMS gateway, so the progress on
the page moves by itself. Quiet hours are switched off for these tests (the
settings read ``XIANGXIN_QUIET_*``): at night the SMS would rightly wait for
the morning and the page would say so instead of reaching the end.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Console, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")

SENDING_MS = 30_000  # the outreach worker's turn and the console gateway, on a busy machine


@pytest.fixture(autouse=True)
def no_quiet_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before ``console`` builds its settings: SMS may go at any hour."""
    monkeypatch.setenv("XIANGXIN_QUIET_START", "00:00")
    monkeypatch.setenv("XIANGXIN_QUIET_END", "00:00")


async def test_the_secretary_previews_sends_and_watches_a_notice(
    page: Page, console: Console
) -> None:
    await log_in(page, console, console.secretary)
    await page.goto(console.village_url("幸福村", "broadcasts"))
    compose = page.locator("form#compose")
    await compose.locator("[name=title]").fill("医保缴费提醒")
    await compose.locator("[name=body]").fill("2027年度城乡居民医保开始缴费，请于12月31日前缴纳。")
    async with page.expect_navigation():
        await compose.locator("[type=submit]").click()

    # the preview: 幸福村 has two households with a mobile, none bound on Telegram
    await expect(page.locator("#reach-sms b")).to_have_text("2")
    await expect(page.locator("#reach-telegram b")).to_have_text("0")
    await expect(page.locator("#reach-none b")).to_have_text("3")
    await expect(page.locator("#sms-cost b")).to_have_text(re.compile(r"^\d+\.\d\d 元$"))
    await expect(page.locator("#progress")).to_have_count(0)

    async with page.expect_navigation():
        await page.locator("form#send [type=submit]").click()
    await expect(page.locator("#outcome")).to_contain_text("共 2 户")
    progress = page.locator("#progress")
    await expect(progress).to_have_attribute("data-settled", "yes", timeout=SENDING_MS)
    await expect(page.locator("#progress-count")).to_have_text("已完成 2/2")
    await expect(page.locator("#progress-end")).to_have_text("全部发送完毕。")
    await expect(page.locator("#send")).to_have_count(0)  # sent: no second button

    await page.goto(console.village_url("幸福村", "broadcasts"))
    await expect(page.locator("#notices")).to_contain_text("2/2")
    assert "医保缴费提醒" in await page.locator("#notices").inner_text()
