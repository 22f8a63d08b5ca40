"""Shared helpers for web console tests: a real server on 127.0.0.1, a login, a staff password,
the form token of a page and the one-line outcome a page shows after a form."""

from __future__ import annotations

import re

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from core.db import Database
from core.settings import Settings
from village.models import StaffMember, Village
from village.registry import add_staff, create_village
from village.staff_login import set_password
from web.app import create_app
from web.console import add_console

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
OUTCOME = re.compile(r'<p class="(notice|error)" id="outcome" role="(?:status|alert)">([^<]*)</p>')
PASSWORD = "村里的密码2026"
Client = TestClient[web.Request, web.Application]


async def console_client(db: Database, settings: Settings) -> Client:
    """A started client of the service's app with the console, served on 127.0.0.1.

    Close it with ``await client.close()`` (or use it in ``async with``).
    """
    app = create_app(db)
    add_console(app, settings)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


def csrf_token(page: str) -> str:
    """The CSRF token a console page carries in its forms."""
    found = CSRF_INPUT.search(page)
    assert found is not None, page
    return found.group(1)


async def log_in(client: Client, village: str, name: str, password: str) -> ClientResponse:
    """Fill in the login form as a person would: GET it, then POST it with its token."""
    form = await client.get("/login")
    token = csrf_token(await form.text())
    return await client.post(
        "/login",
        data={"csrf_token": token, "village": village, "name": name, "password": password},
    )


async def staff_with_password(
    db: Database, village_name: str | None, name: str, role: str, password: str
) -> StaffMember:
    """A staff member (and their village, made if missing; none for a county admin) with a password."""
    async with db.transaction() as session:
        village = None
        if village_name:
            village = await session.scalar(select(Village).where(Village.name == village_name))
            if village is None:
                village = await create_village(session, village_name, township="城关镇")
        staff = await add_staff(session, village, name, role)
        await set_password(session, staff, password)
    return staff


async def client_of(
    db: Database, village: str | None, name: str, settings: Settings | None = None
) -> Client:
    """A started client, logged in as ``name`` (who has :data:`PASSWORD`); close it when done."""
    client = await console_client(db, settings or Settings(database_url=db.url))
    response = await log_in(client, village or "", name, PASSWORD)
    assert response.status == 200, await response.text()
    return client


async def logged_in(
    db: Database, village: str | None, name: str, role: str, settings: Settings | None = None
) -> Client:
    """A new staff member with :data:`PASSWORD` (see :func:`staff_with_password`), logged in."""
    await staff_with_password(db, village, name, role, PASSWORD)
    return await client_of(db, village, name, settings)


async def page_token(client: Client, path: str) -> str:
    """The CSRF token of the page at ``path`` (which must open)."""
    page = await client.get(path)
    assert page.status == 200, await page.text()
    return csrf_token(await page.text())


def outcome(page: str, kind: str | None = None) -> str:
    """The one-line outcome a page shows after a form (``_outcome.html``); "" when there is
    none, or when it is not of ``kind`` ("notice" or "error")."""
    found = OUTCOME.search(page)
    if found is None or kind not in (None, found.group(1)):
        return ""
    return found.group(2)
