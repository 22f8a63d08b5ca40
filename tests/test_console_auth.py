"""Logging in to the web console: passwords, the throttle, sessions, CSRF and read-only roles.

Every test runs a real aiohttp server on 127.0.0.1 over SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from typer.testing import CliRunner

from core.clock import utcnow
from core.db import Database
from core.errors import DomainError
from core.settings import Settings
from tests.conftest import Invoke, invoke_all
from tests.console import console_client, csrf_token, log_in, staff_with_password
from village.models import StaffMember
from village.staff_login import log_in as domain_log_in
from village.staff_login import set_password

Client = TestClient[web.Request, web.Application]
PASSWORD = "春风又绿江南岸"  # 7 characters: too short
GOOD = "chunfeng-2026"
WRONG_MESSAGE = "村名、姓名或密码不对"


def settings_for(db: Database, **changes: object) -> Settings:
    return Settings(database_url=db.url, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def client(db: Database) -> AsyncIterator[Client]:
    made = await console_client(db, settings_for(db))
    try:
        yield made
    finally:
        await made.close()


async def page_token(client: Client) -> str:
    return csrf_token(await (await client.get("/login")).text())


async def home_location(client: Client) -> str:
    response = await client.get("/", allow_redirects=False)
    assert response.status == 302
    return response.headers["Location"]


async def test_secretary_logs_in_and_lands_on_her_village(db: Database, client: Client) -> None:
    staff = await staff_with_password(db, "幸福村", "王文书", "committee", GOOD)
    assert (await home_location(client)).startswith("/login?next=")

    response = await log_in(client, "幸福村", "王文书", GOOD)

    assert response.history[0].status == 302
    village_page = f"/villages/{staff.village_id}/"
    assert response.history[-1].headers["Location"] == village_page
    assert await home_location(client) == village_page


async def test_county_admin_logs_in_without_a_village_and_lands_on_the_township(
    db: Database, client: Client
) -> None:
    await staff_with_password(db, None, "县里李", "county_admin", GOOD)
    await log_in(client, "", "县里李", GOOD)
    assert await home_location(client) == "/township"


async def test_wrong_password_name_or_village_get_one_message(db: Database, client: Client) -> None:
    await staff_with_password(db, "幸福村", "王文书", "committee", GOOD)
    tries = [("幸福村", "王文书", "not-the-password"), ("幸福村", "没这人", GOOD)]
    tries.append(("没这村", "王文书", GOOD))
    for village, name, password in tries:
        response = await log_in(client, village, name, password)
        assert response.status == 401
        page = await response.text()
        assert WRONG_MESSAGE in page
        assert "没这人" not in page.replace('value="没这人"', "")  # never says which part
    assert (await home_location(client)).startswith("/login")


async def test_sixth_try_from_one_address_is_throttled_even_with_the_right_password(
    db: Database, client: Client
) -> None:
    await staff_with_password(db, "幸福村", "王文书", "committee", GOOD)
    for number in range(5):  # five different names: the address is what is counted
        response = await log_in(client, "幸福村", f"猜{number}", "guess-guess")
        assert response.status == 401

    response = await log_in(client, "幸福村", "王文书", GOOD)

    assert response.status == 429
    assert "尝试次数过多，请 15 分钟后再试" in await response.text()
    assert (await home_location(client)).startswith("/login")


async def test_sixth_try_at_one_account_is_throttled_from_any_address(db: Database) -> None:
    staff = await staff_with_password(db, "幸福村", "王文书", "committee", GOOD)
    start = utcnow()
    async with db.transaction() as session:
        for number in range(5):  # five addresses, one account
            with pytest.raises(DomainError) as wrong:
                await domain_log_in(
                    session, "幸福村", "王文书", "guess-guess", f"10.0.0.{number}", start
                )
            assert wrong.value.message == WRONG_MESSAGE
    async with db.transaction() as session:
        with pytest.raises(DomainError) as throttled:
            await domain_log_in(session, "幸福村", "王文书", GOOD, "10.9.9.9", start)
        assert throttled.value.message == "尝试次数过多，请 15 分钟后再试"
        later = start + timedelta(minutes=10)
        with pytest.raises(DomainError) as still:
            await domain_log_in(session, "幸福村", "王文书", GOOD, "10.9.9.9", later)
        assert still.value.message == "尝试次数过多，请 5 分钟后再试"
    async with db.transaction() as session:
        window_over = start + timedelta(minutes=15, seconds=1)
        found, _ = await domain_log_in(session, "幸福村", "王文书", GOOD, "10.9.9.9", window_over)
        assert found.id == staff.id


async def test_logout_ends_the_session_even_for_a_copy_of_the_cookie(
    db: Database, client: Client
) -> None:
    await staff_with_password(db, "幸福村", "王文书", "committee", GOOD)
    await log_in(client, "幸福村", "王文书", GOOD)
    copy = client.session.cookie_jar.filter_cookies(client.make_url("/"))["xiangxin_session"].value
    assert (await home_location(client)).startswith("/villages/")

    response = await client.post("/logout", data={"csrf_token": await page_token(client)})
    assert response.status == 200
    assert "已退出登录" in await response.text()
    assert (await home_location(client)).startswith("/login")

    client.session.cookie_jar.update_cookies(
        {"xiangxin_session": copy}, response_url=client.make_url("/")
    )
    jar = client.session.cookie_jar.filter_cookies(client.make_url("/"))
    assert jar["xiangxin_session"].value == copy
    assert (await home_location(client)).startswith("/login")


async def test_an_expired_login_goes_back_to_the_login_form(db: Database) -> None:
    await staff_with_password(db, "幸福村", "王文书", "committee", GOOD)
    client = await console_client(db, settings_for(db, console_session_minutes=0))
    try:
        response = await log_in(client, "幸福村", "王文书", GOOD)
        assert response.url.path == "/login"
        assert "登录已过期，请重新登录" in await response.text()
    finally:
        await client.close()


async def test_a_post_without_the_csrf_token_is_refused(db: Database, client: Client) -> None:
    await staff_with_password(db, "幸福村", "王文书", "committee", GOOD)
    await page_token(client)
    refused = await client.post(
        "/login", data={"village": "幸福村", "name": "王文书", "password": GOOD}
    )
    assert refused.status == 403
    assert "请刷新后重试" in await refused.text()

    await log_in(client, "幸福村", "王文书", GOOD)
    forged = await client.post("/logout", data={"csrf_token": "forged"})
    assert forged.status == 403
    assert (await home_location(client)).startswith("/villages/")  # still logged in

    by_header = await client.post("/logout", headers={"X-CSRF-Token": await page_token(client)})
    assert by_header.url.path == "/login"
    assert (await home_location(client)).startswith("/login")


async def test_a_supervisor_may_look_but_not_change(db: Database, client: Client) -> None:
    staff = await staff_with_password(db, "幸福村", "赵监督", "supervisor", GOOD)
    await log_in(client, "幸福村", "赵监督", GOOD)
    token = await page_token(client)

    refused = await client.post(
        f"/villages/{staff.village_id}/roster", data={"csrf_token": token, "name": "改"}
    )
    assert refused.status == 403
    assert "村务监督委员会只能查看，不能修改" in await refused.text()

    logout = await client.post("/logout", data={"csrf_token": token})
    assert logout.url.path == "/login"


async def test_a_deactivated_staff_member_is_logged_out(db: Database, client: Client) -> None:
    staff = await staff_with_password(db, "幸福村", "王文书", "committee", GOOD)
    await log_in(client, "幸福村", "王文书", GOOD)
    assert (await home_location(client)).startswith("/villages/")

    async with db.transaction() as session:
        row = await session.get(StaffMember, staff.id)
        assert row is not None
        row.active = False
        session.add(row)

    location = await home_location(client)
    assert location.startswith("/login") and "expired=1" in location
    refused = await log_in(client, "幸福村", "王文书", GOOD)
    assert refused.status == 401
    assert "账号已停用" in await refused.text()


async def test_a_new_password_logs_out_the_earlier_login(db: Database, client: Client) -> None:
    staff = await staff_with_password(db, "幸福村", "王文书", "committee", GOOD)
    await log_in(client, "幸福村", "王文书", GOOD)
    assert (await home_location(client)).startswith("/villages/")

    async with db.transaction() as session:
        row = await session.get(StaffMember, staff.id)
        assert row is not None
        await set_password(session, row, "another-password")

    assert (await home_location(client)).startswith("/login")


async def test_the_session_cookie_is_strict_and_http_only(db: Database, client: Client) -> None:
    await staff_with_password(db, "幸福村", "王文书", "committee", GOOD)
    response = await log_in(client, "幸福村", "王文书", GOOD)
    cookie = response.history[0].cookies["xiangxin_session"]
    assert cookie["samesite"] == "Strict"
    assert cookie["httponly"] is True


async def test_a_password_shorter_than_eight_characters_is_refused(db: Database) -> None:
    staff = await staff_with_password(db, "幸福村", "王文书", "committee", GOOD)
    async with db.transaction() as session:
        row = await session.get(StaffMember, staff.id)
        assert row is not None
        for weak in (PASSWORD, " " * 12):
            with pytest.raises(DomainError) as refused:
                await set_password(session, row, weak)
            assert refused.value.message == "密码至少 8 个字符，且不能全是空格"


def test_the_cli_sets_a_password_that_then_logs_in(invoke: Invoke, cli_url: str) -> None:
    from bot.cli import app

    invoke_all(
        invoke,
        ("village", "add", "幸福村"),
        ("staff", "add", "王文书", "--role", "committee", "-v", "幸福村"),
        ("staff", "add", "赵监督", "--role", "supervisor", "-v", "幸福村"),
        ("staff", "add", "县里李", "--role", "county_admin"),
    )
    runner = CliRunner()
    mismatch = runner.invoke(
        app, ["staff", "password", "王文书", "-v", "幸福村"], input=f"{GOOD}\nother-one\n"
    )
    assert mismatch.exit_code != 0
    short = runner.invoke(app, ["staff", "password", "王文书", "-v", "幸福村"], input="short\n" * 2)
    assert short.exit_code == 1
    assert "密码至少 8 个字符" in short.output

    typed = runner.invoke(
        app, ["staff", "password", "王文书", "-v", "幸福村"], input=f"{GOOD}\n{GOOD}\n"
    )
    assert typed.exit_code == 0, typed.output
    assert GOOD not in typed.output
    assert "已设置 王文书（幸福村）的网页工作台密码" in typed.output
    scripted = runner.invoke(
        app, ["staff", "password", "县里李", "--password-stdin"], input="county-secret\n"
    )
    assert scripted.exit_code == 0, scripted.output

    async def logins() -> list[str]:
        db = Database(cli_url)
        client = await console_client(db, settings_for(db))
        try:
            places = []
            for village, name, password in (
                ("幸福村", "王文书", GOOD),
                ("", "县里李", "county-secret"),
            ):
                await log_in(client, village, name, password)
                places.append(await home_location(client))
                await client.post("/logout", data={"csrf_token": await page_token(client)})
            return places
        finally:
            await client.close()
            await db.dispose()

    places = asyncio.run(logins())
    assert places[0].startswith("/villages/")
    assert places[1] == "/township"


async def test_console_pages_are_never_kept_by_the_browser(db: Database, client: Client) -> None:
    """After logout, the browser's Back button must not show a stored page of figures."""
    staff = await staff_with_password(db, "幸福村", "周文书", "committee", GOOD)
    await log_in(client, "幸福村", "周文书", GOOD)
    for path in ("/login", f"/villages/{staff.village_id}/"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 200, path
        assert response.headers.get("Cache-Control") == "no-store", path
    health = await client.get("/healthz")
    assert "no-store" not in health.headers.get("Cache-Control", "")
