"""Throw-away databases and bulk-built villages for the benchmarks.

Bulk data is written with Core ``insert`` in large batches: the benchmarks
measure the domain paths, not the time it takes to build their data.
"""

from __future__ import annotations

import json
import statistics
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import col

from core import scratch
from core.clock import utcnow
from core.db import Database
from migrations import upgrade_async
from village.models import ChatBinding, Household, StaffMember, Village

BATCH = 10_000


def emit(name: str, db: str, **fields: Any) -> None:
    """One benchmark figure as one JSON line on stdout."""
    print(json.dumps({"name": name, "db": db, **fields}, ensure_ascii=False), flush=True)


def percentile_ms(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return round(ordered[index] * 1000, 3)


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


@asynccontextmanager
async def fresh_database(kind: str) -> AsyncIterator[Database]:
    """A migrated, empty database of ``kind`` (sqlite | postgresql), dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="xiangxin-bench-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
            await upgrade_async(url)
            database = Database(url)
            try:
                yield database
            finally:
                await database.dispose()
        return
    name = scratch.new_name("xiangxin_bench")
    url = await scratch.create_database(name)
    try:
        await upgrade_async(url)
        database = Database(url)
        try:
            yield database
        finally:
            await database.dispose()
    finally:
        await scratch.drop_database(name)


async def bulk_village(
    database: Database,
    households: int,
    name: str = "基准村",
    *,
    phones: bool = False,
    prefix: str = "B",
) -> tuple[int, list[int], int, int]:
    """A village with ``households`` households (with phones if asked) and two committee members.

    Returns (village id, household ids, proposer id, approver id).
    """
    now = utcnow()
    async with database.transaction() as session:
        village = Village(name=name, township="基准镇", county="基准县")
        session.add(village)
        await session.flush()
        assert village.id is not None
        rows = [
            {
                "village_id": village.id,
                "number": f"{prefix}{i:07d}",
                "head_name": f"户主{i}",
                "phone": f"+86138{i:08d}" if phones else None,
                "group_name": f"{i % 12 + 1}组",
                "size": 3,
                "household_type": "ordinary",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(households)
        ]
        ids: list[int] = []
        for start in range(0, len(rows), BATCH):
            result = await session.scalars(
                insert(Household).returning(col(Household.id), sort_by_parameter_order=True),
                rows[start : start + BATCH],
            )
            ids.extend(i for i in result if i is not None)
        proposer = StaffMember(village_id=village.id, name="提名人", role="committee")
        approver = StaffMember(village_id=village.id, name="审核人", role="committee")
        session.add_all([proposer, approver])
        await session.flush()
        assert proposer.id is not None and approver.id is not None
        return village.id, ids, proposer.id, approver.id


async def bind_chats(database: Database, households: list[int], first_chat: int) -> None:
    """Bind chat ``first_chat + i`` to the i-th of ``households`` (Telegram recipients)."""
    now = utcnow()
    rows = [
        {
            "chat_id": str(first_chat + i),
            "household_id": household,
            "active": True,
            "created_at": now,
        }
        for i, household in enumerate(households)
    ]
    async with database.transaction() as session:
        for start in range(0, len(rows), BATCH):
            await session.execute(insert(ChatBinding), rows[start : start + BATCH])
