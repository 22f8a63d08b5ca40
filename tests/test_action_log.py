"""The action log: who assigned, planned, corrected or cancelled, on the logins page and in the CLI.

The console tests run a real aiohttp server over SQLite and PostgreSQL; the CLI
test runs ``xiangxin`` in-process against both.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import pytest
from aiohttp import ClientResponse
from sqlmodel import col, select
from typer.testing import Result

from bot.cli.context import console
from care.visits import assign_helper, set_visit_plan
from core.db import Database
from fund import pledges
from tests.console import PASSWORD, Client, client_of, logged_in, page_token, staff_with_password
from tests.factories import Town, make_town
from village.models import ActionLog, Household, StaffMember, Village

Invoke = Callable[..., Result]


def actions_table(page: str) -> str:
    """The 操作记录 table of the logins page, tags removed ("" when there is none)."""
    found = re.search(r'<table id="actions">.*?</table>', page, re.S)
    return re.sub(r"(\s*<[^>]+>\s*)+", "|", found.group(0)) if found else ""


async def logs(db: Database) -> list[tuple[str, int, str]]:
    async with db.session() as s:
        rows = await s.scalars(select(ActionLog).order_by(col(ActionLog.id)))
        return [(r.action, r.actor_id, r.detail) for r in rows]


async def care_post(client: Client, town: Town, action: str, data: dict[str, object]) -> None:
    care = f"/villages/{town.village.id}/care"
    token = await page_token(client, care)
    response: ClientResponse = await client.post(
        f"{care}/{action}", data={"csrf_token": token} | data
    )
    assert response.status == 200, await response.text()


async def test_a_secretary_assigns_a_helper_and_sets_a_plan_and_the_logins_page_names_her(
    db: Database,
) -> None:
    town = await make_town(db, households=2)
    helper = await staff_with_password(db, "幸福村", "钱帮扶", "helper", PASSWORD)
    client = await logged_in(db, "幸福村", "李委员", "committee")
    async with client:
        await care_post(client, town, "assign", {"household": "幸福村-001", "helper": helper.id})
        await care_post(client, town, "plan", {"household": "幸福村-001", "every_days": "30"})
        page = await client.get(f"/villages/{town.village.id}/logins")
        body = await page.text()
    assert page.status == 200
    table = actions_table(body)
    assert "|李委员|走访计划改为每 30 天（1 户）：幸福村-001（户主1）|" in table
    assert "|李委员|把 1 户交给帮扶责任人 钱帮扶：幸福村-001（户主1）|" in table
    assert table.index("走访计划") < table.index("帮扶责任人 钱帮扶")  # newest first
    async with db.session() as s:
        her = await s.scalar(select(StaffMember).where(StaffMember.name == "李委员"))
    assert her is not None
    assert [(a, who) for a, who, _ in await logs(db)] == [
        ("assign_helper", her.id),
        ("visit_plan", her.id),
    ]


async def test_setting_the_same_plan_twice_records_it_once(db: Database) -> None:
    town = await make_town(db, households=1)
    helper = await staff_with_password(db, "幸福村", "钱帮扶", "helper", PASSWORD)
    async with db.transaction() as s:
        secretary = await s.get_one(StaffMember, town.secretary.id)
        village = await s.get_one(Village, town.village.id)
        home = await s.get_one(Household, town.households[0].id)
        await assign_helper(s, secretary, village, await s.get_one(StaffMember, helper.id), [home])
        assert await set_visit_plan(s, secretary, village, [home], 14) == 1
        assert await set_visit_plan(s, secretary, village, [home], 14) == 0
        assert (
            await assign_helper(
                s, secretary, village, await s.get_one(StaffMember, helper.id), [home]
            )
            == 0
        )
    assert [a for a, _, _ in await logs(db)] == ["assign_helper", "visit_plan"]


async def test_a_supporter_corrected_in_the_console_is_listed_and_an_unchanged_save_is_not(
    db: Database,
) -> None:
    town = await make_town(db, households=1)
    keeper = await staff_with_password(db, "幸福村", "孝善会长", "fund_council", PASSWORD)
    async with db.transaction() as s:
        son = await pledges.add_supporter(
            s,
            await s.get_one(StaffMember, keeper.id),
            town.village,
            "王大明",
            "13812345678",
            "儿子",
        )
    here = f"/villages/{town.village.id}/fund/supporters/{son.id}"
    corrected = {"name": "王大名", "phone": "13900001111", "relation": "儿子"}
    async with await client_of(db, "幸福村", "孝善会长") as council:
        token = await page_token(council, f"/villages/{town.village.id}/fund/supporters")
        for _ in range(2):  # the second save changes nothing
            saved = await council.post(here, data={"csrf_token": token} | corrected)
            assert saved.status == 200, await saved.text()
    async with await logged_in(db, "幸福村", "监委会", "supervisor") as supervisor:
        body = await (await supervisor.get(f"/villages/{town.village.id}/logins")).text()
    table = actions_table(body)
    assert (
        f"|孝善会长|更正赡养人 #{son.id}：王大明（儿子，138****5678） → 王大名（儿子，139****1111）|"
        in table
    )
    assert f"|孝善会长|登记赡养人 #{son.id} 王大明（儿子，138****5678）|" in table
    assert [a for a, _, _ in await logs(db)] == ["add_supporter", "edit_supporter"]


async def _seed(url: str) -> None:
    database = Database(url)
    try:
        await make_town(database, households=2)
    finally:
        await database.dispose()


async def _rows(url: str) -> list[tuple[str, str, str]]:
    database = Database(url)
    try:
        async with database.session() as s:
            rows = await s.execute(
                select(ActionLog.action, StaffMember.name, ActionLog.detail)
                .join(StaffMember, col(StaffMember.id) == col(ActionLog.actor_id))
                .order_by(col(ActionLog.id))
            )
            return [(a, n, d) for a, n, d in rows]
    finally:
        await database.dispose()


def test_a_director_cancels_a_notice_from_the_cli_and_village_log_names_him(
    invoke: Invoke, cli_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console, "width", 200)  # whole lines, not folded cells
    asyncio.run(_seed(cli_url))
    made = invoke(
        "broadcast", "create", "--title", "医保缴费提醒", "--body", "请于12月31日前缴纳。",
        "-v", "幸福村", "-b", "幸福村文书",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    notice_id = re.search(r"#(\d+)", made.output).group(1)  # type: ignore[union-attr]
    cancelled = invoke("broadcast", "cancel", notice_id, "-b", "幸福村主任")
    assert cancelled.exit_code == 0, cancelled.output
    planned = invoke("village", "set", "-v", "幸福村", "-b", "幸福村文书", "--publicity-days", "7")
    assert planned.exit_code == 0, planned.output

    said = f"撤销通知 #{notice_id}「医保缴费提醒」，作废未发消息 0 条"
    assert asyncio.run(_rows(cli_url)) == [
        ("cancel_notice", "幸福村主任", said),
        ("village_settings", "幸福村文书", "修改村设置：公示天数 5 → 7"),
    ]
    listed = invoke("village", "log", "-v", "幸福村")
    assert listed.exit_code == 0, listed.output
    assert re.search(rf"幸福村主任\s+│\s+{re.escape(said)}", listed.output), listed.output
    assert "修改村设置：公示天数 5 → 7" in listed.output
    latest = invoke("village", "log", "-v", "幸福村", "--limit", "1")
    assert "修改村设置" in latest.output and "撤销通知" not in latest.output
