"""``xiangxin item …`` (the 扶贫超市 shelf) and ``xiangxin redeem …`` (the counter)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.context import (
    BY_OPTION,
    VILLAGE_OPTION,
    actor_in,
    console,
    fail,
    headed_table,
    principal_in,
    run,
    say,
)
from core.catalogue import text
from core.clock import local_text
from core.errors import DomainError
from core.settings import get_settings
from points import ledger, supermarket
from points.messages import ask_household, tell_returned
from points.models import CatalogueItem, RedemptionStatus, StockMovement
from usecases.counter_pages import ItemView, item_page
from village.models import Village
from village.registry import get_village

app = typer.Typer(no_args_is_help=True)
item_app = typer.Typer(no_args_is_help=True)


def _item_line(village: Village, item: CatalogueItem) -> dict[str, object]:
    return {
        "name": item.name,
        "price": item.price_points,
        "unit": item.unit,
        "yuan": supermarket.yuan(village, item.price_points),
        "stock": item.stock,
    }


@item_app.command("add", help="上架一种商品：名称、积分价格、库存和单位")
def item_add(
    name: str = typer.Argument(..., help="商品名称，如 大米"),
    price: int = typer.Option(..., "--price", "-p", help="每单位所需积分"),
    stock: int = typer.Option(0, "--stock", "-s", min=0, help="初始库存"),
    unit: str = typer.Option("件", "--unit", "-u", help="计量单位：件、袋、瓶、斤 …"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> dict[str, object]:
        village, actor = await actor_in(session, village_ref, by)
        item = await supermarket.add_item(
            session, village, name, price, actor, unit=unit, stock=stock
        )
        return _item_line(village, item)

    say("item_added", **run(work))


@item_app.command("list", help="查看本村超市的商品、积分价格（折合人民币）和库存")
def item_list(
    village_ref: str = VILLAGE_OPTION,
    all_items: bool = typer.Option(False, "--all", help="包括已下架的商品"),
) -> None:
    async def work(session: AsyncSession) -> tuple[Village, list[CatalogueItem]]:
        village = await get_village(session, village_ref)
        items = await supermarket.list_items(session, village, include_inactive=all_items)
        return village, items

    village, items = run(work)
    if not items:
        say("items_empty", village=village.name)
        return
    table = headed_table(
        "col_id",
        "col_name",
        "shop_col_unit",
        "shop_col_price",
        "shop_col_price_yuan",
        "shop_col_stock",
        title=text("shop_title", village=village.name),
    )
    for item in items:
        table.add_row(
            str(item.id),
            item.name,
            item.unit,
            str(item.price_points),
            str(supermarket.yuan(village, item.price_points)),
            str(item.stock),
        )
    console.print(table)


@item_app.command("restock", help="补货：增加库存（记录经办人和原因）")
def item_restock(
    name: str = typer.Argument(..., help="商品名称或编号"),
    add: int = typer.Option(..., "--add", "-a", min=1, help="增加的数量"),
    reason: str = typer.Option("", "--reason", help="原因，默认“补货”"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[CatalogueItem, StockMovement]:
        village, actor = await actor_in(session, village_ref, by)
        movement = await supermarket.restock(session, village, name, add, actor, reason=reason)
        return await supermarket.find_item(session, village, movement.item_id), movement

    item, movement = run(work)
    say(
        "item_restocked",
        name=item.name,
        delta=movement.delta,
        unit=item.unit,
        stock=movement.stock_after,
    )


@item_app.command("write-off", help="报损：过期、破损的商品下架出库，须写明原因")
def item_write_off(
    name: str = typer.Argument(..., help="商品名称或编号"),
    quantity: int = typer.Option(..., "--quantity", "-q", min=1, help="报损的数量"),
    reason: str = typer.Option(..., "--reason", help="原因，如 过期、破损"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[CatalogueItem, StockMovement]:
        village, actor = await actor_in(session, village_ref, by)
        movement = await supermarket.write_off(session, village, name, quantity, actor, reason)
        return await supermarket.find_item(session, village, movement.item_id), movement

    item, movement = run(work)
    say(
        "console_counter_written_off",
        name=item.name,
        quantity=-movement.delta,
        unit=item.unit,
        reason=movement.reason,
        stock=movement.stock_after,
    )


@item_app.command("history", help="查看一种商品的库存变动和调价记录（谁、何时、为什么）")
def item_history(
    name: str = typer.Argument(..., help="商品名称或编号"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> ItemView:
        village, principal = await principal_in(session, village_ref, by)
        item = await supermarket.find_item(session, village, name)
        return await item_page(session, principal, village.id or 0, item.id or 0)

    view = run(work)
    item = view.line.item
    moves = headed_table(
        "col_time",
        "console_counter_col_change",
        "console_counter_col_after",
        "col_reason",
        "col_actor",
        title=text("console_counter_history"),
    )
    for line in view.history:
        m = line.movement
        moves.add_row(
            line.time,
            f"{m.delta:+d}{item.unit}",
            f"{m.stock_after}{item.unit}",
            m.reason,
            line.actor,
        )
    console.print(moves)
    prices = headed_table(
        "col_time",
        "console_counter_col_price_from",
        "console_counter_col_price_to",
        "col_actor",
        title=text("console_counter_prices"),
    )
    for change in view.prices:
        prices.add_row(
            change.time, str(change.change.old_points), str(change.change.new_points), change.actor
        )
    console.print(prices)


@item_app.command("price", help="调整商品的积分价格（已发起待确认的兑换仍按原价）")
def item_price(
    name: str = typer.Argument(..., help="商品名称或编号"),
    price: int = typer.Option(..., "--price", "-p", help="新的每单位积分"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> dict[str, object]:
        village, actor = await actor_in(session, village_ref, by)
        item = await supermarket.set_price(session, village, name, price, actor)
        return _item_line(village, item)

    say("item_repriced", **run(work))


ITEMS_OPTION = typer.Option(
    ..., "--item", "-i", help="商品=数量，可写多次，如 --item 大米=2 --item 食用油=1"
)


def parse_item_spec(spec: str) -> tuple[str, int]:
    """``大米=2`` (or full-width ``大米＝2``); a bare name means one."""
    name, sep, quantity = spec.replace("＝", "=").rpartition("=")
    if not sep:
        name, quantity = quantity, "1"
    name = name.strip()
    try:
        count = int(quantity.strip())
    except ValueError:
        raise fail(text("bad_item_spec", spec=spec)) from None
    if not name or count <= 0:
        raise fail(text("bad_item_spec", spec=spec))
    return name, count


@app.command("start", help="店主发起兑换：系统把 6 位验证码发给农户本人，农户确认后才扣分")
def redeem_start(
    household: str = typer.Option(..., "--household", help="户编号"),
    items: list[str] = ITEMS_OPTION,
    key: str = typer.Option(
        "", "--key", "-k", help="幂等键：重复提交同一键只算一次（默认自动生成）"
    ),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    lines: list[tuple[str | int, int]] = list(map(parse_item_spec, items))
    idempotency_key = key.strip() or uuid.uuid4().hex

    async def work(session: AsyncSession) -> tuple[supermarket.Started, Decimal]:
        village, actor = await actor_in(session, village_ref, by)
        started = await supermarket.start_redemption(
            session, village, household, lines, actor, idempotency_key
        )
        # The code goes to the household only: the shopkeeper never sees it.
        if not await ask_household(session, started, actor):
            home = started.household
            raise DomainError("redemption_unreachable", name=home.head_name, number=home.number)
        return started, supermarket.yuan(village, started.redemption.total_points)

    started, yuan = run(work)
    redemption = started.redemption
    say(
        "redemption_started",
        id=redemption.id,
        name=started.household.head_name,
        number=started.household.number,
        items=supermarket.summarize(started.lines),
        total=redemption.total_points,
        yuan=yuan,
    )
    if started.code is None:
        say(
            "redemption_replayed",
            id=redemption.id,
            status=text(f"redemption_status_{redemption.status}"),
        )
        return
    say("redemption_code_sent", minutes=get_settings().redemption_code_minutes, id=redemption.id)


@app.command("confirm", help="输入农户报出的验证码，完成兑换（扣积分、减库存、出小票）")
def redeem_confirm(
    redemption_id: int = typer.Argument(..., help="兑换单号"),
    code: str = typer.Option(..., "--code", "-c", help="农户报出的 6 位验证码"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> supermarket.Confirmation:
        village, actor = await actor_in(session, village_ref, by)
        return await supermarket.confirm_redemption(session, village, redemption_id, code, actor)

    # A wrong or expired code is committed (the attempt counts) before we report it.
    confirmation = run(work)
    if confirmation.receipt is None:
        raise fail(confirmation.message)
    if confirmation.outcome == supermarket.ConfirmOutcome.ALREADY_COMPLETED:
        say("redemption_already_done", id=redemption_id)
    else:
        say("redemption_confirmed")
    console.print(confirmation.receipt.text)


@app.command("cancel", help="取消一笔待确认的兑换")
def redeem_cancel(
    redemption_id: int = typer.Argument(..., help="兑换单号"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> None:
        village, actor = await actor_in(session, village_ref, by)
        await supermarket.cancel_redemption(session, village, redemption_id, actor)

    run(work)
    say("redemption_cancelled", id=redemption_id)


@app.command("return", help="退货：收回商品，积分和库存一起退回（每单只退一次），并通知农户")
def redeem_return(
    redemption_id: int = typer.Argument(..., help="已完成的兑换单号"),
    reason: str = typer.Option("", "--reason", "-r", help="退货原因，如 质量问题"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[supermarket.Returned, int]:
        village, actor = await actor_in(session, village_ref, by)
        returned = await supermarket.return_redemption(
            session, village, redemption_id, actor, reason
        )
        await tell_returned(session, returned)
        return returned, await ledger.balance(session, returned.redemption.household_id)

    returned, balance = run(work)
    if not returned.created:
        say(
            "redemption_already_returned",
            id=redemption_id,
            time=local_text(returned.entry.created_at),
        )
        return
    say(
        "redemption_returned",
        id=redemption_id,
        items=supermarket.summarize(returned.lines),
        total=returned.redemption.total_points,
        name=returned.household.head_name,
        number=returned.household.number,
        balance=balance,
    )


@app.command("list", help="查看本村的兑换记录（--today 只看今天）")
def redeem_list(
    village_ref: str = VILLAGE_OPTION,
    today: bool = typer.Option(False, "--today", "-t", help="只看今天（北京时间）"),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="最多显示几条"),
) -> None:
    async def work(session: AsyncSession) -> list[supermarket.RedemptionView]:
        village = await get_village(session, village_ref)
        if today:
            return await supermarket.todays_redemptions(session, village)
        return await supermarket.list_redemptions(session, village, limit=limit)

    views = run(work)
    if not views:
        say("redemptions_empty")
        return
    table = headed_table(
        "col_id", "col_time", "col_household", "shop_col_items", "shop_col_total", "shop_col_status"
    )
    for view in views:
        r = view.redemption
        table.add_row(
            str(r.id),
            local_text(r.created_at),
            f"{view.household.head_name}（{view.household.number}）",
            view.summary,
            str(r.total_points),
            text(f"redemption_status_{r.status}"),
        )
    console.print(table)
    done = [v.redemption for v in views if v.redemption.status == RedemptionStatus.COMPLETED.value]
    say(
        "redemptions_total",
        count=len(views),
        done=len(done),
        points=sum(r.total_points for r in done),
    )
