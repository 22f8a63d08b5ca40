"""The 扶贫超市 counter in the console: a redemption from household to receipt, stock, returns.

Handlers stay thin: the principal, one use case of :mod:`usecases.counter_pages`,
a page. Every form is Post/Redirect/Get: the POST answers 303 to a page, which
shows a one-line result kept for it in the session (so a reload does not
repeat the action, and the message is shown once). A refusal of the domain
(not enough points, a wrong quantity) goes back to the form with its message;
a forbidden or unknown village or record still answers 403 / 404.
"""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy

from core.catalogue import text
from core.clock import local_text, utcnow
from core.errors import DomainError
from core.settings import get_settings
from points.supermarket import ConfirmOutcome
from usecases.counter_pages import (
    NewItem,
    Restock,
    StartInput,
    WriteOff,
    add_stock_item,
    cancel_at_counter,
    confirm_at_counter,
    counter_page,
    item_page,
    redemption_page,
    redemptions_page,
    reprice_item,
    restock_item,
    return_at_counter,
    start_at_counter,
    stock_page,
    write_off_item,
)
from web.console import outcome
from web.console.auth import current_principal
from web.console.requests import database, htmx_partial, path_number

POLL_SECONDS = 3
MAX_POLLS = 200  # ten minutes of waiting for the household, then a reload by hand
MAX_WHOLE = 10**7

Form = MultiDictProxy[str | bytes | Any]


def _whole(value: object, *, empty: int | None = None) -> int:
    """A whole number typed in a form (full-width digits too); ``empty`` when left blank."""
    typed = str(value or "").strip()
    if not typed and empty is not None:
        return empty
    try:
        number = int(typed)
    except ValueError:
        raise DomainError("counter_number_not_number", value=typed) from None
    if abs(number) > MAX_WHOLE:
        raise DomainError("counter_number_not_number", value=typed)
    return number


def _lines(form: Form) -> list[tuple[int, int]]:
    """(item id, quantity) for every goods row with a quantity; blank and 0 are left out."""
    lines = []
    for name, value in form.items():
        item = name.removeprefix("qty_")
        if item != name and item.isdigit():
            quantity = _whole(value, empty=0)
            if quantity:
                lines.append((int(item), quantity))
    return lines


async def _render(request: web.Request, template: str, context: dict[str, Any]) -> web.Response:
    """A whole page, with the outcome of the last POST (shown once)."""
    context = {**context, "outcome": await outcome.take(request)}
    return aiohttp_jinja2.render_template(template, request, context)


def _base(village_id: int) -> str:
    return f"/villages/{village_id}/counter"


# ---------------------------------------------------------------- the counter


async def counter(request: web.Request) -> web.StreamResponse:
    """Pick the household (live search) and the goods; htmx asks for the search results alone."""
    principal = await current_principal(request)
    chosen = request.query.get("household", "")
    household = int(chosen) if chosen.isdigit() and len(chosen) < 10 else None
    async with database(request).session() as session:
        view = await counter_page(
            session,
            principal,
            path_number(request, "village"),
            request.query.get("q", ""),
            household,
        )
    if htmx_partial(request):
        response = aiohttp_jinja2.render_template(
            "_counter_households.html", request, {"view": view}
        )
    else:
        context = {"view": view, "key": uuid.uuid4().hex}
        response = await _render(request, "counter.html", context)
    response.headers["Vary"] = "HX-Request"
    return response


async def start(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    form = await request.post()
    back = f"{_base(village_id)}?household={str(form.get('household', ''))[:10]}"
    async with outcome.back_on_refusal(request, back):
        wanted = StartInput(_whole(form.get("household")), _lines(form), str(form.get("key", "")))
        async with database(request).transaction() as session:
            redemption_id = await start_at_counter(session, principal, village_id, wanted)
    minutes = get_settings().redemption_code_minutes
    notice = text("counter_code_sent", minutes=minutes)
    raise await outcome.see_other(
        request, f"{_base(village_id)}/redemptions/{redemption_id}", notice
    )


async def redemption(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, redemption_id = path_number(request, "village"), path_number(request, "redemption")
    async with database(request).session() as session:
        page = await redemption_page(session, principal, village_id, redemption_id, utcnow())
    context = {"page": page, "poll": 0, "max_polls": MAX_POLLS, "poll_seconds": POLL_SECONDS}
    return await _render(request, "redemption.html", context)


async def status(request: web.Request) -> web.StreamResponse:
    """htmx polls this while the household may confirm on its phone; a change reloads the page.

    Bounded: it stops when the redemption closes or its code runs out, and
    after :data:`MAX_POLLS` polls in any case.
    """
    principal = await current_principal(request)
    village_id, redemption_id = path_number(request, "village"), path_number(request, "redemption")
    poll = request.query.get("n", "0")
    count = int(poll) if poll.isdigit() and len(poll) < 5 else MAX_POLLS
    async with database(request).session() as session:
        page = await redemption_page(session, principal, village_id, redemption_id, utcnow())
    context = {"page": page, "poll": count, "max_polls": MAX_POLLS, "poll_seconds": POLL_SECONDS}
    response = aiohttp_jinja2.render_template("_counter_status.html", request, context)
    if not page.pending:
        response.headers["HX-Refresh"] = "true"  # the receipt (or why not) on the whole page
    return response


async def confirm(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, redemption_id = path_number(request, "village"), path_number(request, "redemption")
    here = f"{_base(village_id)}/redemptions/{redemption_id}"
    code = str((await request.post()).get("code", ""))
    # a wrong code is an outcome, not an error: the transaction commits the attempt it counted
    async with outcome.back_on_refusal(request, here), database(request).transaction() as session:
        confirmation = await confirm_at_counter(session, principal, village_id, redemption_id, code)
    if not confirmation.ok:
        raise await outcome.see_other(request, here, confirmation.message, error=True)
    if confirmation.outcome == ConfirmOutcome.ALREADY_COMPLETED:
        raise await outcome.see_other(
            request, here, text("redemption_already_done", id=redemption_id)
        )
    raise await outcome.see_other(request, here, text("counter_confirmed"))


async def cancel(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, redemption_id = path_number(request, "village"), path_number(request, "redemption")
    here = f"{_base(village_id)}/redemptions/{redemption_id}"
    async with outcome.back_on_refusal(request, here), database(request).transaction() as session:
        await cancel_at_counter(session, principal, village_id, redemption_id)
    raise await outcome.see_other(request, here, text("redemption_cancelled", id=redemption_id))


async def take_back(request: web.Request) -> web.StreamResponse:
    """退货, once: a second return (a double click, another tab) changes nothing and says so."""
    principal = await current_principal(request)
    village_id, redemption_id = path_number(request, "village"), path_number(request, "redemption")
    here = f"{_base(village_id)}/redemptions/{redemption_id}"
    form = await request.post()
    reason = str(form.get("reason", ""))
    async with outcome.back_on_refusal(request, here), database(request).transaction() as session:
        returned, balance = await return_at_counter(
            session, principal, village_id, redemption_id, reason
        )
    if not returned.created:
        when = local_text(returned.entry.created_at)
        line = text("redemption_already_returned", id=redemption_id, time=when)
        raise await outcome.see_other(request, here, line, error=True)
    total = returned.redemption.total_points
    line = text("counter_returned", id=redemption_id, total=total, balance=balance)
    raise await outcome.see_other(request, here, line)


async def redemptions(request: web.Request) -> web.StreamResponse:
    """Today's redemptions, or the latest ones (``?recent=1``), each completed one returnable."""
    principal = await current_principal(request)
    today = request.query.get("recent") != "1"
    async with database(request).session() as session:
        view = await redemptions_page(
            session, principal, path_number(request, "village"), today, utcnow()
        )
    return await _render(request, "counter_redemptions.html", {"view": view})


# ---------------------------------------------------------------- goods and stock


async def stock(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    async with database(request).session() as session:
        view = await stock_page(session, principal, path_number(request, "village"))
    return await _render(request, "stock.html", {"view": view})


async def add_item(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id = path_number(request, "village")
    here = f"{_base(village_id)}/stock"
    form = await request.post()
    async with outcome.back_on_refusal(request, here):
        new = NewItem(
            name=str(form.get("name", "")),
            price_points=_whole(form.get("price")),
            unit=str(form.get("unit", "")),
            stock=_whole(form.get("stock"), empty=0),
        )
        async with database(request).transaction() as session:
            added = await add_stock_item(session, principal, village_id, new)
    item = added.item
    line = text(
        "item_added",
        name=item.name,
        price=item.price_points,
        unit=item.unit,
        yuan=added.yuan,
        stock=item.stock,
    )
    raise await outcome.see_other(request, here, line)


async def restock(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, item_id = path_number(request, "village"), path_number(request, "item")
    here = f"{_base(village_id)}/stock"
    form = await request.post()
    async with outcome.back_on_refusal(request, here):
        wanted = Restock(item_id, _whole(form.get("quantity")), str(form.get("reason", "")))
        async with database(request).transaction() as session:
            item = await restock_item(session, principal, village_id, wanted)
    line = text(
        "item_restocked", name=item.name, delta=wanted.quantity, unit=item.unit, stock=item.stock
    )
    raise await outcome.see_other(request, here, line)


async def stock_item(request: web.Request) -> web.StreamResponse:
    """One item: its price and its stock history (补货, 报损, redemptions, returns)."""
    principal = await current_principal(request)
    village_id, item_id = path_number(request, "village"), path_number(request, "item")
    async with database(request).session() as session:
        view = await item_page(session, principal, village_id, item_id)
    return await _render(request, "stock_item.html", {"view": view})


async def write_off(request: web.Request) -> web.StreamResponse:
    """报损: damaged or expired goods leave the stock, with the reason on record."""
    principal = await current_principal(request)
    village_id, item_id = path_number(request, "village"), path_number(request, "item")
    here = f"{_base(village_id)}/stock"
    form = await request.post()
    async with outcome.back_on_refusal(request, here):
        wanted = WriteOff(item_id, _whole(form.get("quantity")), str(form.get("reason", "")))
        async with database(request).transaction() as session:
            found = await write_off_item(session, principal, village_id, wanted)
    line = text(
        "console_counter_written_off",
        name=found.name,
        quantity=wanted.quantity,
        unit=found.unit,
        reason=wanted.reason.strip(),
        stock=found.stock,
    )
    raise await outcome.see_other(request, here, line)


async def reprice(request: web.Request) -> web.StreamResponse:
    principal = await current_principal(request)
    village_id, item_id = path_number(request, "village"), path_number(request, "item")
    here = f"{_base(village_id)}/stock"
    form = await request.post()
    async with outcome.back_on_refusal(request, here):
        price = _whole(form.get("price"))
        async with database(request).transaction() as session:
            changed = await reprice_item(session, principal, village_id, item_id, price)
    found = changed.item
    line = text(
        "item_repriced",
        name=found.name,
        price=found.price_points,
        unit=found.unit,
        yuan=changed.yuan,
    )
    raise await outcome.see_other(request, here, line)


def add_routes(app: web.Application) -> None:
    counter_path = "/villages/{village:\\d+}/counter"
    one = counter_path + "/redemptions/{redemption:\\d+}"
    app.router.add_get(counter_path, counter, name="counter")
    app.router.add_post(counter_path + "/redemptions", start, name="counter_start")
    app.router.add_get(counter_path + "/redemptions", redemptions, name="counter_redemptions")
    app.router.add_get(one, redemption, name="counter_redemption")
    app.router.add_get(one + "/status", status, name="counter_status")
    app.router.add_post(one + "/confirm", confirm, name="counter_confirm")
    app.router.add_post(one + "/cancel", cancel, name="counter_cancel")
    app.router.add_post(one + "/return", take_back, name="counter_return")
    app.router.add_get(counter_path + "/stock", stock, name="counter_stock")
    app.router.add_post(counter_path + "/stock", add_item, name="counter_add_item")
    one_item = counter_path + "/stock/{item:\\d+}"
    app.router.add_get(one_item, stock_item, name="counter_item")
    app.router.add_post(one_item + "/restock", restock, name="counter_restock")
    app.router.add_post(one_item + "/write-off", write_off, name="counter_write_off")
    app.router.add_post(one_item + "/price", reprice, name="counter_reprice")
