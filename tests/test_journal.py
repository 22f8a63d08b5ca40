"""The shared ledger core (:mod:`core.journal`) on both ledgers' real tables, on both databases.

Each rule is checked once through the points journal and once through the
孝善基金's, with the codes each ledger tells people.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, text, update
from sqlmodel import col, select

from core.db import Database
from core.errors import Conflict, DomainError
from core.journal import CHUNK
from fund import ledger as fund_ledger
from fund.models import FundAccount, FundEntry
from points import ledger as points_ledger
from points.models import EntryKind, LedgerEntry, PointsAccount
from tests.factories import Town, make_town

NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)
POINTS = points_ledger.JOURNAL
FUND = fund_ledger.JOURNAL


def award(town: Town, amount: int, key: str, home: int = 1) -> points_ledger.Posting:
    return points_ledger.Posting(
        household_id=town.households[home].id or 0,
        village_id=town.village.id or 0,
        amount=amount,
        kind=EntryKind.AWARD,
        reason="测试",
        actor_id=town.director.id or 0,
        idempotency_key=key,
    )


def donation(town: Town, fen: int, key: str) -> fund_ledger.FundPosting:
    return fund_ledger.FundPosting(
        village_id=town.village.id or 0,
        kind=fund_ledger.Kind.DONATION,
        amount_fen=fen,
        actor_id=town.director.id or 0,
        idempotency_key=key,
        booked_on=NOW.date(),
        donor="张乡贤",
    )


async def donate(db: Database, town: Town, fen: int, key: str) -> FundEntry:
    async with db.transaction() as s:
        return await fund_ledger.post(s, donation(town, fen, key), NOW)


async def count(db: Database, model: type[LedgerEntry] | type[FundEntry]) -> int:
    async with db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


# ---------------------------------------------------------------- accounts


async def test_opening_an_account_twice_keeps_one_row_and_its_balance(db: Database) -> None:
    town = await make_town(db)
    home, village = town.households[1].id or 0, town.village.id or 0
    async with db.transaction() as s:
        await points_ledger.post(s, award(town, 7, "k1"))
        await POINTS.insert_missing_accounts(
            s, [{"household_id": home, "village_id": village, "balance": 0, "updated_at": NOW}]
        )
        await fund_ledger.post(s, donation(town, 500, "d1"), NOW)
        await FUND.insert_missing_accounts(
            s, [{"village_id": village, "balance_fen": 0, "pool_fen": 0, "updated_at": NOW}]
        )
    async with db.session() as s:
        points = list(await s.scalars(select(PointsAccount)))
        funds = list(await s.scalars(select(FundAccount)))
    assert [(a.household_id, a.balance) for a in points] == [(home, 7)]
    assert [(a.village_id, a.balance_fen, a.pool_fen) for a in funds] == [(village, 500, 500)]


async def test_locking_accounts_reads_the_ones_that_exist(db: Database) -> None:
    town = await make_town(db)
    homes = [h.id or 0 for h in town.households]
    async with db.transaction() as s:
        await points_ledger.post_many(s, [award(town, 3, "a", 1), award(town, 4, "b", 2)])
        await fund_ledger.post(s, donation(town, 900, "d1"), NOW)
    async with db.transaction() as s:
        balances = await POINTS.lock_column(s, reversed(homes), "balance")
        accounts = await POINTS.lock_accounts(s, homes)
        funds = await FUND.lock_accounts(s, [town.village.id or 0, 99_999])
    assert balances == {homes[1]: 3, homes[2]: 4}
    assert {h: a.balance for h, a in accounts.items()} == {homes[1]: 3, homes[2]: 4}
    assert {v: a.balance_fen for v, a in funds.items()} == {town.village.id: 900}


# ---------------------------------------------------------------- idempotency


async def test_the_same_points_key_twice_gives_one_entry(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        first = await points_ledger.post(s, award(town, 10, "k1"))
        earlier = await POINTS.take_earlier(s, award(town, 10, "k1"), points_ledger._same)
        again = await points_ledger.post(s, award(town, 10, "k1"))
    assert earlier is not None and earlier.id == first.id == again.id
    assert await count(db, LedgerEntry) == 1


async def test_the_same_fund_key_twice_gives_one_entry(db: Database) -> None:
    town = await make_town(db)
    first = await donate(db, town, 1_000, "receipt-1")
    again = await donate(db, town, 1_000, "receipt-1")
    async with db.session() as s:
        earlier = await FUND.take_earlier(s, donation(town, 1_000, "receipt-1"), fund_ledger._same)
        new = await FUND.take_earlier(s, donation(town, 1_000, "receipt-2"), fund_ledger._same)
        held = await fund_ledger.fund_balances(s, town.village)
    assert earlier is not None and earlier.id == first.id == again.id
    assert new is None
    assert await count(db, FundEntry) == 1
    assert held.balance_fen == 1_000


async def test_the_same_key_for_another_amount_is_refused_in_both_ledgers(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        await points_ledger.post(s, award(town, 10, "k1"))
    await donate(db, town, 1_000, "receipt-1")
    with pytest.raises(Conflict) as points_refusal:
        async with db.transaction() as s:
            await points_ledger.post(s, award(town, 11, "k1"))
    with pytest.raises(Conflict) as fund_refusal:
        async with db.transaction() as s:
            await fund_ledger.post(s, donation(town, 1_001, "receipt-1"), NOW)
    assert points_refusal.value.code == "idempotency_conflict"
    assert fund_refusal.value.code == "fund_key_conflict"
    assert "receipt-1" in fund_refusal.value.message
    assert await count(db, LedgerEntry) == 1
    assert await count(db, FundEntry) == 1


async def test_one_key_twice_in_one_batch_must_be_the_same_posting(db: Database) -> None:
    town = await make_town(db)
    with pytest.raises(Conflict) as caught:
        async with db.transaction() as s:
            await points_ledger.post_batch(s, [award(town, 1, "k"), award(town, 2, "k")])
    assert caught.value.code == "idempotency_conflict"
    async with db.transaction() as s:
        batch = await points_ledger.post_batch(s, [award(town, 1, "k"), award(town, 1, "k")])
    assert (batch.created, batch.existing) == (1, 0)
    assert await count(db, LedgerEntry) == 1


async def test_earlier_entries_are_found_across_chunks(db: Database) -> None:
    town = await make_town(db)
    wanted = [award(town, 1, f"k{i}", home=1 + i % 4) for i in range(CHUNK + 20)]
    async with db.transaction() as s:
        batch = await points_ledger.post_batch(s, wanted)
    keys = [f"k{i}" for i in range(CHUNK + 20)] + [f"missing{i}" for i in range(CHUNK)]
    async with db.session() as s:
        found = await POINTS.earlier_entries(s, keys)
    assert batch.created == CHUNK + 20
    assert sorted(found) == sorted(p.idempotency_key for p in wanted)
    assert all(found[k].idempotency_key == k for k in found)


async def test_a_key_written_in_between_is_a_race_in_both_ledgers(db: Database) -> None:
    """The checks ran before; the unique index still refuses, told as each ledger's race."""
    town = await make_town(db)
    async with db.transaction() as s:
        entry = await points_ledger.post(s, award(town, 5, "k1"))
    copy = {c: getattr(entry, c) for c in ("household_id", "village_id", "amount", "kind")}
    row = {**copy, "balance_after": 10, "reason": "x", "actor_id": entry.actor_id}
    with pytest.raises(Conflict) as points_race:
        async with db.transaction() as s:
            with POINTS.race_guard():
                await s.execute(
                    insert(LedgerEntry), [{**row, "idempotency_key": "k1", "created_at": NOW}]
                )
    first = await donate(db, town, 100, "receipt-1")
    with pytest.raises(Conflict) as fund_race:
        async with db.transaction() as s:
            s.add(FundEntry(**first.model_dump(exclude={"id"})))
            with FUND.race_guard():
                await s.flush()
    assert points_race.value.code == "idempotency_race"
    assert fund_race.value.code == "fund_race"
    assert await count(db, LedgerEntry) == 1
    assert await count(db, FundEntry) == 1


# ---------------------------------------------------------------- reversals


async def test_a_reversal_is_never_reversed_in_either_ledger(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        entry = await points_ledger.post(s, award(town, 10, "k1"))
        undo = await points_ledger.reverse(s, entry.id or 0, town.director, "评错了")
    gift = await donate(db, town, 1_000, "receipt-1")
    async with db.transaction() as s:
        fund_undo = await fund_ledger.reverse_fund_entry(
            s, town.director, gift.id or 0, "录错了", NOW
        )
    with pytest.raises(DomainError) as points_refusal:
        async with db.transaction() as s:
            await points_ledger.reverse(s, undo.id or 0, town.director, "冲正的冲正")
    with pytest.raises(DomainError) as fund_refusal:
        async with db.transaction() as s:
            await fund_ledger.reverse_fund_entry(s, town.director, fund_undo.id or 0, "再冲", NOW)
    assert points_refusal.value.code == "cannot_reverse_reversal"
    assert fund_refusal.value.code == "fund_cannot_reverse_reversal"
    assert f"#{undo.id}" in points_refusal.value.message
    assert await count(db, LedgerEntry) == 2
    assert await count(db, FundEntry) == 2


async def test_reversing_twice_gives_one_reversal_in_either_ledger(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        entry = await points_ledger.post(s, award(town, 10, "k1"))
    gift = await donate(db, town, 1_000, "receipt-1")
    undos = []
    for _ in range(2):
        async with db.transaction() as s:
            undos.append(
                (
                    await points_ledger.reverse(s, entry.id or 0, town.director, "评错了"),
                    await fund_ledger.reverse_fund_entry(
                        s, town.director, gift.id or 0, "录错了", NOW
                    ),
                )
            )
    (points_first, fund_first), (points_again, fund_again) = undos
    assert points_first.id == points_again.id and points_first.reverses_id == entry.id
    assert fund_first.id == fund_again.id and fund_first.reverses_id == gift.id
    async with db.session() as s:
        assert await POINTS.reversal_of(s, entry.id or 0) is not None
        assert await points_ledger.balance(s, town.households[1].id or 0) == 0
        assert (await fund_ledger.fund_balances(s, town.village)).balance_fen == 0
        assert await points_ledger.verify(s) == []
        assert await fund_ledger.verify_fund(s, town.village) == []
    assert await count(db, LedgerEntry) == 2
    assert await count(db, FundEntry) == 2


async def test_a_second_reversal_under_another_key_is_refused(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        entry = await points_ledger.post(s, award(town, 10, "k1"))
        first = await points_ledger.reverse(s, entry.id or 0, town.director, "评错了")
    gift = await donate(db, town, 1_000, "receipt-1")
    with pytest.raises(Conflict) as points_refusal:
        async with db.transaction() as s:
            await points_ledger.reverse(
                s, entry.id or 0, town.director, "再冲一次", idempotency_key="other"
            )
    with pytest.raises(Conflict) as fund_refusal:
        async with db.transaction() as s:
            await FUND.check_reversible(s, gift, "fund_reversal:elsewhere", "再冲")
            undo = await fund_ledger.reverse_fund_entry(s, town.director, gift.id or 0, "x", NOW)
            await FUND.check_reversible(s, gift, "fund_reversal:elsewhere", "再冲")
    assert points_refusal.value.code == fund_refusal.value.code == "already_reversed"
    assert points_refusal.value.params == {"entry_id": entry.id, "reversal_id": first.id}
    assert fund_refusal.value.params == {"entry_id": gift.id, "reversal_id": undo.id}
    assert await count(db, LedgerEntry) == 2
    assert await count(db, FundEntry) == 1  # the refused transaction rolled back


async def test_a_reversal_without_a_reason_is_refused_in_either_ledger(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        entry = await points_ledger.post(s, award(town, 10, "k1"))
    gift = await donate(db, town, 1_000, "receipt-1")
    with pytest.raises(DomainError) as points_refusal:
        async with db.transaction() as s:
            await points_ledger.reverse(s, entry.id or 0, town.director, "  ")
    with pytest.raises(DomainError) as fund_refusal:
        async with db.transaction() as s:
            await fund_ledger.reverse_fund_entry(s, town.director, gift.id or 0, " ", NOW)
    assert points_refusal.value.code == "reason_required"
    assert fund_refusal.value.code == "fund_reason_required"
    assert await count(db, LedgerEntry) == 1
    assert await count(db, FundEntry) == 1


@dataclass(frozen=True)
class Outcome:
    ids: list[int | None]
    refusals: list[str]


async def _reverse_at_once(db: Database, town: Town, entry_id: int, keys: list[str]) -> Outcome:
    async def one(key: str) -> int | str | None:
        try:
            async with db.transaction() as s:
                undo = await points_ledger.reverse(
                    s, entry_id, town.director, "同时冲正", idempotency_key=key
                )
                return undo.id
        except Conflict as error:
            return error.code

    results = await asyncio.gather(*(one(k) for k in keys))
    return Outcome(
        [r for r in results if not isinstance(r, str)], [r for r in results if isinstance(r, str)]
    )


async def test_two_clerks_reversing_one_entry_at_once_write_one_reversal(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        entry = await points_ledger.post(s, award(town, 10, "k1"))
    same = await _reverse_at_once(db, town, entry.id or 0, ["undo", "undo"])
    assert same.refusals == [] and len(set(same.ids)) == 1
    other = await _reverse_at_once(db, town, entry.id or 0, ["undo", "another"])
    assert other.ids == same.ids[:1]
    assert other.refusals == ["already_reversed"]
    assert await count(db, LedgerEntry) == 2


# ---------------------------------------------------------------- verify


async def test_verify_finds_a_broken_reversal_link_in_either_ledger(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, name="和美村")
    async with db.transaction() as s:
        entry = await points_ledger.post(s, award(town, 10, "k1"))
        undo = await points_ledger.reverse(s, entry.id or 0, town.director, "评错了")
    gift = await donate(db, town, 1_000, "receipt-1")
    elsewhere = await donate(db, other, 1_000, "receipt-2")
    async with db.transaction() as s:
        fund_undo = await fund_ledger.reverse_fund_entry(
            s, town.director, gift.id or 0, "录错了", NOW
        )
        kept = await fund_ledger.reverse_fund_entry(
            s, other.director, elsewhere.id or 0, "录错了", NOW
        )
    async with db.session() as s:
        assert await POINTS.broken_reversals(s, ["household_id"]) == []
        assert await FUND.broken_reversals(s, ["village_id", "kind", "elder_id"]) == []
    async with db.transaction() as s:  # tamper: the reversals no longer negate their entries
        await s.execute(update(LedgerEntry).where(col(LedgerEntry.id) == undo.id).values(amount=-9))
        await s.execute(
            text("UPDATE fund_entry SET amount_fen = -1 WHERE id IN (:a, :b)"),
            {"a": fund_undo.id, "b": kept.id},
        )
    async with db.session() as s:
        points_broken = await POINTS.broken_reversals(s, ["household_id"])
        fund_broken = await FUND.broken_reversals(
            s, ["village_id"], scope=lambda e: e.c.village_id == town.village.id
        )
        problems = await fund_ledger.verify_fund(s, town.village)
        points_problems = await points_ledger.verify(s)
    assert [(r.id, r.reverses_id) for r in points_broken] == [(undo.id, entry.id)]
    assert [(r.id, r.reverses_id) for r in fund_broken] == [(fund_undo.id, gift.id)]
    assert ("fund_verify_broken_reversal", fund_undo.id) in [(p.code, p.entry_id) for p in problems]
    assert ("verify_broken_reversal", undo.id) in [(p.code, p.entry_id) for p in points_problems]
