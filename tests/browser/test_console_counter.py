"""The 扶贫超市 counter in Chromium, against the real service (both databases).

The household's code is read from what its phone received: the service's
outbox sends the ask at once through the console SMS gateway, which writes
each SMS to ``sms.log`` (and the sent row keeps the code masked, so the
database no longer has it). The shopkeeper's page must never show it.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Console, log_in

pytestmark = pytest.mark.asyncio(loop_scope="session")

XF001_PHONE = "+8613800001234"
SMS_WAIT_SECONDS = 10


async def code_on_the_phone(sms_log: Path, phone: str) -> str:
    """The 6-digit code in the newest SMS to ``phone`` that carries one (bounded wait)."""
    deadline = time.monotonic() + SMS_WAIT_SECONDS
    while time.monotonic() < deadline:
        if sms_log.exists():
            for line in reversed(sms_log.read_text(encoding="utf-8").splitlines()):
                sms = json.loads(line)
                found = re.search(r"验证码(\d{6})", sms["text"])
                if sms["to"] == phone and found:
                    return found.group(1)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no code reached {phone} within {SMS_WAIT_SECONDS} s")


async def test_a_shopkeeper_redeems_at_the_counter_and_takes_the_goods_back(
    page: Page, console: Console, tmp_path: Path
) -> None:
    await log_in(page, console, console.shopkeeper)
    await page.goto(console.village_url("幸福村", "counter/stock"))
    form = page.locator("#add-item")
    await form.get_by_label("名称").fill("大米")
    await form.get_by_label("积分价").fill("20")
    await form.get_by_label("单位").fill("袋")
    await form.get_by_label("初始库存").fill("5")
    await form.get_by_role("button", name="上架").click()
    await expect(page.get_by_role("status")).to_contain_text("已上架：大米，20 分/袋")

    await page.get_by_role("link", name="柜台兑换").click()
    await page.get_by_label("户编号、户主姓名或拼音首字母").fill("XF001")
    households = page.locator("#counter-households")
    await expect(households).to_contain_text("王建国")
    await households.get_by_role("link", name="选择").click()
    await expect(page.locator("#customer")).to_contain_text("王建国（XF001），积分余额 120 分")
    await expect(page.locator("#goods")).to_contain_text("5袋")
    await page.get_by_label("大米 数量").fill("2")
    await page.get_by_role("button", name="发起兑换").click()
    await expect(page.get_by_role("status")).to_contain_text("验证码已发给农户本人")
    await expect(page.locator("#counter-status")).to_have_text(
        "等待农户在手机上确认……（本页自动刷新）"
    )

    code = await code_on_the_phone(tmp_path / "sms.log", XF001_PHONE)
    assert code not in await page.content()  # the shopkeeper never sees it

    await page.get_by_label("农户报出的 6 位验证码").fill(code)
    await page.get_by_role("button", name="确认兑换").click()
    await expect(page.get_by_role("status")).to_have_text("兑换完成，小票已发给农户")
    await expect(page.locator("#receipt")).to_contain_text("合计：40 分")
    await expect(page.locator("#balance-now")).to_have_text("王建国现有积分 80 分")
    await expect(page.get_by_role("button", name="打印小票")).to_be_visible()

    redemption_url = page.url
    await page.get_by_role("link", name="商品与库存").click()
    await expect(page.locator("#stock")).to_contain_text("3袋")

    await page.get_by_role("link", name="兑换记录").click()
    row = page.locator("#redemptions tr", has_text="王建国")
    await expect(row).to_contain_text("已完成")
    await row.get_by_label("退货原因").fill("米受潮")
    await row.get_by_role("button", name="退货").click()
    await expect(page.get_by_role("status")).to_contain_text("40 分已退回，农户现有 120 分")
    await expect(page).to_have_url(redemption_url)
    await expect(page.locator("#redemption-status")).to_have_text("已退货")
    await expect(page.get_by_role("button", name="退货")).to_have_count(0)  # once

    await page.get_by_role("link", name="商品与库存").click()
    await expect(page.locator("#stock")).to_contain_text("5袋")
