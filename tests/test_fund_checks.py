"""The database itself refuses a negative fund balance or pool, as it does negative points.

The code locks the fund account and checks before every entry; these CHECK
constraints (migration 0005) are the last line if anything ever writes around it.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import CheckConstraint, inspect, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from core.db import Database
from fund.models import FundAccount, FundEntry, FundRule, HonourRollName, Pledge
from migrations import metadata
from tests.test_fund import OCT, TODAY, balances, donate, fund_town, pay, sign

FUND_TABLES = [t.__tablename__ for t in (FundAccount, FundEntry, Pledge, FundRule, HonourRollName)]


@pytest.mark.parametrize(
    "change",
    [
        {"balance_fen": -1},
        {"pool_fen": -1},
        {"balance_fen": FundAccount.balance_fen - 10_001},
        {"pool_fen": FundAccount.pool_fen - 10_001},
    ],
)
async def test_a_raw_update_taking_the_fund_below_zero_is_refused(
    db: Database, change: dict[Any, Any]
) -> None:
    w = await fund_town(db)
    await donate(db, w, 100, TODAY)
    with pytest.raises(IntegrityError):
        async with db.transaction() as s:
            await s.execute(update(FundAccount).values(change))
    assert await balances(db, w) == (10_000, 10_000)


async def test_a_raw_update_turning_a_payment_into_nothing_is_refused(db: Database) -> None:
    w = await fund_town(db)
    pledge = await sign(db, w, w.grandma, w.son, 100, 31, OCT)
    paid = await pay(db, w, pledge, OCT, 100)
    for amount in (0, -10_000):
        with pytest.raises(IntegrityError):
            async with db.transaction() as s:
                await s.execute(
                    update(FundEntry)
                    .where(col(FundEntry.id) == paid.entry.id)
                    .values(amount_fen=amount)
                )
    with pytest.raises(IntegrityError):
        async with db.transaction() as s:
            await s.execute(update(Pledge).values(monthly_fen=0))


def _checks(connection: Connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {
        table: {str(c["name"]) for c in inspector.get_check_constraints(table)}
        for table in FUND_TABLES
    }


async def test_the_migrated_fund_tables_have_the_checks_the_models_declare(db: Database) -> None:
    declared = {
        table: {
            str(c.name)
            for c in metadata.tables[table].constraints
            if isinstance(c, CheckConstraint)
        }
        for table in FUND_TABLES
    }
    async with db.engine.connect() as connection:
        found = await connection.run_sync(_checks)
    assert found == declared
    assert declared["fund_account"] == {"fund_balance_not_negative", "fund_pool_not_negative"}
