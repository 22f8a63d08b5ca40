"""The shopkeeper's chat: a redemption the household confirms, restocking, today's list.

A redemption is never completed from this chat alone: the household confirms
in its own chat or by SMS, or tells the shopkeeper its one-time code at the
counter, which the shopkeeper types here.
"""

from __future__ import annotations

import unicodedata
import uuid

from bot.keywords import Command, parse
from bot.telegram.committee import household_in_village, pick_household
from bot.telegram.turn import Button, Reply, Turn, rows
from core.catalogue import text
from core.clock import local_text
from core.errors import DomainError
from points import ledger, supermarket
from points.messages import ask_household, send_receipts, tell_returned
from points.models import CatalogueItem, RedemptionStatus
from village.models import StaffMember

MAX_ITEM_BUTTONS = 24


def _shopkeeper(turn: Turn) -> StaffMember:
    staff = turn.who.staff
    assert staff is not None
    return staff


def _quantity(body: str) -> int:
    cleaned = unicodedata.normalize("NFKC", body).strip()
    if not cleaned.isdigit() or not 0 < int(cleaned) <= 999:
        raise DomainError("bot_quantity_invalid", text=body[:10])
    return int(cleaned)


class Shop:
    MENU = ("menu_redeem", "menu_restock", "menu_return", "menu_today", "menu_help")

    async def on_text(self, turn: Turn, body: str) -> list[Reply]:
        body = body.strip()
        starts = {
            text("menu_redeem"): self.start_redeem,
            text("menu_restock"): self.start_restock,
            text("menu_return"): self.start_return,
            text("menu_today"): self.today,
        }
        if body in starts:
            await turn.done()
            return await starts[body](turn)
        parsed = parse(body)
        if parsed.command is Command.CODE:
            return await self.counter_code(turn, parsed.argument)
        if turn.at("redeem", "household"):
            return await pick_household(turn, body, "sh:h")
        if turn.at("redeem", "quantity"):
            cart = dict(turn.gathered.get("cart", {}))
            cart[str(turn.gathered["item"])] = _quantity(body)
            await turn.go("redeem", "items", cart=cart)
            return await self.items(turn)
        if turn.at("return", "number"):
            return await self.take_back(turn, body)
        if turn.at("restock", "quantity"):
            item = await supermarket.find_item(
                turn.session, turn.who.village, int(turn.gathered["item"])
            )
            await supermarket.restock(
                turn.session,
                turn.who.village,
                item.id or 0,
                _quantity(body),
                _shopkeeper(turn),
                now=turn.now,
            )
            await turn.done()
            await turn.session.refresh(item)
            return [Reply(text("bot_restocked", item=item.name, stock=item.stock, unit=item.unit))]
        return [
            Reply(
                text("bot_staff_help", name=turn.who.name, role=text("role_shopkeeper")), menu=True
            )
        ]

    async def on_button(self, turn: Turn, data: str) -> list[Reply]:
        kind, _, ref = data.rpartition(":")
        match kind:
            case "sh:h":
                home = await household_in_village(turn, ref)
                await turn.go(
                    "redeem", "items", household=home.id, cart={}, key=uuid.uuid4().hex[:16]
                )
                return await self.items(turn)
            case "sh:i" if turn.at("redeem"):
                item = await supermarket.find_item(turn.session, turn.who.village, int(ref))
                await turn.go("redeem", "quantity", item=item.id)
                return [
                    Reply(
                        text("bot_ask_quantity", item=item.name, unit=item.unit, stock=item.stock)
                    )
                ]
            case "sh:done" if turn.at("redeem"):
                return await self.submit(turn)
            case "sh:cancel":
                await turn.done()
                return [Reply(text("bot_cancelled"), menu=True)]
            case "sr:i":
                item = await supermarket.find_item(turn.session, turn.who.village, int(ref))
                await turn.go("restock", "quantity", item=item.id)
                return [
                    Reply(text("bot_ask_restock", item=item.name, unit=item.unit, stock=item.stock))
                ]
        raise DomainError("bot_button_stale")

    # ---- redemption -----------------------------------------------------------------

    async def start_redeem(self, turn: Turn) -> list[Reply]:
        await turn.go("redeem", "household")
        return [Reply(text("bot_ask_household"))]

    async def catalogue(self, turn: Turn) -> list[CatalogueItem]:
        items = await supermarket.list_items(turn.session, turn.who.village)
        return [i for i in items if i.active][:MAX_ITEM_BUTTONS]

    async def items(self, turn: Turn) -> list[Reply]:
        cart: dict[str, int] = turn.gathered.get("cart", {})
        items = await self.catalogue(turn)
        names = {str(i.id): i for i in items}
        chosen = "、".join(
            f"{names[i].name} {q}{names[i].unit}" for i, q in cart.items() if i in names
        ) or text("bot_cart_empty")
        buttons: list[Button] = [
            (
                text("bot_item_button", name=i.name, price=i.price_points, stock=i.stock),
                f"sh:i:{i.id}",
            )
            for i in items
        ]
        finish: list[Button] = [(text("bot_cancel_button"), "sh:cancel:0")]
        if cart:
            finish.insert(0, (text("bot_cart_done"), "sh:done:0"))
        return [Reply(text("bot_cart", items=chosen), (*rows(buttons, 2), tuple(finish)))]

    async def submit(self, turn: Turn) -> list[Reply]:
        gathered = turn.gathered
        home = await household_in_village(turn, str(gathered["household"]))
        lines = [(int(item), int(quantity)) for item, quantity in gathered["cart"].items()]
        shopkeeper = _shopkeeper(turn)
        started = await supermarket.start_redemption(
            turn.session,
            turn.who.village,
            home,
            lines,
            shopkeeper,
            f"tg:{gathered['key']}",
            turn.now,
        )
        reached = await ask_household(turn.session, started, shopkeeper, turn.now)
        await turn.done()
        key = "bot_redeem_asked" if reached else "bot_redeem_unreachable"
        return [
            Reply(
                text(
                    key,
                    id=started.redemption.id,
                    name=home.head_name,
                    items=supermarket.summarize(started.lines),
                    total=started.redemption.total_points,
                )
            )
        ]

    async def counter_code(self, turn: Turn, code: str) -> list[Reply]:
        """The household told its code at the counter: the shopkeeper's newest pending one."""
        pending = [
            view
            for view in await supermarket.list_redemptions(
                turn.session, turn.who.village, status=RedemptionStatus.PENDING, limit=20
            )
            if view.redemption.shopkeeper_id == _shopkeeper(turn).id
        ]
        if not pending:
            return [Reply(text("bot_no_pending_redemption"))]
        confirmation = await supermarket.confirm_redemption(
            turn.session,
            turn.who.village,
            pending[0].redemption.id or 0,
            code,
            _shopkeeper(turn),
            turn.now,
        )
        if confirmation.receipt is None:
            return [Reply(confirmation.message)]
        await send_receipts(turn.session, confirmation, turn.now, to_shop=False)
        return [Reply(confirmation.receipt.text)]

    # ---- 退货 ------------------------------------------------------------------------

    async def start_return(self, turn: Turn) -> list[Reply]:
        await turn.go("return", "number")
        return [Reply(text("bot_ask_return"))]

    async def take_back(self, turn: Turn, body: str) -> list[Reply]:
        number = unicodedata.normalize("NFKC", body).strip().lstrip("#")
        if not number.isdigit():
            raise DomainError("bot_return_number_invalid")
        returned = await supermarket.return_redemption(
            turn.session, turn.who.village, int(number), _shopkeeper(turn), now=turn.now
        )
        await tell_returned(turn.session, returned, turn.now)
        await turn.done()
        if not returned.created:
            when = local_text(returned.entry.created_at)
            return [Reply(text("redemption_already_returned", id=number, time=when), menu=True)]
        home = returned.household
        balance = await ledger.balance(turn.session, home.id or 0)
        return [
            Reply(
                text(
                    "redemption_returned",
                    id=number,
                    items=supermarket.summarize(returned.lines),
                    total=returned.redemption.total_points,
                    name=home.head_name,
                    number=home.number,
                    balance=balance,
                ),
                menu=True,
            )
        ]

    # ---- stock and today ------------------------------------------------------------

    async def start_restock(self, turn: Turn) -> list[Reply]:
        items = await self.catalogue(turn)
        if not items:
            return [Reply(text("bot_catalogue_empty"))]
        buttons: list[Button] = [
            (
                text("bot_item_button", name=i.name, price=i.price_points, stock=i.stock),
                f"sr:i:{i.id}",
            )
            for i in items
        ]
        await turn.go("restock", "item")
        return [Reply(text("bot_restock_pick"), rows(buttons, 2))]

    async def today(self, turn: Turn) -> list[Reply]:
        views = await supermarket.todays_redemptions(turn.session, turn.who.village, turn.now)
        if not views:
            return [Reply(text("redemptions_empty"))]
        lines = [
            text(
                "bot_redemption_line",
                id=v.redemption.id,
                time=local_text(v.redemption.created_at)[-5:],
                name=v.household.head_name,
                items=v.summary,
                total=v.redemption.total_points,
                status=text(f"redemption_status_{v.redemption.status}"),
            )
            for v in views
        ]
        done = [
            v.redemption for v in views if v.redemption.status == RedemptionStatus.COMPLETED.value
        ]
        lines.append(
            text(
                "redemptions_total",
                count=len(views),
                done=len(done),
                points=sum(r.total_points for r in done),
            )
        )
        return [Reply("\n".join(lines))]
