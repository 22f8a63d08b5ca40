"""The 扶贫超市 counter as the console shows it: start, confirm, cancel, return; stock, 报损, 调价.

Every rule lives in :mod:`points.supermarket` (who may act, points and stock,
the household's one-time code, returning once); the messages to the household
in :mod:`points.messages`. Here we only find the village the
principal may see, name the acting staff member and gather what a page shows.

The one-time code leaves :func:`start_at_counter` only through the outbox to
the household's own phone or chat: no view here carries it, so no page can
show it to the shopkeeper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import local_text, to_local
from core.errors import DomainError, NotFound
from points import ledger, supermarket
from points.messages import ask_household, send_receipts, tell_returned
from points.models import CatalogueItem, PriceChange, Receipt, RedemptionStatus, StockMovement
from points.supermarket import Confirmation, RedemptionView, Returned
from usecases.principal import Principal, village_for
from usecases.roster_pages import RosterLine, roster_page
from village.models import Household, StaffMember, Village

SEARCH_SHOWN = 10  # households offered at the counter for one search
RECENT = 50  # redemptions on the "recent" list
HISTORY = 50  # stock movements on an item's page, newest first


@dataclass(frozen=True)
class Customer:
    """The household at the counter, with what it can spend."""

    household_id: int
    number: str
    head_name: str
    balance: int
    yuan: Decimal


@dataclass(frozen=True)
class CounterView:
    village: Village
    query: str
    found: list[RosterLine]  # search results (empty without a query)
    customer: Customer | None
    items: list[CatalogueItem]  # on sale, with their stock


@dataclass(frozen=True)
class StartInput:
    household_id: int
    lines: list[tuple[int, int]]  # (item id, quantity)
    key: str  # one per form shown: a double submit starts one redemption


@dataclass(frozen=True)
class RedemptionPage:
    village: Village
    view: RedemptionView
    status: str  # 待农户确认 …
    pending: bool
    expires: str  # Beijing time, to the minute
    receipt: Receipt | None
    balance: int  # the household's balance now

    @property
    def returnable(self) -> bool:
        return self.view.redemption.status == RedemptionStatus.COMPLETED.value


@dataclass(frozen=True)
class RedemptionRow:
    view: RedemptionView
    status: str
    time: str  # Beijing time

    @property
    def returnable(self) -> bool:
        return self.view.redemption.status == RedemptionStatus.COMPLETED.value


@dataclass(frozen=True)
class RedemptionsView:
    village: Village
    today: bool
    rows: list[RedemptionRow]
    recent: int = RECENT  # how many the "latest" list shows


@dataclass(frozen=True)
class ItemLine:
    item: CatalogueItem
    yuan: Decimal


@dataclass(frozen=True)
class StockView:
    village: Village
    items: list[ItemLine]
    may_act: bool  # 店主 and 村两委 see the forms; the supervisor and helpers only read


@dataclass(frozen=True)
class MovementLine:
    """One stock movement as the item's page shows it: when, how much, why, by whom."""

    movement: StockMovement
    time: str  # Beijing time
    actor: str


@dataclass(frozen=True)
class PriceLine:
    """One price change: when, from what to what, by whom."""

    change: PriceChange
    time: str  # Beijing time
    actor: str


@dataclass(frozen=True)
class ItemView:
    village: Village
    line: ItemLine
    history: list[MovementLine]  # newest first, at most HISTORY
    prices: list[PriceLine]  # newest first, at most HISTORY
    may_act: bool


@dataclass(frozen=True)
class NewItem:
    name: str
    price_points: int
    unit: str
    stock: int


@dataclass(frozen=True)
class Restock:
    item_id: int
    quantity: int
    reason: str


@dataclass(frozen=True)
class WriteOff:
    """报损: damaged or expired goods leave the shelf without a redemption."""

    item_id: int
    quantity: int  # how many leave, a positive number
    reason: str  # required: the 村务监督委员会 reads why stock went missing


# ---------------------------------------------------------------- the counter


async def _customer(session: AsyncSession, village: Village, household_id: int) -> Customer:
    home = await session.get(Household, household_id)
    if home is None or home.village_id != village.id:
        raise NotFound("console_household_not_found", village=village.name)
    balance = await ledger.balance(session, household_id)
    return Customer(
        household_id, home.number, home.head_name, balance, supermarket.yuan(village, balance)
    )


async def counter_page(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    query: str,
    household_id: int | None,
) -> CounterView:
    """Find the household (the roster's search and balances) and offer the goods on sale."""
    village = await village_for(session, principal, village_id)
    found: list[RosterLine] = []
    wanted = query.strip()
    if wanted:
        found = (await roster_page(session, principal, village_id, wanted, 1)).lines
    customer = None
    if household_id is not None:
        customer = await _customer(session, village, household_id)
    items = await supermarket.list_items(session, village)
    return CounterView(village, wanted, found[:SEARCH_SHOWN], customer, items)


async def start_at_counter(
    session: AsyncSession, principal: Principal, village_id: int, wanted: StartInput
) -> int:
    """Open the redemption and send the household its code; the redemption's id.

    A household with neither chat nor phone cannot confirm, so nothing is
    started for it (the error rolls the transaction back), as in the CLI.
    """
    village = await village_for(session, principal, village_id)
    actor = await principal.staff(session)
    home = await session.get(Household, wanted.household_id)
    if home is None or home.village_id != village.id:
        raise NotFound("console_household_not_found", village=village.name)
    lines: list[tuple[str | int, int]] = list(wanted.lines)
    started = await supermarket.start_redemption(
        session, village, home, lines, actor, f"console:{wanted.key}"
    )
    if not await ask_household(session, started, actor):
        raise DomainError("redemption_unreachable", name=home.head_name, number=home.number)
    return started.redemption.id or 0


async def redemption_page(
    session: AsyncSession, principal: Principal, village_id: int, redemption_id: int, now: datetime
) -> RedemptionPage:
    village = await village_for(session, principal, village_id)
    view = await supermarket.get_redemption(session, village, redemption_id)
    redemption = view.redemption
    status = redemption.status
    pending = status == RedemptionStatus.PENDING.value and now < redemption.code_expires_at
    if status == RedemptionStatus.PENDING.value and not pending:
        status = RedemptionStatus.EXPIRED.value  # the scheduler closes it within a minute
    return RedemptionPage(
        village=village,
        view=view,
        status=_status(status),
        pending=pending,
        expires=local_text(redemption.code_expires_at),
        receipt=await supermarket.receipt_of(session, redemption_id),
        balance=await ledger.balance(session, redemption.household_id),
    )


async def confirm_at_counter(
    session: AsyncSession, principal: Principal, village_id: int, redemption_id: int, code: str
) -> Confirmation:
    """Check the code the household told; the caller commits whatever the outcome.

    A wrong code counts an attempt (and may close the redemption), so it comes
    back as an outcome, never as an error that would roll the count back.
    The household gets its receipt; the shopkeeper reads it on the page.
    """
    village = await village_for(session, principal, village_id)
    actor = await principal.staff(session)
    confirmation = await supermarket.confirm_redemption(
        session, village, redemption_id, code, actor
    )
    await send_receipts(session, confirmation, to_shop=False)
    return confirmation


async def cancel_at_counter(
    session: AsyncSession, principal: Principal, village_id: int, redemption_id: int
) -> None:
    village = await village_for(session, principal, village_id)
    actor = await principal.staff(session)
    await supermarket.cancel_redemption(session, village, redemption_id, actor)


async def return_at_counter(
    session: AsyncSession, principal: Principal, village_id: int, redemption_id: int, reason: str
) -> tuple[Returned, int]:
    """退货: points and stock back together, once; the household is told. With its new balance."""
    village = await village_for(session, principal, village_id)
    actor = await principal.staff(session)
    returned = await supermarket.return_redemption(session, village, redemption_id, actor, reason)
    await tell_returned(session, returned)
    return returned, await ledger.balance(session, returned.redemption.household_id)


def _status(status: str) -> str:
    return text(f"redemption_status_{status}")


async def redemptions_page(
    session: AsyncSession, principal: Principal, village_id: int, today: bool, now: datetime
) -> RedemptionsView:
    """Today's redemptions (a Beijing day), or the latest ones whatever the day."""
    village = await village_for(session, principal, village_id)
    if today:
        views = await supermarket.list_redemptions(session, village, day=to_local(now).date())
    else:
        views = await supermarket.list_redemptions(session, village, limit=RECENT)
    rows = [
        RedemptionRow(v, _status(v.redemption.status), local_text(v.redemption.created_at))
        for v in views
    ]
    return RedemptionsView(village, today, rows)


# ---------------------------------------------------------------- goods and stock


def _may_act(principal: Principal) -> bool:
    """Whether the stock forms are shown; the domain checks the role again on every change."""
    return principal.holds(*supermarket.SHOP_ROLES) and not principal.read_only


async def stock_page(session: AsyncSession, principal: Principal, village_id: int) -> StockView:
    village = await village_for(session, principal, village_id)
    items = await supermarket.list_items(session, village, include_inactive=True)
    lines = [ItemLine(i, supermarket.yuan(village, i.price_points)) for i in items]
    return StockView(village, lines, _may_act(principal))


async def item_page(
    session: AsyncSession, principal: Principal, village_id: int, item_id: int
) -> ItemView:
    """One item, its price now and its latest stock movements with who made them."""
    village = await village_for(session, principal, village_id)
    item = await supermarket.find_item(session, village, item_id)
    movements = await supermarket.stock_history(session, village, item_id, limit=HISTORY)
    changes = await supermarket.price_history(session, village, item_id, limit=HISTORY)
    actors = {m.actor_id for m in movements} | {c.actor_id for c in changes}
    found = await session.execute(
        select(StaffMember.id, StaffMember.name).where(col(StaffMember.id).in_(actors))
    )
    names = {staff_id: name for staff_id, name in found}
    history = [MovementLine(m, local_text(m.at), names.get(m.actor_id, "")) for m in movements]
    prices = [PriceLine(c, local_text(c.at), names.get(c.actor_id, "")) for c in changes]
    line = ItemLine(item, supermarket.yuan(village, item.price_points))
    return ItemView(village, line, history, prices, _may_act(principal))


async def add_stock_item(
    session: AsyncSession, principal: Principal, village_id: int, new: NewItem
) -> ItemLine:
    village = await village_for(session, principal, village_id)
    actor = await principal.staff(session)
    item = await supermarket.add_item(
        session, village, new.name, new.price_points, actor, unit=new.unit, stock=new.stock
    )
    return ItemLine(item, supermarket.yuan(village, item.price_points))


async def restock_item(
    session: AsyncSession, principal: Principal, village_id: int, wanted: Restock
) -> CatalogueItem:
    """补货 through the domain (a stock movement with its reason); the item as it is now."""
    village = await village_for(session, principal, village_id)
    actor = await principal.staff(session)
    movement = await supermarket.restock(
        session, village, wanted.item_id, wanted.quantity, actor, reason=wanted.reason
    )
    return await supermarket.find_item(session, village, movement.item_id)


async def write_off_item(
    session: AsyncSession, principal: Principal, village_id: int, wanted: WriteOff
) -> CatalogueItem:
    """报损 through the domain (a negative stock movement with its reason); the item now.

    A blank reason or more than the stock is refused by :func:`points.supermarket.write_off`.
    """
    village = await village_for(session, principal, village_id)
    actor = await principal.staff(session)
    movement = await supermarket.write_off(
        session, village, wanted.item_id, wanted.quantity, actor, wanted.reason
    )
    return await supermarket.find_item(session, village, movement.item_id)


async def reprice_item(
    session: AsyncSession, principal: Principal, village_id: int, item_id: int, price: int
) -> ItemLine:
    """调价: redemptions started from now on pay the new price; pending ones keep theirs."""
    village = await village_for(session, principal, village_id)
    actor = await principal.staff(session)
    item = await supermarket.set_price(session, village, item_id, price, actor)
    return ItemLine(item, supermarket.yuan(village, item.price_points))
