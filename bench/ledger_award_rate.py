"""``ledger_award_rate``: awards per second through the domain API vs. the same SQL by hand.

Both paths do the same work per award, one transaction each: look up the
idempotency key, lock and read the balance, insert the entry, update the
balance, commit. The baseline sends that SQL straight through the same driver.
"""

from __future__ import annotations

import time

from sqlalchemy import text

from bench.setup import bulk_village, emit, fresh_database
from core.clock import utcnow
from points import ledger
from points.models import EntryKind

AWARDS = 2000
HOUSEHOLDS = 500

RAW_SQL = {
    "key": text("SELECT id FROM ledger_entry WHERE idempotency_key = :key"),
    "balance": text("SELECT balance FROM points_account WHERE household_id = :h"),
    "account": text(
        "INSERT INTO points_account (household_id, village_id, balance, updated_at) "
        "VALUES (:h, :v, 0, :now) ON CONFLICT (household_id) DO NOTHING"
    ),
    "entry": text(
        "INSERT INTO ledger_entry (household_id, village_id, amount, balance_after, kind, reason,"
        " actor_id, idempotency_key, created_at) VALUES (:h, :v, :amount, :after, 'award',"
        " :reason, :actor, :key, :now)"
    ),
    "update": text(
        "UPDATE points_account SET balance = :after, updated_at = :now WHERE household_id = :h"
    ),
}


async def run(kind: str = "sqlite") -> None:
    async with fresh_database(kind) as database:
        village_id, households, actor, _ = await bulk_village(database, HOUSEHOLDS)

        started = time.perf_counter()
        for i in range(AWARDS):
            async with database.transaction() as session:
                await ledger.post(
                    session,
                    ledger.Posting(
                        household_id=households[i % HOUSEHOLDS],
                        village_id=village_id,
                        amount=10,
                        kind=EntryKind.AWARD,
                        reason="增收致富之星",
                        actor_id=actor,
                        idempotency_key=f"domain:{i}",
                    ),
                )
        domain_rate = AWARDS / (time.perf_counter() - started)

        balance_sql = RAW_SQL["balance"]
        if kind == "postgresql":
            balance_sql = text(f"{balance_sql.text} FOR UPDATE")
        started = time.perf_counter()
        for i in range(AWARDS):
            household = households[i % HOUSEHOLDS]
            now = utcnow()
            key = f"raw:{i}"
            async with database.engine.begin() as conn:
                if (await conn.execute(RAW_SQL["key"], {"key": key})).first() is not None:
                    continue
                current = (await conn.execute(balance_sql, {"h": household})).scalar()
                if current is None:  # the first entry opens the account, as in the ledger
                    await conn.execute(
                        RAW_SQL["account"], {"h": household, "v": village_id, "now": now}
                    )
                    current = 0
                after = current + 10
                await conn.execute(
                    RAW_SQL["entry"],
                    {
                        "h": household,
                        "v": village_id,
                        "amount": 10,
                        "after": after,
                        "reason": "增收致富之星",
                        "actor": actor,
                        "key": key,
                        "now": now,
                    },
                )
                await conn.execute(RAW_SQL["update"], {"after": after, "now": now, "h": household})
        raw_rate = AWARDS / (time.perf_counter() - started)

        async with database.session() as session:
            assert await ledger.verify(session) == []
        emit(
            "ledger_award_rate",
            kind,
            value=round(domain_rate),
            unit="awards/s",
            baseline=round(raw_rate),
            ratio=round(domain_rate / raw_rate, 2),
            awards=AWARDS,
        )
