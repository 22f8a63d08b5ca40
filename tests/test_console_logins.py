"""The login audit, the real client behind a trusted proxy, and the Secure cookie.

Every test runs a real aiohttp server on 127.0.0.1 over SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from core.db import Database
from core.errors import DomainError
from core.settings import Settings
from tests.console import (
    PASSWORD,
    client_of,
    console_client,
    csrf_token,
    log_in,
    logged_in,
    staff_with_password,
)
from village.models import LoginAttempt
from web.console.auth import COOKIE_NAME
from web.proxies import client_address, parse_proxies


async def test_a_secretary_reads_who_logged_in_to_her_village_and_who_failed(db: Database) -> None:
    secretary = await staff_with_password(db, "幸福村", "周文书", "committee", PASSWORD)
    await staff_with_password(db, "光明村", "孙文书", "committee", PASSWORD)
    guesser = await console_client(db, Settings(database_url=db.url))
    try:
        await log_in(guesser, "幸福村", "周文书", "猜的密码123")
        await log_in(guesser, "光明村", "孙文书", "猜的密码123")  # another village's try
    finally:
        await guesser.close()
    client = await client_of(db, "幸福村", "周文书")
    try:
        page = await client.get(f"/villages/{secretary.village_id}/logins")
        body = await page.text()
    finally:
        await client.close()

    assert page.status == 200
    assert body.count('class="failed"') == 1  # her village's failure, not 光明村's
    assert body.count('class="ok"') == 1  # her own login just now
    assert "密码不对或无此账号" in body and "登录成功" in body
    assert "近 24 小时失败 1 次，来自 1 个地址" in body
    assert "孙文书" not in body


async def test_a_shopkeeper_is_refused_the_login_audit(db: Database) -> None:
    shopkeeper = await staff_with_password(db, "幸福村", "吴店主", "shopkeeper", PASSWORD)
    client = await client_of(db, "幸福村", "吴店主")
    try:
        page = await client.get(f"/villages/{shopkeeper.village_id}/logins")
        county = await client.get("/township/logins")
    finally:
        await client.close()
    assert page.status == 403
    assert county.status == 403


async def test_the_county_reads_every_login_and_a_supervisor_reads_her_village(
    db: Database,
) -> None:
    supervisor = await staff_with_password(db, "幸福村", "郑委员", "supervisor", PASSWORD)
    county = await logged_in(db, None, "县里李", "county_admin")
    try:
        everything = await (await county.get("/township/logins")).text()
    finally:
        await county.close()
    reader = await client_of(db, "幸福村", "郑委员")
    try:
        village_page = await reader.get(f"/villages/{supervisor.village_id}/logins")
        village_body = await village_page.text()
    finally:
        await reader.close()
    assert "县里李" in everything and "（县、乡）" in everything
    assert village_page.status == 200
    assert "郑委员" in village_body


async def test_behind_a_trusted_proxy_the_throttle_records_the_villagers_own_address(
    db: Database,
) -> None:
    await staff_with_password(db, "幸福村", "周文书", "committee", PASSWORD)
    settings = Settings(database_url=db.url, trusted_proxies="127.0.0.1")
    client = await console_client(db, settings)
    try:
        token = csrf_token(await (await client.get("/login")).text())
        headers = {"X-Forwarded-For": "10.9.9.9, 203.0.113.7"}  # a claim, then what nginx saw
        form = {
            "csrf_token": token,
            "village": "幸福村",
            "name": "周文书",
            "password": "错的密码xx",
        }
        await client.post("/login", data=form, headers=headers)
    finally:
        await client.close()
    async with db.session() as session:
        peers = list(
            await session.scalars(select(LoginAttempt.peer).order_by(col(LoginAttempt.id)))
        )
    assert peers == ["203.0.113.7"]


async def test_without_trusted_proxies_a_forwarded_header_changes_nothing(db: Database) -> None:
    await staff_with_password(db, "幸福村", "周文书", "committee", PASSWORD)
    client = await console_client(db, Settings(database_url=db.url))
    try:
        token = csrf_token(await (await client.get("/login")).text())
        form = {
            "csrf_token": token,
            "village": "幸福村",
            "name": "周文书",
            "password": "错的密码xx",
        }
        await client.post("/login", data=form, headers={"X-Forwarded-For": "203.0.113.7"})
    finally:
        await client.close()
    async with db.session() as session:
        assert list(await session.scalars(select(LoginAttempt.peer))) == ["127.0.0.1"]


def test_only_a_trusted_proxy_names_the_client() -> None:
    proxies = parse_proxies("127.0.0.1, 10.0.0.0/8")
    assert client_address("127.0.0.1", ["1.2.3.4, 10.1.1.1"], proxies) == "1.2.3.4"
    assert client_address("198.51.100.1", ["1.2.3.4"], proxies) == "198.51.100.1"
    assert client_address("127.0.0.1", ["not-an-address"], proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", ["10.1.1.1"], proxies) == "127.0.0.1"
    with pytest.raises(DomainError) as refused:
        parse_proxies("127.0.0.1, nginx")
    assert "nginx" in refused.value.message


async def test_the_login_cookie_is_https_only_when_set_so(db: Database) -> None:
    await staff_with_password(db, "幸福村", "周文书", "committee", PASSWORD)
    for secure in (False, True):
        settings = Settings(database_url=db.url, console_secure_cookie=secure)
        client = await console_client(db, settings)
        try:
            page = await client.get("/login")
            cookie = page.headers.getall("Set-Cookie")
        finally:
            await client.close()
        mine = [c for c in cookie if c.startswith(COOKIE_NAME)]
        assert mine and ("Secure" in mine[0]) is secure
        assert "SameSite=Strict" in mine[0] and "HttpOnly" in mine[0]
