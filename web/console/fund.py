"""The 孝善基金's pages: figures, arrears, money in and out, reversals, supporters, pledges,
the matching rule, the 收支公示 and the 光荣榜.

Handlers stay thin: the principal, one use case (:mod:`usecases.fund_pages`),
a page. A form POST answers with a redirect (303) to the fund page, which
shows the outcome in one line (kept in the session until shown), so that
reloading the page never records the money again.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
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


def _id(value: str) -> int:
    """A row id typed into a form (a select's value); 0 when it is not one."""
    return int(value) if value.isdecimal() and len(value) < 10 else 0


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
        "honour_ask": None,
        "month": month_key(view.today),
    } | extra
    return aiohttp_jinja2.render_template("fund.html", request, context, status=status)


async def fund(request: web.Request) -> web.StreamResponse:
    return await _fund_page(request, {})


async def pledges(request: web.Request) -> web.StreamResponse:
    """Every pledge and its periods; for the council also the forms to sign and end one."""
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    async with database(request).session() as session:
        view = await fund_pages.fund_pledges_page(
            session, principal, village_id, _year(request), utcnow()
        )
        forms = await fund_pages.pledge_forms(session, principal, village_id, utcnow())
    context = {"view": view, "forms": forms, "yuan": yuan, "outcome": await outcome.take(request)}
    return aiohttp_jinja2.render_template("fund_pledges.html", request, context)


async def contribution(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    form = await request.post()
    entered = fund_pages.ContributionInput(
        pledge_id=_id(form_text(form, "pledge")),
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


# ---------------------------------------------------------------- payouts


async def payouts(request: web.Request) -> web.StreamResponse:
    """What the fund holds for each elder, this month's payouts, and the forms to pay."""
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await fund_pages.payouts_page(
            session, principal, path_number(request, "village"), utcnow()
        )
    context = {
        "view": view,
        "yuan": yuan,
        "once": secrets.token_urlsafe(12),
        "month": month_key(view.today),
        "outcome": await outcome.take(request),
    }
    return aiohttp_jinja2.render_template("fund_payouts.html", request, context)


async def payout(request: web.Request) -> web.StreamResponse:
    """The month's payout to every elder, or (with an elder) to that one elder."""
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    here = f"/villages/{village_id}/fund/payouts"
    form = await request.post()
    entered = fund_pages.PayoutInput(
        month=form_text(form, "month"),
        method=form_text(form, "method") or PayMethod.CASH.value,
        elder_id=_id(form_text(form, "elder")),
        amount=form_text(form, "amount"),
        once=form_text(form, "once")[:64],
    )
    raise await outcome.act(
        request,
        here,
        lambda session: fund_pages.pay_out(session, principal, village_id, entered, utcnow()),
    )


# ---------------------------------------------------------------- the journal, reversals


async def journal(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await fund_pages.journal_page(session, principal, path_number(request, "village"))
    context = {"view": view, "yuan": yuan, "outcome": await outcome.take(request)}
    return aiohttp_jinja2.render_template("fund_journal.html", request, context)


async def reversal(request: web.Request) -> web.StreamResponse:
    """冲正 one entry with the reason typed beside it."""
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    here = f"/villages/{village_id}/fund/journal"
    form = await request.post()
    entered = fund_pages.ReversalInput(
        entry_id=path_number(request, "entry"), reason=form_text(form, "reason")
    )
    raise await outcome.act(
        request,
        here,
        lambda session: fund_pages.reverse_entry(session, principal, village_id, entered, utcnow()),
    )


# ---------------------------------------------------------------- supporters


async def supporters(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await fund_pages.supporters_page(session, principal, path_number(request, "village"))
    context = {"view": view, "outcome": await outcome.take(request)}
    return aiohttp_jinja2.render_template("fund_supporters.html", request, context)


def _supporter_input(form: Mapping[str, object]) -> fund_pages.SupporterInput:
    return fund_pages.SupporterInput(
        name=form_text(form, "name"),
        phone=form_text(form, "phone"),
        relation=form_text(form, "relation"),
        household=form_text(form, "household"),
    )


async def supporter_add(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    here = f"/villages/{village_id}/fund/supporters"
    entered = _supporter_input(await request.post())
    raise await outcome.act(
        request,
        here,
        lambda session: fund_pages.add_supporter(session, principal, village_id, entered),
    )


async def supporter_edit(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    here = f"/villages/{village_id}/fund/supporters"
    entered = _supporter_input(await request.post())
    supporter_id = path_number(request, "supporter")
    raise await outcome.act(
        request,
        here,
        lambda session: fund_pages.edit_supporter(
            session, principal, village_id, supporter_id, entered
        ),
    )


# ---------------------------------------------------------------- signing and ending pledges


async def pledge_sign(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    here = f"/villages/{village_id}/fund/pledges"
    form = await request.post()
    entered = fund_pages.PledgeInput(
        elder_id=_id(form_text(form, "elder")),
        supporter_id=_id(form_text(form, "supporter")),
        amount=form_text(form, "amount"),
        due_day=form_text(form, "due_day"),
        start=form_text(form, "start"),
        frequency=form_text(form, "frequency") or "monthly",
    )
    raise await outcome.act(
        request,
        here,
        lambda session: fund_pages.sign_pledge(session, principal, village_id, entered, utcnow()),
    )


async def pledge_end(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    here = f"/villages/{village_id}/fund/pledges"
    entered = fund_pages.PledgeEndInput(
        pledge_id=path_number(request, "pledge"), month=form_text(await request.post(), "month")
    )
    raise await outcome.act(
        request,
        here,
        lambda session: fund_pages.end_pledge(session, principal, village_id, entered),
    )


# ---------------------------------------------------------------- publishing the 光荣榜


async def honour_publish(request: web.Request) -> web.StreamResponse:
    """Publish the year's roll; while the year is open, show the fund page asking first (409)."""
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    here = f"/villages/{village_id}/fund"
    form = await request.post()
    entered = fund_pages.HonourInput(
        year=form_text(form, "year"),
        stars=form_text(form, "stars") == "1",
        confirmed=form_text(form, "confirmed") == "1",
    )
    async with outcome.back_on_refusal(request, here), database(request).transaction() as session:
        published = await fund_pages.publish_honour(
            session, principal, village_id, entered, utcnow()
        )
    if published.ask:
        return await _fund_page(request, {"honour_ask": published.message, "roll": entered}, 409)
    raise await outcome.see_other(request, here, published.message)


# ---------------------------------------------------------------- the matching rule


async def rule(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await fund_pages.rule_page(
            session, principal, path_number(request, "village"), utcnow()
        )
    context = {"view": view, "outcome": await outcome.take(request)}
    return aiohttp_jinja2.render_template("fund_rule.html", request, context)


async def rule_set(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    here = f"/villages/{village_id}/fund/rule"
    form = await request.post()
    entered = fund_pages.RuleInput(
        start=form_text(form, "start"), rate=form_text(form, "rate"), cap=form_text(form, "cap")
    )
    raise await outcome.act(
        request,
        here,
        lambda session: fund_pages.set_rule(session, principal, village_id, entered, utcnow()),
    )


def add_routes(app: web.Application) -> None:
    village = "/villages/{village:\\d+}"
    app.router.add_get(village + "/fund", fund, name="fund")
    app.router.add_get(village + "/fund/pledges", pledges, name="fund_pledges")
    app.router.add_post(village + "/fund/contributions", contribution, name="fund_contribution")
    app.router.add_post(village + "/fund/donations", donation, name="fund_donation")
    app.router.add_get(village + "/fund/statement", statement, name="fund_statement")
    app.router.add_get(village + "/fund/honour", honour, name="fund_honour")
    app.router.add_post(village + "/fund/honour", honour_publish, name="fund_honour_publish")
    app.router.add_get(village + "/fund/payouts", payouts, name="fund_payouts")
    app.router.add_post(village + "/fund/payouts", payout, name="fund_payout")
    app.router.add_get(village + "/fund/journal", journal, name="fund_journal")
    app.router.add_post(
        village + "/fund/entries/{entry:\\d+}/reversal", reversal, name="fund_reversal"
    )
    app.router.add_get(village + "/fund/supporters", supporters, name="fund_supporters")
    app.router.add_post(village + "/fund/supporters", supporter_add, name="fund_supporter_add")
    app.router.add_post(
        village + "/fund/supporters/{supporter:\\d+}", supporter_edit, name="fund_supporter_edit"
    )
    app.router.add_post(village + "/fund/pledges", pledge_sign, name="fund_pledge_sign")
    app.router.add_post(
        village + "/fund/pledges/{pledge:\\d+}/end", pledge_end, name="fund_pledge_end"
    )
    app.router.add_get(village + "/fund/rule", rule, name="fund_rule")
    app.router.add_post(village + "/fund/rule", rule_set, name="fund_rule_set")
    app.router.add_get(
        village + "/export/fund-statement.xlsx", statement_export, name="fund_statement_export"
    )
