from __future__ import annotations

import pytest

from core.db import Database
from core.errors import Conflict, DomainError
from points import ledger
from points.models import EntryKind
from tests.factories import make_town


def credit(town, household, amount: int, key: str) -> ledger.Posting:  # type: ignore[no-untyped-def]
    return ledger.Posting(
        household_id=household.id,
        village_id=town.village.id,
        amount=amount,
        kind=EntryKind.AWARD,
        reason="测试",
        actor_id=town.director.id,
        idempotency_key=key,
    )


async def test_balance_is_sum_and_key_is_idempotent(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    async with db.transaction() as s:
        first = await ledger.post(s, credit(town, home, 10, "k1"))
        again = await ledger.post(s, credit(town, home, 10, "k1"))
        await ledger.post(s, credit(town, home, 5, "k2"))
    assert first.id == again.id
    async with db.session() as s:
        st = await ledger.statement(s, home.id)
        assert st.balance == 15
        assert [e.balance_after for e in st.entries] == [15, 10]
        assert await ledger.verify(s) == []


async def test_same_key_different_amount_refused(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        await ledger.post(s, credit(town, town.households[1], 10, "k1"))
    with pytest.raises(Conflict) as caught:
        async with db.transaction() as s:
            await ledger.post(s, credit(town, town.households[1], 11, "k1"))
    assert "幂等键" in caught.value.message
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await ledger.post(s, credit(town, town.households[2], 10, "k1"))


async def test_never_negative_and_reversal_once(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    async with db.transaction() as s:
        entry = await ledger.post(s, credit(town, home, 10, "k1"))
    with pytest.raises(DomainError) as caught:
        async with db.transaction() as s:
            await ledger.post(s, credit(town, home, -11, "spend"))
    assert caught.value.code == "insufficient_points"
    async with db.transaction() as s:
        undo = await ledger.reverse(s, entry.id, town.director, "评错了")
        assert undo.amount == -10 and undo.reverses_id == entry.id
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await ledger.reverse(s, entry.id, town.director, "再冲一次", idempotency_key="x")
    with pytest.raises(DomainError):
        async with db.transaction() as s:
            await ledger.reverse(s, undo.id, town.director, "冲正的冲正")
    async with db.session() as s:
        assert await ledger.balance(s, home.id) == 0
        assert await ledger.verify(s) == []


async def test_verify_finds_tampering(db: Database) -> None:
    from sqlalchemy import text

    town = await make_town(db)
    home = town.households[1]
    async with db.transaction() as s:
        await ledger.post(s, credit(town, home, 10, "k1"))
        await s.execute(text("UPDATE points_account SET balance = 7"))
    async with db.session() as s:
        problems = await ledger.verify(s)
    assert [p.code for p in problems] == ["verify_mismatch"]
