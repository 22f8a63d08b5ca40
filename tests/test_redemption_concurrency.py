"""Twenty counters confirm at once for a household that can afford seven.

On PostgreSQL the sessions really overlap (the ledger locks the account row,
the supermarket locks the item rows); on SQLite they queue on BEGIN IMMEDIATE.
Either way exactly seven go through and no balance or stock goes wrong.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import col, select

from core.db import Database
from core.errors import DomainError
from notifications.models import OutboxMessage
from points import ledger, supermarket
from points.messages import answer_chat_confirmation, tell_returned
from points.models import CatalogueItem, LedgerEntry, Receipt, Redemption, StockMovement
from tests.factories import Town, give_points, make_town
from village.models import ChatBinding, Household

NOW = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
PRICE = 13
AFFORDABLE = 7
COUNTERS = 20


async def test_concurrent_confirmations_never_overspend(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    async with db.transaction() as s:
        item = await supermarket.add_item(
            s, town.village, "面粉", PRICE, town.shopkeeper, unit="袋", stock=100, now=NOW
        )
        # seven and most of an eighth
        await give_points(s, town, home, PRICE * AFFORDABLE + PRICE - 1)
    started: list[supermarket.Started] = []
    for n in range(COUNTERS):
        async with db.transaction() as s:
            started.append(
                await supermarket.start_redemption(
                    s, town.village, home, [("面粉", 1)], town.shopkeeper, f"counter-{n}", NOW
                )
            )
    assert all(st.code for st in started)

    async def confirm(st: supermarket.Started) -> str:
        try:
            async with db.transaction() as s:
                result = await supermarket.confirm_redemption(
                    s, town.village, st.redemption.id or 0, st.code or "", town.shopkeeper, NOW
                )
            return result.outcome.value
        except DomainError as error:
            return error.code

    outcomes = await asyncio.gather(*(confirm(st) for st in started))
    assert sorted(outcomes).count("completed") == AFFORDABLE, outcomes
    assert outcomes.count("insufficient_points") == COUNTERS - AFFORDABLE, outcomes

    async with db.session() as s:
        assert await ledger.balance(s, home.id or 0) == PRICE - 1
        assert await ledger.verify(s) == []
        negative = await s.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.balance_after < 0)
        )
        assert negative == 0
        stored = await s.get(CatalogueItem, item.id)
        assert stored is not None and stored.stock == 100 - AFFORDABLE
        moved = await s.scalar(
            select(func.sum(StockMovement.delta)).where(StockMovement.item_id == item.id)
        )
        assert moved == 100 - AFFORDABLE
        statuses = [r.status for r in await s.scalars(select(Redemption))]
        assert statuses.count("completed") == AFFORDABLE
        assert statuses.count("pending") == COUNTERS - AFFORDABLE
        assert await s.scalar(select(func.count()).select_from(Receipt)) == AFFORDABLE
        spent = await s.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "redemption")
        )
        assert spent == AFFORDABLE


async def test_same_redemption_confirmed_from_two_counters(db: Database) -> None:
    """Two counters submit one redemption's code at once: one charge, one receipt."""
    town = await make_town(db)
    home = town.households[1]
    async with db.transaction() as s:
        await supermarket.add_item(s, town.village, "面粉", PRICE, town.shopkeeper, stock=5)
        await give_points(s, town, home, 100)
        st = await supermarket.start_redemption(
            s, town.village, home, [("面粉", 2)], town.shopkeeper, "one", NOW
        )

    async def confirm() -> tuple[str, int | None]:
        async with db.transaction() as s:
            result = await supermarket.confirm_redemption(
                s, town.village, st.redemption.id or 0, st.code or "", town.shopkeeper, NOW
            )
        return result.outcome.value, result.receipt.id if result.receipt else None

    outcomes = await asyncio.gather(*(confirm() for _ in range(6)))
    assert sorted(o for o, _ in outcomes) == ["already_completed"] * 5 + ["completed"]
    assert len({receipt for _, receipt in outcomes}) == 1
    async with db.session() as s:
        assert await ledger.balance(s, home.id or 0) == 100 - 2 * PRICE
        assert await ledger.verify(s) == []


async def flour_confirmed_in_chat(db: Database) -> tuple[Town, Household, int]:
    """A household bound to chat 9002 (its shopkeeper to 9001) with 2 bags of flour pending."""
    town = await make_town(db)
    home = town.households[1]
    async with db.transaction() as s:
        await supermarket.add_item(s, town.village, "面粉", PRICE, town.shopkeeper, stock=5)
        await give_points(s, town, home, 100)
        s.add_all(
            [
                ChatBinding(chat_id="9001", staff_id=town.shopkeeper.id),
                ChatBinding(chat_id="9002", household_id=home.id),
            ]
        )
        st = await supermarket.start_redemption(
            s, town.village, home, [("面粉", 2)], town.shopkeeper, "tap", NOW
        )
    return town, home, st.redemption.id or 0


async def test_two_taps_on_confirm_at_once_send_one_receipt_each_side(db: Database) -> None:
    """✅确认兑换 tapped on two connections at once: one charge, one receipt per side."""
    _, home, rid = await flour_confirmed_in_chat(db)

    async def tap() -> str:
        async with db.transaction() as s:
            confirmation = await supermarket.confirm_for_household(s, home, rid, NOW)
            return await answer_chat_confirmation(s, confirmation, NOW)

    replies = await asyncio.gather(*(tap() for _ in range(4)))
    assert sum("已经确认过" in reply for reply in replies) == 3, replies
    async with db.session() as s:
        receipts = list(
            await s.scalars(
                select(OutboxMessage.idempotency_key).where(
                    col(OutboxMessage.idempotency_key).startswith(f"redemption:{rid}:receipt")
                )
            )
        )
        assert sorted(receipts) == [
            f"redemption:{rid}:receipt:household",
            f"redemption:{rid}:receipt:shop",
        ]
        assert await ledger.balance(s, home.id or 0) == 100 - 2 * PRICE


async def test_two_returns_at_once_give_back_once(db: Database) -> None:
    town, home, rid = await flour_confirmed_in_chat(db)
    async with db.transaction() as s:
        await supermarket.confirm_for_household(s, home, rid, NOW)

    async def give_back() -> bool:
        async with db.transaction() as s:
            returned = await supermarket.return_redemption(s, town.village, rid, town.shopkeeper)
            await tell_returned(s, returned)
            return returned.created

    created = await asyncio.gather(*(give_back() for _ in range(4)))
    assert sorted(created) == [False, False, False, True]
    async with db.session() as s:
        assert await ledger.balance(s, home.id or 0) == 100
        flour = await s.scalar(select(CatalogueItem))
        assert flour is not None and flour.stock == 5
        assert await ledger.verify(s) == []
        notices = await s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idempotency_key == f"redemption:{rid}:returned")
        )
        assert notices == 1
