"""Random sequences of awards, redemptions, reversals and replays keep the ledger sound.

After every step: each balance equals the sum of its entries and the model's
figure, nothing is negative, stock never goes below zero; at the end
``ledger.verify`` finds nothing. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from core.db import Database
from core.errors import DomainError
from points import ledger, supermarket
from points.models import CatalogueItem, EntryKind, LedgerEntry
from tests.factories import make_town

towns = itertools.count(1)

award = st.tuples(st.just("award"), st.integers(0, 2), st.integers(1, 30))
redeem = st.tuples(st.just("redeem"), st.integers(0, 2), st.integers(0, 1), st.integers(1, 3))
reverse = st.tuples(st.just("reverse"), st.integers(0, 50))
replay = st.tuples(st.just("replay"), st.integers(0, 50))
steps = st.lists(st.one_of(award, redeem, reverse, replay), min_size=1, max_size=18)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=steps, stocks=st.tuples(st.integers(0, 4), st.integers(0, 4)))
async def test_ledger_invariants(
    db: Database, ops: list[tuple[int | str, ...]], stocks: tuple[int, int]
) -> None:
    town = await make_town(db, households=3, name=f"性质村{next(towns)}")
    homes = [h.id for h in town.households]
    async with db.transaction() as s:
        items = [
            await supermarket.add_item(
                s,
                town.village,
                f"商品{i}",
                price_points=7 + 5 * i,
                actor=town.shopkeeper,
                stock=stocks[i],
            )
            for i in range(2)
        ]
    balances = dict.fromkeys(homes, 0)
    stock = {item.id: item.stock for item in items}
    postings: list[ledger.Posting] = []
    entries: list[LedgerEntry] = []

    for n, op in enumerate(ops):
        if op[0] == "award":
            home = homes[int(op[1])]
            posting = ledger.Posting(
                household_id=home,
                village_id=town.village.id or 0,
                amount=int(op[2]),
                kind=EntryKind.AWARD,
                reason="性质测试",
                actor_id=town.director.id or 0,
                idempotency_key=f"{town.village.id}:award:{n}",
            )
            async with db.transaction() as s:
                entries.append(await ledger.post(s, posting))
            postings.append(posting)
            balances[home] += int(op[2])
        elif op[0] == "replay" and postings:
            posting = postings[int(op[1]) % len(postings)]
            async with db.transaction() as s:
                again = await ledger.post(s, posting)
            assert again.idempotency_key == posting.idempotency_key
        elif op[0] == "redeem":
            home, item = homes[int(op[1])], items[int(op[2])]
            quantity = int(op[3])
            cost = item.price_points * quantity
            affordable = balances[home] >= cost and stock[item.id] >= quantity
            try:
                async with db.transaction() as s:
                    started = await supermarket.start_redemption(
                        s,
                        town.village,
                        town.households[int(op[1])],
                        [(item.name, quantity)],
                        town.shopkeeper,
                        f"redeem:{n}",
                    )
                assert started.code is not None
                async with db.transaction() as s:
                    done = await supermarket.confirm_redemption(
                        s, town.village, started.redemption.id or 0, started.code, town.shopkeeper
                    )
                assert done.ok
                assert affordable
                balances[home] -= cost
                stock[item.id] -= quantity
                entries.append(await _entry(db, done.redemption.ledger_entry_id))
            except DomainError:
                assert not affordable
        elif op[0] == "reverse" and entries:
            target = entries[int(op[1]) % len(entries)]
            try:
                async with db.transaction() as s:
                    undo = await ledger.reverse(s, target.id or 0, town.director, "性质测试冲正")
                if all(undo.id != e.id for e in entries):  # not an idempotent replay
                    entries.append(undo)
                    balances[target.household_id] -= target.amount
            except DomainError:
                pass
        await _check(db, balances, stock)

    async with db.session() as s:
        assert await ledger.verify(s) == []


async def _entry(db: Database, entry_id: int | None) -> LedgerEntry:
    async with db.session() as s:
        entry = await s.get(LedgerEntry, entry_id)
    assert entry is not None
    return entry


async def _check(
    db: Database, balances: dict[int | None, int], stock: dict[int | None, int]
) -> None:
    async with db.session() as s:
        for home, expected in balances.items():
            assert home is not None
            stored = await ledger.balance(s, home)
            summed = await s.scalar(
                select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                    LedgerEntry.household_id == home
                )
            )
            assert stored == summed == expected >= 0
        for item_id, expected in stock.items():
            item = await s.get(CatalogueItem, item_id)
            assert item is not None and item.stock == expected >= 0
