"""Policy notices in the browser: the list, compose, preview, send, live progress, export.

Composing writes the notice; its page shows who it reaches and what the SMS
cost before anyone presses 发送. Sending plans the outbox rows; the service's
outreach worker sends them, and the page polls the progress part (htmx, every
second) until every message has settled or waits for the quiet hours to end.
"""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from core.clock import utcnow
from notifications.quiet import QuietHours
from usecases import broadcast_pages
from web.console import fund, outcome
from web.console.auth import SETTINGS_KEY, current_principal
from web.console.requests import database, download, form_text, path_number


def _quiet(request: web.Request) -> QuietHours:
    settings = request.app[SETTINGS_KEY]
    return QuietHours(settings.quiet_start, settings.quiet_end)


async def broadcasts(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await broadcast_pages.broadcasts_page(
            session, principal, path_number(request, "village"), _quiet(request), utcnow()
        )
    context = {"view": view, "outcome": await outcome.take(request)}
    return aiohttp_jinja2.render_template("broadcasts.html", request, context)


async def compose(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
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
    raise web.HTTPSeeOther(f"/villages/{village_id}/broadcasts/{notice.id}")


async def notice(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    price = request.app[SETTINGS_KEY].sms_price_yuan
    async with database(request).session() as session:
        view = await broadcast_pages.notice_page(
            session,
            principal,
            path_number(request, "village"),
            path_number(request, "notice"),
            price,
            _quiet(request),
            utcnow(),
        )
    context = {"view": view, "progress": view.progress, "outcome": await outcome.take(request)}
    return aiohttp_jinja2.render_template("broadcast.html", request, context)


async def progress(request: web.Request) -> web.StreamResponse:
    """The progress part alone; once settled it no longer asks to be polled."""
    principal = await current_principal(request)
    village_id, notice_id = path_number(request, "village"), path_number(request, "notice")
    async with database(request).session() as session:
        found = await broadcast_pages.notice_progress(
            session, principal, village_id, notice_id, _quiet(request), utcnow()
        )
    context = {"progress": found, "village_id": village_id, "notice_id": notice_id}
    return aiohttp_jinja2.render_template("_broadcast_progress.html", request, context)


async def send(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, notice_id = path_number(request, "village"), path_number(request, "notice")
    async with database(request).transaction() as session:
        message = await broadcast_pages.send_broadcast(
            session, principal, village_id, notice_id, utcnow()
        )
    raise await outcome.see_other(
        request, f"/villages/{village_id}/broadcasts/{notice_id}", message
    )


async def export(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    notice_id = path_number(request, "notice")
    async with database(request).session() as session:
        made = await broadcast_pages.broadcast_export(
            session, principal, path_number(request, "village"), notice_id, utcnow()
        )
    return download(made, f"broadcast-{notice_id}.xlsx")


def add_routes(app: web.Application) -> None:
    """The broadcast pages and, registered with them, the 孝善基金's (both reach people)."""
    fund.add_routes(app)
    village = "/villages/{village:\\d+}"
    one = village + "/broadcasts/{notice:\\d+}"
    app.router.add_get(village + "/broadcasts", broadcasts, name="broadcasts")
    app.router.add_post(village + "/broadcasts", compose, name="broadcast_compose")
    app.router.add_get(one, notice, name="broadcast")
    app.router.add_get(one + "/progress", progress, name="broadcast_progress")
    app.router.add_post(one + "/send", send, name="broadcast_send")
    app.router.add_get(
        village + "/export/broadcast-{notice:\\d+}.xlsx", export, name="broadcast_export"
    )
