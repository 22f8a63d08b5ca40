"""The rating round (星级评定) pages: the list of rounds, one round, its printable 公示.

Handlers stay thin: the principal, one use case of :mod:`usecases.round_pages`,
a page. Every form POSTs and then redirects (303) to the round's page, which
shows the one-line result: reloading that page never repeats an act. A rule of
the domain that says "not now" (公示期未满, 还有提名未评议 …) comes back the
same way, as a red line on the page the person was working on; "not you"
(Forbidden) and "no such thing" (NotFound) stay a 403/404 page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import utcnow
from core.errors import DomainError
from points.notice import render_html, render_xlsx
from usecases import round_pages
from usecases.exports import Export
from usecases.principal import Principal
from web.console import outcome
from web.console.auth import current_principal
from web.console.requests import database, download, form_text, path_number

Form = MultiDictProxy[str | bytes | Any]
Work = Callable[[AsyncSession, Principal], Awaitable[str]]


def _int(form: Form, name: str) -> int:
    value = form_text(form, name).strip()
    if not value.isdecimal() or len(value) > 9:
        raise DomainError("console_rounds_bad_form")
    return int(value)


def _rounds_url(request: web.Request) -> str:
    return f"/villages/{path_number(request, 'village')}/rounds"


def _round_url(request: web.Request) -> str:
    return f"{_rounds_url(request)}/{path_number(request, 'round')}"


async def _act(request: web.Request, work: Work, back: str) -> web.StreamResponse:
    """Run one act in a transaction, keep its result line for the next page, redirect (303)."""
    principal = await current_principal(request)
    raise await outcome.act(request, back, lambda session: work(session, principal))


# ---------------------------------------------------------------- pages


async def rounds_list(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await round_pages.rounds_page(
            session, principal, path_number(request, "village"), utcnow()
        )
    context = {"view": view, "village": view.village, "outcome": await outcome.take(request)}
    return aiohttp_jinja2.render_template("rounds.html", request, context)


async def round_page(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, round_id = path_number(request, "village"), path_number(request, "round")
    query = request.query.get("q", "")
    async with database(request).session() as session:  # reading the page writes nothing
        view = await round_pages.round_page(session, principal, village_id, round_id)
        homes = await round_pages.household_choices(session, principal, village_id, query)
    context = {
        "view": view,
        "village": view.village,
        "homes": homes,
        "query": query,
        "outcome": await outcome.take(request),
    }
    return aiohttp_jinja2.render_template("round.html", request, context)


async def household_picker(request: web.Request) -> web.StreamResponse:
    """The nomination form's household list, as htmx asks for it while one types."""
    principal = await current_principal(request)
    async with database(request).session() as session:
        homes = await round_pages.household_choices(
            session, principal, path_number(request, "village"), request.query.get("q", "")
        )
    return aiohttp_jinja2.render_template("_round_households.html", request, {"homes": homes})


async def notice_html(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, round_id = path_number(request, "village"), path_number(request, "round")
    async with database(request).session() as session:
        data = await round_pages.printable_notice(session, principal, village_id, round_id)
    return web.Response(text=render_html(data), content_type="text/html")


async def notice_xlsx(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, round_id = path_number(request, "village"), path_number(request, "round")
    async with database(request).session() as session:
        data = await round_pages.printable_notice(session, principal, village_id, round_id)
    return download(
        Export(f"{data.village}{data.round}公示.xlsx", render_xlsx(data)), "notice.xlsx"
    )


# ---------------------------------------------------------------- acts


async def start(request: web.Request) -> web.StreamResponse:
    """新建本季度评星 (or its 补评): to the new round's page, else back to the list."""
    principal = await current_principal(request)
    extra = form_text(await request.post(), "extra") == "1"
    village_id = path_number(request, "village")
    async with database(request).transaction() as session:
        started = await round_pages.start_round(session, principal, village_id, extra, utcnow())
    back = _rounds_url(request)
    target = f"{back}/{started.round_id}" if started.round_id else back
    raise await outcome.see_other(request, target, started.message)


async def nominate(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    village_id, round_id = path_number(request, "village"), path_number(request, "round")
    category = form_text(form, "category").strip()
    if not category:
        raise DomainError("console_rounds_bad_form")
    nomination = round_pages.Nomination(
        form_text(form, "household_number"), category, form_text(form, "reason")
    )
    return await _act(
        request,
        lambda s, p: round_pages.nominate(s, p, village_id, round_id, nomination, utcnow()),
        _round_url(request),
    )


async def review(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    village_id, round_id = path_number(request, "village"), path_number(request, "round")
    decision = round_pages.Review(
        path_number(request, "award"),
        form_text(form, "decision") == "approve",
        form_text(form, "note"),
    )
    return await _act(
        request,
        lambda s, p: round_pages.review(s, p, village_id, round_id, decision, utcnow()),
        _round_url(request),
    )


async def approve_all(request: web.Request) -> web.StreamResponse:
    village_id, round_id = path_number(request, "village"), path_number(request, "round")
    return await _act(
        request,
        lambda s, p: round_pages.approve_all(s, p, village_id, round_id, utcnow()),
        _round_url(request),
    )


async def withdraw(request: web.Request) -> web.StreamResponse:
    village_id, round_id = path_number(request, "village"), path_number(request, "round")
    award_id = path_number(request, "award")
    return await _act(
        request,
        lambda s, p: round_pages.withdraw(s, p, village_id, round_id, award_id, utcnow()),
        _round_url(request),
    )


def _stage(
    step: Callable[[AsyncSession, Principal, int, int, Any], Awaitable[str]],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A button that moves the whole round on (提交评议, 发布公示, 生效)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        village_id, round_id = path_number(request, "village"), path_number(request, "round")
        return await _act(
            request, lambda s, p: step(s, p, village_id, round_id, utcnow()), _round_url(request)
        )

    return handler


async def reopen(request: web.Request) -> web.StreamResponse:
    """退回评议, with the reason the round's record keeps."""
    form = await request.post()
    village_id, round_id = path_number(request, "village"), path_number(request, "round")
    reopening = round_pages.Reopening(form_text(form, "reason"))
    return await _act(
        request,
        lambda s, p: round_pages.reopen(s, p, village_id, round_id, reopening, utcnow()),
        _round_url(request),
    )


async def lodge_objection(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    village_id, round_id = path_number(request, "village"), path_number(request, "round")
    objection = round_pages.ObjectionInput(
        _int(form, "award"),
        form_text(form, "name"),
        form_text(form, "contact"),
        form_text(form, "reason"),
    )
    return await _act(
        request,
        lambda s, p: round_pages.lodge_objection(s, p, village_id, round_id, objection, utcnow()),
        _round_url(request),
    )


async def resolve_objection(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    village_id, round_id = path_number(request, "village"), path_number(request, "round")
    resolution = round_pages.Resolution(
        path_number(request, "objection"),
        form_text(form, "decision") == "uphold",
        form_text(form, "note"),
    )
    return await _act(
        request,
        lambda s, p: round_pages.resolve_objection(
            s, p, village_id, round_id, resolution, utcnow()
        ),
        _round_url(request),
    )


def add_routes(app: web.Application) -> None:
    rounds = "/villages/{village:\\d+}/rounds"
    one = rounds + "/{round:\\d+}"
    app.router.add_get(rounds, rounds_list, name="rounds")
    app.router.add_post(rounds, start)
    app.router.add_get(one, round_page, name="round")
    app.router.add_get(one + "/households", household_picker)
    app.router.add_get(one + "/notice.html", notice_html)
    app.router.add_get(one + "/notice.xlsx", notice_xlsx)
    app.router.add_post(one + "/awards", nominate)
    app.router.add_post(one + "/awards/{award:\\d+}/review", review)
    app.router.add_post(one + "/awards/{award:\\d+}/withdraw", withdraw)
    app.router.add_post(one + "/approve-all", approve_all)
    app.router.add_post(one + "/submit", _stage(round_pages.submit))
    app.router.add_post(one + "/publish", _stage(round_pages.publish))
    app.router.add_post(one + "/take-effect", _stage(round_pages.take_effect))
    app.router.add_post(one + "/reopen", reopen)
    app.router.add_post(one + "/objections", lodge_objection)
    app.router.add_post(one + "/objections/{objection:\\d+}/resolve", resolve_objection)
