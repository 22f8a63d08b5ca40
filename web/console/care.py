"""The console's care pages: roster import, home visits and follow-ups of one village.

Handlers stay thin: the principal, one use case of :mod:`usecases.care_pages`,
a page. Visits and follow-ups answer a POST with 303 to their page, which shows
what was done in one line (``?logged=`` / ``?closed=`` name the row, so a reload
changes nothing). The import answers with its report itself: a report of
hundreds of rows does not fit in a redirect, and sending the file again only
updates the same households by 户编号.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from care.models import ChecklistItem
from core.catalogue import text
from core.clock import to_local, utcnow
from usecases.care_pages import (
    MAX_UPLOAD_BYTES,
    RosterUpload,
    VisitForm,
    close_follow_up_form,
    follow_ups_page,
    import_upload,
    import_village,
    log_visit_form,
    visits_page,
)
from web.console.auth import current_principal
from web.console.requests import database, form_text, path_number

IMPORT_PATH = re.compile(r"/villages/\d+/roster/import")
FORM_SLACK = 64 * 1024  # the form's other fields and multipart headers around the file
LIMIT_MB = MAX_UPLOAD_BYTES // (1024 * 1024)


def _id_query(request: web.Request, name: str) -> int | None:
    """A row id named in the query after a POST (anything else is ignored)."""
    value = request.query.get(name, "")
    return int(value) if value.isdecimal() and len(value) <= 9 else None


# ---------------------------------------------------------------- roster import


async def import_form(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        village = await import_village(session, principal, path_number(request, "village"))
    context = {"village": village, "view": None, "limit": LIMIT_MB}
    return aiohttp_jinja2.render_template("roster_import.html", request, context)


async def import_file(request: web.Request) -> web.StreamResponse:
    """The problems by row (nothing imported), or the summary of what was imported."""
    principal = await current_principal(request)
    form = await request.post()
    upload = form.get("file")
    roster = RosterUpload(
        # browsers send the name as UTF-8; some clients percent-encode it (RFC 5987)
        filename=unquote(upload.filename) if isinstance(upload, web.FileField) else "",
        content=upload.file.read() if isinstance(upload, web.FileField) else b"",
        skip_bad=form.get("skip_bad") == "on",
    )
    async with database(request).transaction() as session:
        view = await import_upload(session, principal, path_number(request, "village"), roster)
    context = {"village": view.village, "view": view, "limit": LIMIT_MB}
    status = 200 if view.written else 422
    return aiohttp_jinja2.render_template("roster_import.html", request, context, status=status)


def _too_big(request: web.Request) -> web.Response:
    message = text("console_care_file_too_big", limit=LIMIT_MB)
    context = {"message": message, "status": 413, "principal": None, "csrf_token": ""}
    return aiohttp_jinja2.render_template("error.html", request, context, status=413)


@web.middleware
async def upload_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let a roster upload be up to 5 MB (aiohttp's default body limit is 1 MB) and refuse
    a bigger one in Chinese before anything reads it. Outermost, since the CSRF check
    already reads the form."""
    if request.method != "POST" or not IMPORT_PATH.fullmatch(request.path):
        return await handler(request)
    limit = MAX_UPLOAD_BYTES + FORM_SLACK
    if (request.content_length or 0) > limit:
        return _too_big(request)
    try:
        return await handler(request.clone(client_max_size=limit))
    except web.HTTPRequestEntityTooLarge:  # no Content-Length (chunked), or it lied
        return _too_big(request)


# ---------------------------------------------------------------- visits


async def visits(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    today = to_local(utcnow()).date()
    async with database(request).session() as session:
        view = await visits_page(
            session,
            principal,
            path_number(request, "village"),
            today,
            household=request.query.get("household", ""),
            logged=_id_query(request, "logged"),
        )
    return aiohttp_jinja2.render_template("visits.html", request, {"view": view})


async def log_visit(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    form = await request.post()
    visit = VisitForm(
        household=form_text(form, "household"),
        method=form_text(form, "method"),
        visited_on=form_text(form, "visited_on"),
        note=form_text(form, "note"),
        problems=frozenset(i.value for i in ChecklistItem if form.get(f"problem_{i.value}")),
        notes={i.value: form_text(form, f"note_{i.value}") for i in ChecklistItem},
    )
    async with database(request).transaction() as session:
        visit_id = await log_visit_form(session, principal, village_id, visit, utcnow())
    raise web.HTTPSeeOther(f"/villages/{village_id}/visits?logged={visit_id}")


# ---------------------------------------------------------------- follow-ups


async def follow_ups(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await follow_ups_page(
            session, principal, path_number(request, "village"), closed=_id_query(request, "closed")
        )
    return aiohttp_jinja2.render_template("follow_ups.html", request, {"view": view})


async def close_follow_up(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, follow_up_id = path_number(request, "village"), path_number(request, "follow_up")
    resolution = form_text(await request.post(), "resolution")
    async with database(request).transaction() as session:
        await close_follow_up_form(
            session, principal, village_id, follow_up_id, resolution, utcnow()
        )
    raise web.HTTPSeeOther(f"/villages/{village_id}/follow-ups?closed={follow_up_id}")


def add_routes(app: web.Application) -> None:
    app.middlewares.insert(0, upload_limit)
    village = "/villages/{village:\\d+}"
    app.router.add_get(village + "/roster/import", import_form, name="roster_import")
    app.router.add_post(village + "/roster/import", import_file)
    app.router.add_get(village + "/visits", visits, name="visits")
    app.router.add_post(village + "/visits", log_visit)
    app.router.add_get(village + "/follow-ups", follow_ups, name="follow_ups")
    app.router.add_post(village + "/follow-ups/{follow_up:\\d+}/close", close_follow_up)
