"""The console's pages: a village's dashboard, roster, households, exports; the township.

Each handler resolves the logged-in principal, calls one use case (which checks
that the principal may see the village) and renders its view. A refusal from
the domain (:class:`core.errors.DomainError`) becomes a page in Chinese with the
right status, never a traceback: see :func:`domain_errors`.
"""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from core.clock import to_local, utcnow
from core.errors import DomainError, Forbidden, NotFound
from usecases.dashboard import village_dashboard
from usecases.exports import balances_export, redemptions_export, visits_export
from usecases.roster_pages import household_page, roster_page
from usecases.township import township_overview
from web.console import charts
from web.console.auth import current_principal
from web.console.requests import database, download, htmx_partial, path_number


def _page(request: web.Request) -> int:
    value = request.query.get("page", "1")
    if not value.isdecimal() or len(value) > 6:
        raise DomainError("console_bad_page_number")
    return int(value)


async def dashboard(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    today = to_local(utcnow()).date()
    async with database(request).session() as session:
        view = await village_dashboard(session, principal, path_number(request, "village"), today)
    chart = charts.month_bars(view.months)
    return aiohttp_jinja2.render_template("dashboard.html", request, {"view": view, "chart": chart})


async def roster(request: web.Request) -> web.StreamResponse:
    """The whole page, or only the table when htmx asks (live search as one types)."""
    principal = await current_principal(request)
    query = request.query.get("q", "")
    page = _page(request)
    async with database(request).session() as session:
        view = await roster_page(session, principal, path_number(request, "village"), query, page)
    template = "_roster_table.html" if htmx_partial(request) else "roster.html"
    response = aiohttp_jinja2.render_template(template, request, {"view": view})
    response.headers["Vary"] = "HX-Request"
    return response


async def household(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, household_id = path_number(request, "village"), path_number(request, "household")
    async with database(request).session() as session:
        view = await household_page(session, principal, village_id, household_id, utcnow())
    return aiohttp_jinja2.render_template("household.html", request, {"view": view})


async def township(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    today = to_local(utcnow()).date()
    async with database(request).session() as session:
        view = await township_overview(session, principal, today)
    return aiohttp_jinja2.render_template("township.html", request, {"view": view})


async def export(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    what = request.match_info["what"]
    build = EXPORTS.get(what)
    if build is None:
        raise NotFound("console_not_found")
    async with database(request).session() as session:
        made = await build(session, principal, path_number(request, "village"), utcnow())
    return download(made, f"{what}.xlsx")


EXPORTS = {
    "balances": balances_export,
    "redemptions": redemptions_export,
    "visits": visits_export,
}


@web.middleware
async def domain_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A rule of the domain said no: show its Chinese message (403, 404 or 400)."""
    try:
        return await handler(request)
    except DomainError as error:
        status = (
            403 if isinstance(error, Forbidden) else 404 if isinstance(error, NotFound) else 400
        )
        response = aiohttp_jinja2.render_template(
            "error.html", request, {"message": error.message, "status": status}, status=status
        )
        return response


def add_routes(app: web.Application) -> None:
    app.middlewares.append(domain_errors)
    village = "/villages/{village:\\d+}"
    app.router.add_get("/township", township, name="township")
    app.router.add_get(village + "/", dashboard, name="dashboard")
    app.router.add_get(village + "/roster", roster, name="roster")
    app.router.add_get(village + "/households/{household:\\d+}", household, name="household")
    app.router.add_get(
        village + "/export/{what:balances|redemptions|visits}.xlsx", export, name="export"
    )
