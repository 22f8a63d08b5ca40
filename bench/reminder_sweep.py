"""``reminder_sweep``: the daily reminder sweep over a county-sized registry.

100 villages of 1,000 households (100,000), 200 helpers per village (20,000),
500 pledges per village (50,000), two visits per household over the last two
months and six months of contributions (most paid, some short). The day is
Monday 5 October 2026, so the weekly summary and the arrears list go out
too. The day before is swept first (not measured), as the service would have;
then the day itself is swept in a child process, which reports its time and
its peak resident memory. The baseline is the sweep's due-item queries (plans
with last visits, pledges with their contributions) as raw SQL through the
driver, in the same run.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import asyncpg
from sqlalchemy import func, insert, update
from sqlmodel import col, select

from bench.setup import BATCH, bulk_village, emit, fresh_database
from care.models import HelperAssignment, Visit
from core.clock import SHANGHAI
from core.db import Database
from core.settings import Settings
from fund.models import FundEntry, FundEntryKind, Pledge
from notifications.jobs import sweep_reminders
from notifications.models import OutboxMessage, Reminder
from village.models import Member, StaffMember, Supporter

VILLAGES = 100
HOUSEHOLDS = 1_000  # per village
HELPERS = 200
PLEDGES = 500
TODAY = date(2026, 10, 5)  # a Monday, and the 5th: every rule has work

VISITS_SQL = """
SELECT ha.household_id, ha.helper_id, s.active, ha.every_days, ha.created_at,
       (SELECT MAX(v.visited_on) FROM visit v WHERE v.household_id = ha.household_id)
FROM helper_assignment ha
JOIN household h ON h.id = ha.household_id
JOIN staff_member s ON s.id = ha.helper_id
"""
PLEDGES_SQL = "SELECT * FROM pledge"
PAID_SQL = """
SELECT pledge_id, month, SUM(amount_fen) FROM fund_entry
WHERE kind = 'contribution' GROUP BY pledge_id, month
"""


def settings(url: str) -> Settings:
    return Settings(database_url=url, quiet_start=clock_time(0), quiet_end=clock_time(0))


def morning(day: date) -> datetime:
    return datetime.combine(day, clock_time(9), SHANGHAI)


async def _insert(database: Database, table: type, rows: Sequence[Mapping[str, object]]) -> None:
    async with database.transaction() as session:
        for start in range(0, len(rows), BATCH):
            await session.execute(insert(table), rows[start : start + BATCH])


async def build(database: Database) -> None:
    rng = random.Random(5)
    created = datetime(2026, 1, 1, tzinfo=SHANGHAI)
    staff_rows: list[dict[str, object]] = []
    villages: list[tuple[int, list[int]]] = []
    for v in range(VILLAGES):
        village_id, households, _, _ = await bulk_village(
            database, HOUSEHOLDS, f"村{v:03d}", prefix=f"V{v:03d}-"
        )
        villages.append((village_id, households))
        staff_rows += [
            {
                "village_id": village_id,
                "name": f"帮扶{v}-{i}",
                "role": "helper",
                "phone": f"+86137{v:03d}{i:05d}",
                "active": True,
                "created_at": created,
            }
            for i in range(HELPERS)
        ]
        staff_rows += [
            {
                "village_id": village_id,
                "name": f"理事{v}",
                "role": "fund_council",
                "phone": f"+86136{v:03d}00000",
                "active": True,
                "created_at": created,
            }
        ]
    await _insert(database, StaffMember, staff_rows)
    async with database.session() as session:
        staff = (
            await session.execute(select(StaffMember.id, StaffMember.village_id, StaffMember.role))
        ).all()
    helpers: dict[int, list[int]] = {}
    council: dict[int, int] = {}
    for staff_id, village_id, role in staff:
        if role == "helper":
            helpers.setdefault(village_id, []).append(staff_id)
        elif role == "fund_council":
            council[village_id] = staff_id
    async with database.transaction() as session:
        await session.execute(
            update(StaffMember)
            .where(col(StaffMember.role) == "committee")
            .values(phone="+8613500000000")
        )
    assignments, visits, members, supporters = [], [], [], []
    for village_id, households in villages:
        for index, household in enumerate(households):
            assignments.append(
                {
                    "household_id": household,
                    "helper_id": helpers[village_id][index % HELPERS],
                    "every_days": None,
                    "created_at": created,
                }
            )
            last = TODAY - timedelta(days=rng.randint(1, 40))
            for visited in (last - timedelta(days=30), last):
                visits.append(
                    {
                        "household_id": household,
                        "helper_id": helpers[village_id][index % HELPERS],
                        "visited_on": visited,
                        "method": "in_person",
                        "note": "",
                        "created_at": created,
                    }
                )
        for index in range(PLEDGES):
            members.append(
                {
                    "household_id": households[index],
                    "name": f"老人{index}",
                    "relation": "父亲",
                    "birth_date": date(1950, 1, 1),
                    "is_head": False,
                    "chronic_illness": False,
                    "active": True,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            supporters.append(
                {
                    "village_id": village_id,
                    "name": f"子女{index}",
                    "phone": f"+86139{village_id:03d}{index:05d}",
                    "relation": "儿子",
                    "created_at": created,
                }
            )
    await _insert(database, HelperAssignment, assignments)
    await _insert(database, Visit, visits)
    await _insert(database, Member, members)
    await _insert(database, Supporter, supporters)
    async with database.session() as session:
        elder_ids = list(await session.scalars(select(Member.id).order_by(col(Member.id))))
        supporter_rows = (
            await session.execute(
                select(Supporter.id, Supporter.village_id).order_by(col(Supporter.id))
            )
        ).all()
    pledges = []
    for index, ((supporter_id, village_id), elder_id) in enumerate(
        zip(supporter_rows, elder_ids, strict=True)
    ):
        pledges.append(
            {
                "village_id": village_id,
                "elder_id": elder_id,
                "supporter_id": supporter_id,
                "monthly_fen": 10000,
                "due_day": 1 + index % 31,
                "start_month": date(2026, 4, 1),
                "frequency": "monthly",
                "end_month": None,
                "created_by": council[village_id],
                "created_at": created,
            }
        )
    await _insert(database, Pledge, pledges)
    async with database.session() as session:
        pledge_rows = (await session.execute(select(Pledge))).all()
    entries = []
    for (pledge,) in pledge_rows:
        pledge_id, village_id, elder_id = pledge.id, pledge.village_id, pledge.elder_id
        supporter_id, due_day = pledge.supporter_id, pledge.due_day
        for month in range(4, 10):
            if rng.random() < 0.1:
                continue
            entries.append(
                {
                    "village_id": village_id,
                    "kind": FundEntryKind.CONTRIBUTION.value,
                    "amount_fen": 10000,
                    "elder_id": elder_id,
                    "pledge_id": pledge_id,
                    "supporter_id": supporter_id,
                    "month": date(2026, month, 1),
                    "booked_on": date(2026, month, min(due_day, 28)),
                    "method": "转账",
                    "donor": "",
                    "note": "",
                    "idempotency_key": f"b:{pledge_id}:{month}",
                    "actor_id": council[village_id],
                    "created_at": created,
                }
            )
    await _insert(database, FundEntry, entries)


async def baseline(url: str) -> float:
    """The due-item queries as raw SQL, every row fetched."""
    started = time.perf_counter()
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.split("///", 1)[1])
        try:
            for sql in (VISITS_SQL, PLEDGES_SQL, PAID_SQL):
                connection.execute(sql).fetchall()
        finally:
            connection.close()
    else:
        connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            for sql in (VISITS_SQL, PLEDGES_SQL, PAID_SQL):
                await connection.fetch(sql)
        finally:
            await connection.close()
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, it starts anew at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def child(url: str) -> None:
    """Sweep TODAY in this fresh process; print seconds, peak RSS and the counts."""

    async def go() -> dict[str, object]:
        database = Database(url)
        try:
            started = time.perf_counter()
            result = await sweep_reminders(database, settings(url), morning(TODAY))
            seconds = time.perf_counter() - started
        finally:
            await database.dispose()
        return {
            "seconds": seconds,
            "sent": result.sent,
            "messages": result.messages,
            "cleared": result.cleared,
            "planned": result.planned,
        }

    found = asyncio.run(go())
    found["peak_mb"] = peak_rss_mb()
    print(json.dumps(found))


async def run(kind: str) -> None:
    async with fresh_database(kind) as database:
        await build(database)
        await sweep_reminders(database, settings(database.url), morning(TODAY - timedelta(days=1)))
        async with database.session() as session:
            before = await session.scalar(select(func.count()).select_from(OutboxMessage))
        measured = subprocess.run(
            [sys.executable, "-m", "bench.reminder_sweep", database.url],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(measured.stdout.strip().splitlines()[-1])
        raw = min([await baseline(database.url) for _ in range(3)])
        async with database.session() as session:
            reminders = await session.scalar(select(func.count()).select_from(Reminder))
            after = await session.scalar(select(func.count()).select_from(OutboxMessage))
    emit(
        "reminder_sweep",
        kind,
        seconds=round(float(figures["seconds"]), 3),
        peak_mb=round(float(figures["peak_mb"]), 1),
        unit="s",
        baseline=round(raw, 3),
        ratio=round(raw / float(figures["seconds"]), 3),
        households=VILLAGES * HOUSEHOLDS,
        helpers=VILLAGES * HELPERS,
        pledges=VILLAGES * PLEDGES,
        reminders_sent=figures["sent"],
        messages=(after or 0) - (before or 0),
        reminders_in_table=reminders,
    )


if __name__ == "__main__":
    child(sys.argv[1])
