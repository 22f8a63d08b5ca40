"""The login audit pages: a village's (``/villages/N/logins``) and the county's (``/township/logins``)."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from core.clock import utcnow
from usecases.login_audit import login_audit
from web.console.auth import current_principal
from web.console.requests import database, path_number


async def village_logins(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await login_audit(session, principal, path_number(request, "village"), utcnow())
    return aiohttp_jinja2.render_template("logins.html", request, {"view": view})


async def county_logins(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await login_audit(session, principal, None, utcnow())
    return aiohttp_jinja2.render_template("logins.html", request, {"view": view})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/villages/{village:\\d+}/logins", village_logins, name="village_logins")
    app.router.add_get("/township/logins", county_logins, name="county_logins")
