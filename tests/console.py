"""Shared helpers for web console tests: a real server on 127.0.0.1, a login, a staff password."""

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


async def console_client(
    db: Database, settings: Settings
) -> TestClient[web.Request, web.Application]:
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


async def log_in(
    client: TestClient[web.Request, web.Application], village: str, name: str, password: str
) -> ClientResponse:
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
