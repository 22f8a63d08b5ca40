"""``balance_lookup``: a household's balance and its last 10 entries, with 100,000
households and 1,000,000 entries, as the chat bot will ask for it on every 查积分.

The baseline is the same query (latest 10 entries; the newest carries the balance)
as plain SQL on the same driver.
"""

from __future__ import annotations

import random
import time

from sqlalchemy import insert, text

from bench.setup import BATCH, bulk_village, emit, fresh_database, median_ms, percentile_ms
from core.clock import utcnow
from points import ledger
from points.models import LedgerEntry, PointsAccount

HOUSEHOLDS = 100_000
ENTRIES_PER_HOUSEHOLD = 10
LOOKUPS = 3000
RAW_ENTRIES = text("SELECT * FROM ledger_entry WHERE household_id = :h ORDER BY id DESC LIMIT 10")


async def run(kind: str) -> None:
    async with fresh_database(kind) as database:
        village_id, households, actor, _ = await bulk_village(database, HOUSEHOLDS)
        now = utcnow()
        async with database.transaction() as session:
            rows: list[dict[str, object]] = []
            serial = 0
            for round_no in range(ENTRIES_PER_HOUSEHOLD):
                for household in households:
                    serial += 1
                    rows.append(
                        {
                            "household_id": household,
                            "village_id": village_id,
                            "amount": 10,
                            "balance_after": 10 * (round_no + 1),
                            "kind": "award",
                            "reason": "增收致富之星",
                            "actor_id": actor,
                            "idempotency_key": f"fill:{serial}",
                            "created_at": now,
                        }
                    )
                    if len(rows) >= BATCH:
                        await session.execute(insert(LedgerEntry), rows)
                        rows = []
            if rows:
                await session.execute(insert(LedgerEntry), rows)
            accounts = [
                {
                    "household_id": h,
                    "village_id": village_id,
                    "balance": 10 * ENTRIES_PER_HOUSEHOLD,
                    "updated_at": now,
                }
                for h in households
            ]
            for start in range(0, len(accounts), BATCH):
                await session.execute(insert(PointsAccount), accounts[start : start + BATCH])
        async with database.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")

        picker = random.Random(7)
        samples: list[float] = []
        async with database.session() as session:
            for _ in range(200):  # warm the connection and the caches
                await ledger.statement(session, picker.choice(households))
            await session.rollback()
            for _ in range(LOOKUPS):
                household = picker.choice(households)
                started = time.perf_counter()
                statement = await ledger.statement(session, household)
                await session.rollback()  # end the read transaction, as one request would
                samples.append(time.perf_counter() - started)
                assert statement.balance == 100 and len(statement.entries) == 10
        raw: list[float] = []
        async with database.read_engine.connect() as conn:
            for _ in range(LOOKUPS):
                household = picker.choice(households)
                started = time.perf_counter()
                latest = (await conn.execute(RAW_ENTRIES, {"h": household})).all()
                balance = latest[0].balance_after
                await conn.rollback()
                raw.append(time.perf_counter() - started)
                assert balance == 100 and len(latest) == 10
        emit(
            "balance_lookup",
            kind,
            p50_ms=median_ms(samples),
            p99_ms=percentile_ms(samples, 99),
            baseline_p50_ms=median_ms(raw),
            baseline_p99_ms=percentile_ms(raw, 99),
            ratio=round(median_ms(raw) / median_ms(samples), 2),
            households=HOUSEHOLDS,
            entries=HOUSEHOLDS * ENTRIES_PER_HOUSEHOLD,
            lookups=LOOKUPS,
        )
