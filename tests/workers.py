"""Worker processes for the crash and scale-out tests: the real ``xiangxin worker``."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import select

from core.clock import utcnow
from core.db import Database
from village.models import ChatBinding, Household, Village

XIANGXIN = str(Path(sys.executable).with_name("xiangxin"))


def start_worker(
    url: str, folder: Path, name: str, *channels: str, **env: str
) -> subprocess.Popen[bytes]:
    environment = (
        os.environ
        | {
            "XIANGXIN_DATABASE_URL": url,
            "XIANGXIN_SMS_LOG": str(folder / "sms.log"),
            "XIANGXIN_QUIET_START": "00:00",
            "XIANGXIN_QUIET_END": "00:00",
            "XIANGXIN_LOG_LEVEL": "INFO",
        }
        | env
    )
    args = [XIANGXIN, "worker"]
    for channel in channels:
        args += ["--channel", channel]
    log = (folder / f"{name}.log").open("wb")
    return subprocess.Popen(args, env=environment, stdout=log, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


STALL_LIMIT = 10  # a wait making progress still ends after this many of its stall windows


def wait_until(
    condition: Callable[[], bool],
    seconds: float,
    what: str,
    progress: Callable[[], object] | None = None,
) -> float:
    """Poll ``condition``; returns the seconds it took.

    Without ``progress`` it fails after ``seconds``. With it, ``seconds`` is how
    long the work may stand still: every change of ``progress()`` (a count of
    texts sent, say) starts the window again, so a loaded machine that is slow
    but moving does not fail the test. Either way it ends after
    ``STALL_LIMIT × seconds``.
    """
    started = time.monotonic()
    last_change, last_seen = started, progress() if progress else None
    while time.monotonic() - started < seconds * STALL_LIMIT:
        if condition():
            return time.monotonic() - started
        if progress is not None and (seen := progress()) != last_seen:
            last_change, last_seen = time.monotonic(), seen
        if time.monotonic() - last_change >= seconds:
            break
        time.sleep(0.05)
    raise AssertionError(_stalled(what, seconds, progress is not None, last_seen))


async def async_wait_until(
    condition: Callable[[], Awaitable[bool]],
    seconds: float,
    what: str,
    progress: Callable[[], Awaitable[object]] | None = None,
) -> float:
    """:func:`wait_until` for async checks: the event loop (a stand-in server) keeps serving."""
    started = time.monotonic()
    last_change, last_seen = started, await progress() if progress else None
    while time.monotonic() - started < seconds * STALL_LIMIT:
        if await condition():
            return time.monotonic() - started
        if progress is not None and (seen := await progress()) != last_seen:
            last_change, last_seen = time.monotonic(), seen
        if time.monotonic() - last_change >= seconds:
            break
        await asyncio.sleep(0.1)
    raise AssertionError(_stalled(what, seconds, progress is not None, last_seen))


def _stalled(what: str, seconds: float, watched: bool, last_seen: object) -> str:
    if watched:
        return f"no progress for {seconds} s waiting for {what} (stuck at {last_seen!r})"
    return f"timed out after {seconds} s waiting for {what}"


async def households_with_phones(db: Database, count: int, *, chats: bool = False) -> Village:
    """``count`` households with phones (and, with ``chats``, each bound to chat 10000+i)."""
    now = utcnow()
    async with db.transaction() as session:
        village = Village(name="广播村")
        session.add(village)
        await session.flush()
        rows = [
            {
                "village_id": village.id,
                "number": f"GB{i:05d}",
                "head_name": f"户主{i}",
                "phone": f"+86139{i:08d}",
                "household_type": "ordinary",
                "size": 1,
                "group_name": "",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ]
        await session.execute(insert(Household), rows)
        if chats:
            ids = await session.scalars(
                select(Household.id)
                .where(Household.village_id == village.id)
                .order_by(Household.id)
            )
            bindings = [
                {
                    "chat_id": str(10000 + i),
                    "household_id": household,
                    "active": True,
                    "created_at": now,
                }
                for i, household in enumerate(ids)
            ]
            await session.execute(insert(ChatBinding), bindings)
    return village
