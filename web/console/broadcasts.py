"""Policy notices in the browser: the list, compose, preview, send, cancel, live progress, export.

Composing writes the notice; its page shows who it reaches and what the SMS
cost before anyone presses 发送. Sending plans the outbox rows; the service's
outreach worker sends them, and the page polls the progress part (htmx, every
second) until every message has settled or waits for the quiet hours to end.

The same handlers serve a village's notices (``/villages/{village}/broadcasts``)
and a county administrator's notices for every village (``/township/broadcasts``):
a route without a village is the county-wide page.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from core.clock import utcnow
from notifications.quiet import QuietHours
from usecases import broadcast_pages
from web.console import fund, outcome
from web.console.auth import SETTINGS_KEY, current_principal
from web.console.requests import database, download, form_text, path_number

TOWNSHIP = "/township/broadcasts"


def _quiet(request: web.Request) -> QuietHours:
    settings = request.app[SETTINGS_KEY]
    return QuietHours(settings.quiet_start, settings.quiet_end)


def _village(request: web.Request) -> int | None:
    """The village of the route; None on the county-wide pages."""
    return path_number(request, "village") if "village" in request.match_info else None


def _base(village_id: int | None) -> str:
    return f"/villages/{village_id}/broadcasts" if village_id is not None else TOWNSHIP


def _export_url(village_id: int | None, notice_id: int) -> str:
    if village_id is None:
        return f"/township/export/broadcast-{notice_id}.xlsx"
    return f"/villages/{village_id}/export/broadcast-{notice_id}.xlsx"


async def _render(request: web.Request, template: str, context: dict[str, Any]) -> web.Response:
    """A whole page, with the outcome of the last POST (shown once)."""
    context = {**context, "outcome": await outcome.take(request)}
    return aiohttp_jinja2.render_template(template, request, context)


async def broadcasts(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = _village(request)
    async with database(request).session() as session:
        view = await broadcast_pages.broadcasts_page(
            session, principal, village_id, _quiet(request), utcnow()
        )
    template = "broadcasts.html" if village_id is not None else "township_broadcasts.html"
    return await _render(request, template, {"view": view, "base": _base(village_id)})


async def compose(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = _village(request)
    form = await request.post()
    entered = broadcast_pages.ComposeInput(
        title=form_text(form, "title"),
        body=form_text(form, "body"),
        household_types=tuple(v for v in form.getall("type", []) if isinstance(v, str)),
        with_elder=form_text(form, "elder") == "1",
        with_school_age_child=form_text(form, "school_child") == "1",
        with_chronic_illness=form_text(form, "chronic") == "1",
        households=form_text(form, "households"),
        when=form_text(form, "when"),
        at=form_text(form, "at"),
    )
    async with database(request).transaction() as session:
        notice = await broadcast_pages.compose_broadcast(
            session, principal, village_id, entered, utcnow()
        )
    raise web.HTTPSeeOther(f"{_base(village_id)}/{notice.id}")


async def notice(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, notice_id = _village(request), path_number(request, "notice")
    price = request.app[SETTINGS_KEY].sms_price_yuan
    async with database(request).session() as session:
        view = await broadcast_pages.notice_page(
            session, principal, village_id, notice_id, price, _quiet(request), utcnow()
        )
    context = {
        "view": view,
        "progress": view.progress,
        "base": _base(village_id),
        "export_url": _export_url(village_id, notice_id),
    }
    return await _render(request, "broadcast.html", context)


async def progress(request: web.Request) -> web.StreamResponse:
    """The progress part alone; once settled it no longer asks to be polled."""
    principal = await current_principal(request)
    village_id, notice_id = _village(request), path_number(request, "notice")
    async with database(request).session() as session:
        found = await broadcast_pages.notice_progress(
            session, principal, village_id, notice_id, _quiet(request), utcnow()
        )
    context = {"progress": found, "base": _base(village_id), "notice_id": notice_id}
    return aiohttp_jinja2.render_template("_broadcast_progress.html", request, context)


async def send(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, notice_id = _village(request), path_number(request, "notice")
    async with database(request).transaction() as session:
        message = await broadcast_pages.send_broadcast(
            session, principal, village_id, notice_id, utcnow()
        )
    raise await outcome.see_other(request, f"{_base(village_id)}/{notice_id}", message)


async def cancel(request: web.Request) -> web.StreamResponse:
    """撤销: no further firing; a refusal (already cancelled or sent) comes back in red."""
    principal = await current_principal(request)
    village_id, notice_id = _village(request), path_number(request, "notice")
    here = f"{_base(village_id)}/{notice_id}"
    raise await outcome.act(
        request,
        here,
        lambda session: broadcast_pages.cancel_broadcast(session, principal, village_id, notice_id),
    )


async def export(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    notice_id = path_number(request, "notice")
    async with database(request).session() as session:
        made = await broadcast_pages.broadcast_export(
            session, principal, _village(request), notice_id, utcnow()
        )
    return download(made, f"broadcast-{notice_id}.xlsx")


def add_routes(app: web.Application) -> None:
    """The broadcast pages and, registered with them, the 孝善基金's (both reach people)."""
    fund.add_routes(app)
    for place, name in (("/villages/{village:\\d+}", ""), ("/township", "township_")):
        one = place + "/broadcasts/{notice:\\d+}"
        app.router.add_get(place + "/broadcasts", broadcasts, name=f"{name}broadcasts")
        app.router.add_post(place + "/broadcasts", compose, name=f"{name}broadcast_compose")
        app.router.add_get(one, notice, name=f"{name}broadcast")
        app.router.add_get(one + "/progress", progress, name=f"{name}broadcast_progress")
        app.router.add_post(one + "/send", send, name=f"{name}broadcast_send")
        app.router.add_post(one + "/cancel", cancel, name=f"{name}broadcast_cancel")
        app.router.add_get(
            place + "/export/broadcast-{notice:\\d+}.xlsx", export, name=f"{name}broadcast_export"
        )
