"""Worker processes for the crash and scale-out tests: the real ``xiangxin worker``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
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


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> float:
    """Poll ``condition`` (bounded in time); returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


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
