"""The console's 帮扶 page (helpers, assignments, visit plans, festivals) and 困难求助 page.

Handlers stay thin: the principal, one use case of :mod:`usecases.care_plans`,
a page. A form answers 303 back to the 帮扶 page (showing the household just
changed), with the outcome in one line kept in the session, so that a reload
changes nothing; a rule that says no (a plan out of range, a household without
a helper) comes back the same way, in red.
"""

from __future__ import annotations

from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from core.clock import to_local, utcnow
from usecases import care_plans
from web.console import outcome
from web.console.auth import current_principal
from web.console.requests import database, form_text, htmx_partial, path_number


def _care_path(village_id: int, number: str = "") -> str:
    """The 帮扶 page, searching for the household a form was about."""
    path = f"/villages/{village_id}/care"
    return f"{path}?{urlencode({'q': number})}" if number.strip() else path


async def care(request: web.Request) -> web.StreamResponse:
    """The whole page, or only the households' table when htmx asks (search as one types)."""
    principal = await current_principal(request)
    today = to_local(utcnow()).date()
    async with database(request).session() as session:
        view = await care_plans.care_plans_page(
            session, principal, path_number(request, "village"), today, request.query.get("q", "")
        )
    partial = htmx_partial(request)
    context = {"view": view, "outcome": None if partial else await outcome.take(request)}
    template = "_care_plan_rows.html" if partial else "care_plans.html"
    response = aiohttp_jinja2.render_template(template, request, context)
    response.headers["Vary"] = "HX-Request"
    return response


async def assign(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    form = await request.post()
    number, helper = form_text(form, "household"), form_text(form, "helper")
    back = _care_path(village_id, number)
    raise await outcome.act(
        request,
        back,
        lambda session: care_plans.assign_household(
            session,
            principal,
            village_id,
            number,
            int(helper) if helper.isdecimal() and len(helper) < 10 else 0,
            utcnow(),
        ),
    )


async def plan(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    form = await request.post()
    number = form_text(form, "household")
    back = _care_path(village_id, number)
    today = to_local(utcnow()).date()
    raise await outcome.act(
        request,
        back,
        lambda session: care_plans.plan_household(
            session, principal, village_id, number, form_text(form, "every_days"), today
        ),
    )


async def festivals(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    form = await request.post()
    chosen = [value for value in form.getall("festival", []) if isinstance(value, str)]
    back = _care_path(village_id) + "#festivals"
    raise await outcome.act(
        request,
        back,
        lambda session: care_plans.set_festivals(session, principal, village_id, chosen),
    )


async def hardship(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await care_plans.hardship_page(
            session,
            principal,
            path_number(request, "village"),
            request.query.get("days", ""),
            utcnow(),
        )
    return aiohttp_jinja2.render_template("care_hardship.html", request, {"view": view})


def add_routes(app: web.Application) -> None:
    village = "/villages/{village:\\d+}"
    app.router.add_get(village + "/care", care, name="care_plans")
    app.router.add_post(village + "/care/assign", assign)
    app.router.add_post(village + "/care/plan", plan)
    app.router.add_post(village + "/care/festivals", festivals)
    app.router.add_get(village + "/hardship", hardship, name="hardship")
