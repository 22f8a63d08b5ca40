"""Writers racing for the fund's last money on PostgreSQL, where the sessions really overlap.

The village's fund account row is locked before any balance is read, so of two
payouts (or a payout and a reversal) that each need the same money, exactly
one goes through and the other is refused in Chinese; nothing goes negative.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from core.db import Database
from core.errors import DomainError
from fund import ledger, pledges
from fund import rule as fund_rule
from fund.models import FundEntry
from tests.conftest import _empty as empty
from tests.test_fund import OCT, FundTown, fund_town, pay, sign

NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)
RACERS = 6

Work = Callable[[AsyncSession], Awaitable[object]]


@pytest.fixture
async def pg(pg_url: str) -> AsyncIterator[Database]:
    """PostgreSQL only: SQLite takes its write lock up front, so nothing would overlap."""
    database = Database(pg_url)
    await empty(database)
    try:
        yield database
    finally:
        await database.dispose()


async def race(db: Database, works: list[Work]) -> list[str]:
    """Run each in its own transaction at once; "ok" or the refusal's code for each.

    Every racer first holds an open connection and transaction, then all start
    together, so none finishes before the others have begun.
    """
    ready = asyncio.Barrier(len(works))

    async def one(work: Work) -> str:
        try:
            async with db.transaction() as s:
                await s.execute(text("SELECT 1"))
                await ready.wait()
                await work(s)
            return "ok"
        except DomainError as error:
            return error.code

    return list(await asyncio.gather(*(one(w) for w in works)))


async def _settled(db: Database, w: FundTown) -> tuple[int, int, dict[int, int]]:
    async with db.session() as s:
        assert await ledger.verify_fund(s, w.village) == []
        held = await ledger.fund_balances(s, w.village)
        return held.balance_fen, held.pool_fen, await ledger.owed_by_elder(s, w.village.id or 0)


async def test_two_payouts_race_for_the_last_money(pg: Database) -> None:
    w = await fund_town(pg)
    a = await sign(pg, w, w.grandma, w.son, 100, 31, OCT)
    await pay(pg, w, a, OCT, 100)

    def payout(s: AsyncSession) -> Awaitable[object]:
        return ledger.pay_elder(s, w.council, w.village, w.grandma, 8_000, OCT, now=NOW)

    outcomes = await race(pg, [payout] * RACERS)
    assert sorted(outcomes) == ["fund_short_owed"] * (RACERS - 1) + ["ok"]
    assert await _settled(pg, w) == (2_000, 0, {w.grandma.id: 2_000})


async def test_a_payout_and_a_reversal_race_for_the_same_contribution(pg: Database) -> None:
    w = await fund_town(pg)
    a = await sign(pg, w, w.grandma, w.son, 100, 31, OCT)
    paid = await pay(pg, w, a, OCT, 100)

    def payout(s: AsyncSession) -> Awaitable[object]:
        return ledger.pay_elder(s, w.council, w.village, w.grandma, 10_000, OCT, now=NOW)

    def undo(s: AsyncSession) -> Awaitable[object]:
        return ledger.reverse_fund_entry(s, w.council, paid.entry.id or 0, "记错了", NOW)

    outcomes = await race(pg, [payout, undo])
    assert outcomes.count("ok") == 1
    assert set(outcomes) - {"ok"} <= {"fund_short_owed", "fund_reverse_paid_out"}
    assert await _settled(pg, w) == (0, 0, {w.grandma.id: 0})


async def test_monthly_payouts_run_twice_at_once_pay_once(pg: Database) -> None:
    w = await fund_town(pg)
    a = await sign(pg, w, w.grandma, w.son, 100, 31, OCT)
    b = await sign(pg, w, w.grandpa, w.daughter, 100, 31, OCT)
    await pay(pg, w, a, OCT, 100)
    await pay(pg, w, b, OCT, 100)

    def payout(s: AsyncSession) -> Awaitable[object]:
        return ledger.pay_out(s, w.council, w.village, OCT, "现金", NOW)

    assert await race(pg, [payout] * RACERS) == ["ok"] * RACERS
    async with pg.session() as s:
        count = await s.scalar(
            select(func.count()).select_from(FundEntry).where(FundEntry.kind == "payout")
        )
    assert count == 2
    assert (await _settled(pg, w))[0] == 0


async def test_parts_racing_to_overpay_a_month_and_subsidies_racing_for_the_pool(
    pg: Database,
) -> None:
    w = await fund_town(pg)
    a = await sign(pg, w, w.grandma, w.son, 200, 31, OCT)
    b = await sign(pg, w, w.grandpa, w.daughter, 200, 31, OCT)
    await pay(pg, w, a, OCT, 50)  # 150 yuan still owed for October
    async with pg.transaction() as s:
        await ledger.record_donation(s, w.council, w.village, "乡贤", 1_500, now=NOW)
        rate = fund_rule.parse_rate("10%")
        await fund_rule.set_fund_rule(s, w.council, w.village, OCT, rate, None, NOW)

    def part(s: AsyncSession) -> Awaitable[object]:
        return pledges.record_contribution(s, w.council, a, OCT, 10_000, now=NOW)

    def other(s: AsyncSession) -> Awaitable[object]:
        return pledges.record_contribution(s, w.council, b, OCT, 20_000, now=NOW)

    outcomes = await race(pg, [part, part, other])
    assert sorted(outcomes) == ["fund_overpay", "ok", "ok"]
    balance, pool, _owed = await _settled(pg, w)
    # 10 % of 100 and of 200 would be 30 yuan; the pool held 15 and is spent, never below zero
    assert (balance, pool) == (5_000 + 1_500 + 10_000 + 20_000, 0)


async def test_the_same_donation_typed_at_two_terminals_at_once_is_recorded_once(
    pg: Database,
) -> None:
    w = await fund_town(pg)

    def typed(s: AsyncSession) -> Awaitable[object]:
        return ledger.record_donation(s, w.council, w.village, "张乡贤", 50_000, now=NOW)

    outcomes = await race(pg, [typed] * RACERS)
    assert sorted(outcomes) == ["fund_donation_twice"] * (RACERS - 1) + ["ok"]
    assert (await _settled(pg, w))[:2] == (50_000, 50_000)
