"""``console_page``: the web console's dashboard and roster pages of a village of 1,000
households with 10,000 ledger entries, through the real service.

The service runs as ``xiangxin serve`` in its own process on 127.0.0.1; a
logged-in aiohttp client asks for each page ``REQUESTS`` times (at most
``TIME_CAP`` seconds a page) and times the whole answer, body included.

The baseline is the same figures' SQL: the statements the page's use case
sends to the database are recorded once (as the driver gets them), then
replayed as raw SQL through the same engine, and timed the same way. What the
page costs on top of them is the web stack: the login check, the ORM, the
template and HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import event, insert

from bench.setup import BATCH, bulk_village, emit, fresh_database, median_ms, percentile_ms
from core.clock import to_local, utcnow
from core.db import Database
from core.models import Role
from points.models import LedgerEntry, PointsAccount
from usecases.dashboard import village_dashboard
from usecases.principal import Principal
from usecases.roster_pages import roster_page
from village.models import StaffMember
from village.staff_login import set_password

HOUSEHOLDS = 1_000
ENTRIES_PER_HOUSEHOLD = 10  # 10,000 entries: 8 awards and 2 redemptions each
REQUESTS = 200  # per page
WARM_UP = 20
TIME_CAP = 60.0  # seconds per page and kind of measurement
TARGET_P99_MS = 150
START_SECONDS = 60
PASSWORD = "bench-password-2026"
STAFF_NAME = "提名人"  # bench.setup.bulk_village's committee member
TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK)\b", re.IGNORECASE)
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')

Statement = tuple[str, Any]


async def build(database: Database) -> tuple[int, int]:
    """The village, its ledger spread over this year's months, and a committee login.

    Returns (village id, the staff member's id).
    """
    village_id, households, actor, _ = await bulk_village(database, HOUSEHOLDS, name="基准村")
    now = utcnow()
    start = now.replace(month=1, day=1, hour=8) if now.month > 1 else now - timedelta(days=300)
    span = max(1.0, (now - start).total_seconds() - 60)
    rows: list[dict[str, object]] = []
    serial = 0
    async with database.transaction() as session:
        for household in households:
            balance = 0
            for n in range(ENTRIES_PER_HOUSEHOLD):
                serial += 1
                redeem = n % 5 == 4
                amount = -5 if redeem else 10
                balance += amount
                rows.append(
                    {
                        "household_id": household,
                        "village_id": village_id,
                        "amount": amount,
                        "balance_after": balance,
                        "kind": "redemption" if redeem else "award",
                        "reason": "兑换大米" if redeem else "增收致富之星",
                        "actor_id": actor,
                        "idempotency_key": f"bench:{serial}",
                        "created_at": start
                        + timedelta(seconds=span * n / ENTRIES_PER_HOUSEHOLD + household % 997),
                    }
                )
                if len(rows) >= BATCH:
                    await session.execute(insert(LedgerEntry), rows)
                    rows = []
        if rows:
            await session.execute(insert(LedgerEntry), rows)
        final = 10 * 8 - 5 * 2
        accounts = [
            {"household_id": h, "village_id": village_id, "balance": final, "updated_at": now}
            for h in households
        ]
        for first in range(0, len(accounts), BATCH):
            await session.execute(insert(PointsAccount), accounts[first : first + BATCH])
        staff = await session.get(StaffMember, actor)
        assert staff is not None
        await set_password(session, staff, PASSWORD)
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql("ANALYZE")
    return village_id, actor


@contextlib.contextmanager
def recorded(database: Database) -> Iterator[list[Statement]]:
    """Every statement (and its driver parameters) the read engine executes meanwhile."""
    seen: list[Statement] = []

    def record(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
    ) -> None:
        assert not many, "a page's reads are single statements"
        if not TRANSACTION_CONTROL.match(statement):  # the replaying connection begins its own
            seen.append((statement, parameters))

    engine = database.read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def page_statements(
    database: Database, village_id: int, staff_id: int
) -> dict[str, list[Statement]]:
    """The SQL each page's use case sends, recorded from one in-process call."""
    principal = Principal(staff_id, STAFF_NAME, Role.COMMITTEE, village_id)
    today = to_local(utcnow()).date()
    statements: dict[str, list[Statement]] = {}
    async with database.session() as session:
        with recorded(database) as seen:
            view = await village_dashboard(session, principal, village_id, today)
        assert view.figures.households == HOUSEHOLDS
        statements["dashboard"] = list(seen)
    async with database.session() as session:
        with recorded(database) as seen:
            roster = await roster_page(session, principal, village_id, "", 1)
        assert len(roster.lines) == 50
        statements["roster"] = list(seen)
    return statements


async def timed(work: Callable[[], Awaitable[None]]) -> list[float]:
    """``WARM_UP`` untimed calls, then up to ``REQUESTS`` timed ones within ``TIME_CAP``."""
    for _ in range(WARM_UP):
        await work()
    samples: list[float] = []
    deadline = time.monotonic() + TIME_CAP
    while len(samples) < REQUESTS and time.monotonic() < deadline:
        started = time.perf_counter()
        await work()
        samples.append(time.perf_counter() - started)
    return samples


def start_service(database_url: str, port: int, folder: Path) -> subprocess.Popen[bytes]:
    environment = os.environ | {
        "XIANGXIN_DATABASE_URL": database_url,
        "XIANGXIN_HTTP_HOST": "127.0.0.1",
        "XIANGXIN_HTTP_PORT": str(port),
        "XIANGXIN_SECRET_FILE": str(folder / "secret.key"),
        "XIANGXIN_SMS_LOG": str(folder / "sms.log"),
        "XIANGXIN_LOG_LEVEL": "WARNING",
    }
    environment.pop("XIANGXIN_TELEGRAM_TOKEN", None)
    log = (folder / "serve.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "serve"],
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def wait_until_up(
    client: aiohttp.ClientSession, base: str, service: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if service.poll() is not None:
            raise RuntimeError(f"xiangxin serve exited with {service.returncode}")
        with contextlib.suppress(aiohttp.ClientError):
            async with client.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"xiangxin serve did not answer /healthz within {START_SECONDS} s")


async def log_in(client: aiohttp.ClientSession, base: str, village_id: int) -> None:
    async with client.get(f"{base}/login") as form:
        found = CSRF_INPUT.search(await form.text())
    assert found is not None, "the login form has no CSRF token"
    data = {
        "csrf_token": found.group(1),
        "village": "基准村",
        "name": STAFF_NAME,
        "password": PASSWORD,
    }
    async with client.post(f"{base}/login", data=data) as response:
        assert response.status == 200, response.status
        assert response.url.path == f"/villages/{village_id}/", response.url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def run(kind: str) -> None:
    async with fresh_database(kind) as database:
        village_id, staff_id = await build(database)
        statements = await page_statements(database, village_id, staff_id)
        paths = {
            "dashboard": f"/villages/{village_id}/",
            "roster": f"/villages/{village_id}/roster",
        }
        marks = {"dashboard": "基准村 概况", "roster": "B0000049"}
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory(prefix="xiangxin-bench-serve-") as folder:
            service = start_service(database.url, port, Path(folder))
            try:
                jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
                async with aiohttp.ClientSession(cookie_jar=jar) as client:
                    await wait_until_up(client, base, service)
                    await log_in(client, base, village_id)
                    for page, path in paths.items():

                        async def fetch(path: str = path, mark: str = marks[page]) -> None:
                            async with client.get(base + path, allow_redirects=False) as response:
                                body = await response.text()
                            assert response.status == 200 and mark in body, response.status

                        async def replay(page: str = page) -> None:
                            async with database.read_engine.connect() as connection:
                                for statement, parameters in statements[page]:
                                    result = await connection.exec_driver_sql(statement, parameters)
                                    if result.returns_rows:
                                        result.all()

                        samples = await timed(fetch)
                        raw = await timed(replay)
                        emit(
                            "console_page_p99",
                            kind,
                            page=page,
                            p50_ms=median_ms(samples),
                            p99_ms=percentile_ms(samples, 99),
                            baseline_p50_ms=median_ms(raw),
                            baseline_p99_ms=percentile_ms(raw, 99),
                            ratio=round(percentile_ms(raw, 99) / percentile_ms(samples, 99), 2),
                            target_p99_ms=TARGET_P99_MS,
                            requests=len(samples),
                            queries=len(statements[page]),
                            households=HOUSEHOLDS,
                            entries=HOUSEHOLDS * ENTRIES_PER_HOUSEHOLD,
                        )
            finally:
                service.terminate()
                try:
                    service.wait(15)
                except subprocess.TimeoutExpired:
                    service.kill()
                    service.wait(5)
