"""The 孝善基金's pages: figures, arrears, pledges, money in, the 收支公示 and the 光荣榜.

Handlers stay thin: the principal, one use case (:mod:`usecases.fund_pages`),
a page. A form POST answers with a redirect (303) to the fund page, which
shows the outcome in one line (kept in the session until shown), so that
reloading the page never records the money again.
"""

from __future__ import annotations

import secrets
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from core.catalogue import text
from core.clock import local_today, utcnow
from fund.ledger import PayMethod, month_key, yuan
from usecases import fund_pages
from web.console import outcome
from web.console.auth import current_principal
from web.console.requests import database, download, form_text, path_number


def _year(request: web.Request) -> int:
    value = request.query.get("year", "")
    if value.isdecimal() and len(value) == 4:
        return int(value)
    return local_today(utcnow()).year


def _month(request: web.Request) -> str:
    return request.query.get("month", "") or month_key(local_today(utcnow()))


async def _fund_page(
    request: web.Request, extra: dict[str, Any], status: int = 200
) -> web.Response:
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await fund_pages.fund_page(
            session, principal, path_number(request, "village"), utcnow()
        )
    context = {
        "view": view,
        "yuan": yuan,
        "once": secrets.token_urlsafe(12),
        "outcome": await outcome.take(request),
        "twice": None,
        "month": month_key(view.today),
    } | extra
    return aiohttp_jinja2.render_template("fund.html", request, context, status=status)


async def fund(request: web.Request) -> web.StreamResponse:
    return await _fund_page(request, {})


async def pledges(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await fund_pages.fund_pledges_page(
            session, principal, path_number(request, "village"), _year(request), utcnow()
        )
    return aiohttp_jinja2.render_template(
        "fund_pledges.html", request, {"view": view, "yuan": yuan}
    )


async def contribution(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    form = await request.post()
    pledge = form_text(form, "pledge")
    entered = fund_pages.ContributionInput(
        pledge_id=int(pledge) if pledge.isdecimal() and len(pledge) < 10 else 0,
        month=form_text(form, "month"),
        amount=form_text(form, "amount"),
        day=form_text(form, "day"),
        method=form_text(form, "method") or PayMethod.CASH.value,
        once=form_text(form, "once")[:64],
    )
    async with database(request).transaction() as session:
        message = await fund_pages.record_contribution(
            session, principal, village_id, entered, utcnow()
        )
    raise await outcome.see_other(request, f"/villages/{village_id}/fund", message)


async def donation(request: web.Request) -> web.StreamResponse:
    """Record a gift; when it looks typed twice, show the fund page asking to confirm (409)."""
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    form = await request.post()
    entered = fund_pages.DonationInput(
        donor=form_text(form, "donor"),
        amount=form_text(form, "amount"),
        day=form_text(form, "day"),
        method=form_text(form, "method") or PayMethod.CASH.value,
        ref=form_text(form, "ref")[:64],
        note=form_text(form, "note"),
        again=form_text(form, "again") == "1",
    )
    async with database(request).transaction() as session:
        recorded = await fund_pages.record_donation(
            session, principal, village_id, entered, utcnow()
        )
    if recorded.twice:
        return await _fund_page(request, {"twice": recorded.message, "gift": entered}, 409)
    raise await outcome.see_other(request, f"/villages/{village_id}/fund", recorded.message)


async def statement(request: web.Request) -> web.StreamResponse:
    """The 收支公示 as the printed sheet (the fund page shows it in a frame)."""
    principal = await current_principal(request)
    async with database(request).session() as session:
        found = await fund_pages.fund_statement(
            session, principal, path_number(request, "village"), _month(request), utcnow()
        )
    return aiohttp_jinja2.render_template(
        "fund_statement.html", request, {"statement": found, "yuan": yuan}
    )


async def statement_export(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        made = await fund_pages.fund_statement_export(
            session, principal, path_number(request, "village"), _month(request), utcnow()
        )
    return download(made, "fund-statement.xlsx")


async def honour(request: web.Request) -> web.StreamResponse:
    """The year's 光荣榜 as the printed sheet: as published, or who stands on it so far."""
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await fund_pages.honour_page(
            session, principal, path_number(request, "village"), _year(request), utcnow()
        )
    title = text("fund_honour_title", village=view.village.name, year=view.year)
    if not view.published:
        title += text("console_fund_honour_draft")
    context = {
        "title": title,
        "village": view.village.name,
        "year": view.year,
        "lines": view.lines,
        "issued": view.issued,
        "yuan": yuan,
    }
    return aiohttp_jinja2.render_template("fund_honour.html", request, context)


def add_routes(app: web.Application) -> None:
    village = "/villages/{village:\\d+}"
    app.router.add_get(village + "/fund", fund, name="fund")
    app.router.add_get(village + "/fund/pledges", pledges, name="fund_pledges")
    app.router.add_post(village + "/fund/contributions", contribution, name="fund_contribution")
    app.router.add_post(village + "/fund/donations", donation, name="fund_donation")
    app.router.add_get(village + "/fund/statement", statement, name="fund_statement")
    app.router.add_get(village + "/fund/honour", honour, name="fund_honour")
    app.router.add_get(
        village + "/export/fund-statement.xlsx", statement_export, name="fund_statement_export"
    )
