"""A roster import with errors, in Chromium against the real service (both databases)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.async_api import Page, expect
from sqlmodel import col, select

from core.db import Database
from tests.browser.conftest import Console, log_in
from village.models import Household

pytestmark = pytest.mark.asyncio(loop_scope="session")


def roster_file(folder: Path) -> Path:
    """The committee's spreadsheet: a title row, then two good rows, a bad phone, a missing name."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["幸福村 2026年建档立卡户名单"])
    sheet.append(["户编号", "户主姓名", "联系电话", "组", "家庭人口"])
    sheet.append(["XF101", "孙大力", "13800138000", "一组", 3])
    sheet.append(["XF102", "周小红", "1380013", "一组", 2])  # row 4: a phone too short
    sheet.append(["XF103", None, None, "二组", 4])  # row 5: no 户主姓名
    sheet.append(["XF104", "郑好", None, "三组", 1])
    path = folder / "幸福村名单.xlsx"
    book.save(path)
    return path


async def test_an_import_with_errors_shows_the_rows_and_imports_nothing_until_bad_rows_are_skipped(
    page: Page, console: Console, tmp_path: Path
) -> None:
    file = roster_file(tmp_path)
    await log_in(page, console, console.secretary)
    await page.get_by_role("link", name="导入名单").click()
    await expect(page.locator("h1")).to_have_text("幸福村 导入建档立卡名单")

    await page.get_by_label("名单文件").set_input_files(file)
    async with page.expect_navigation():
        await page.get_by_role("button", name="上传并导入").click()

    await expect(page.get_by_role("alert")).to_contain_text("有 2 处问题，没有导入任何数据")
    rows = page.locator("#import-problems tr")
    await expect(rows).to_have_count(3)  # the header and two problems
    await expect(rows.nth(0)).to_have_text("行号户编号问题")
    await expect(rows.nth(1).locator("td").nth(0)).to_have_text("4")
    await expect(rows.nth(1).locator("td").nth(1)).to_have_text("XF102")
    await expect(rows.nth(1).locator("td").nth(2)).to_contain_text("不是有效的电话号码")
    await expect(rows.nth(2).locator("td").nth(0)).to_have_text("5")
    await expect(rows.nth(2).locator("td").nth(2)).to_have_text("缺少户主姓名")

    await page.goto(console.village_url("幸福村", "roster?q=XF10"))
    await expect(page.locator("#roster-table")).not_to_contain_text("XF101")

    await page.goto(console.village_url("幸福村", "roster/import"))
    await page.get_by_label("名单文件").set_input_files(file)
    await page.get_by_label("跳过有问题的行").check()
    async with page.expect_navigation():
        await page.get_by_role("button", name="上传并导入").click()

    await expect(page.get_by_role("status")).to_have_text(
        "导入完成：共 2 户（新建 2 户，更新 0 户），2 人；跳过 2 户、0 人"
    )
    await expect(page.locator("#import-problems tr")).to_have_count(3)

    await page.goto(console.village_url("幸福村", "roster?q=XF10"))
    table = page.locator("#roster-table")
    await expect(table).to_contain_text("XF101")
    await expect(table).to_contain_text("XF104")
    await expect(table).not_to_contain_text("XF102")
    await expect(table).not_to_contain_text("XF103")
    database = Database(console.database_url)
    try:
        async with database.session() as session:
            numbers = await session.scalars(
                select(Household.number).where(col(Household.number).like("XF10%"))
            )
            assert sorted(numbers) == ["XF101", "XF104"]  # the good rows only, once
    finally:
        await database.dispose()
