"""Exactly one sender per channel, across processes.

On PostgreSQL the sender holds a session advisory lock on a connection of its
own: when its process dies the server drops the connection and the lock at
once, and another worker takes over on its next try (every second). On SQLite,
where one machine runs everything, a lease row renewed every few seconds does
the same job; a dead holder's lease runs out after ``LEASE`` (at once when the
holder was a process on this machine that is no longer there).
"""

from __future__ import annotations

import os
import socket
import zlib
from datetime import timedelta
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from core.clock import utcnow
from core.db import Database
from notifications.models import SenderLease

LEASE = timedelta(seconds=15)


class ChannelLock(Protocol):
    async def acquire(self) -> bool: ...

    async def held(self) -> bool: ...

    async def release(self) -> None: ...


def lock_key(channel: str) -> int:
    """A stable 32-bit key per channel (advisory locks are keyed by integers)."""
    return zlib.crc32(f"xiangxin:sender:{channel}".encode())


class AdvisoryLock:
    def __init__(self, database: Database, channel: str) -> None:
        self.database = database
        self.key = lock_key(channel)
        self.connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        connection = await self.database.engine.connect()
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        got = await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
        if not got:
            await connection.close()
            return False
        self.connection = connection
        return True

    async def held(self) -> bool:
        """The lock lives as long as its connection: prove the connection answers."""
        if self.connection is None:
            return False
        try:
            await self.connection.execute(text("SELECT 1"))
        except Exception:  # the connection is gone, and with it the lock
            return False
        return True

    async def release(self) -> None:
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        finally:
            await connection.close()


class LeaseLock:
    def __init__(self, database: Database, channel: str, holder: str) -> None:
        self.database = database
        self.channel = channel
        self.holder = holder

    async def acquire(self) -> bool:
        now = utcnow()
        async with self.database.transaction() as session:
            lease = await session.get(SenderLease, self.channel)
            if lease is None:
                session.add(
                    SenderLease(channel=self.channel, holder=self.holder, expires_at=now + LEASE)
                )
                return True
            if lease.holder != self.holder and lease.expires_at > now and alive(lease.holder):
                return False
            lease.holder = self.holder
            lease.expires_at = now + LEASE
            return True

    async def held(self) -> bool:
        return await self.acquire()

    async def release(self) -> None:
        async with self.database.transaction() as session:
            lease = await session.get(SenderLease, self.channel)
            if lease is not None and lease.holder == self.holder:
                await session.delete(lease)


def alive(holder: str) -> bool:
    """False only for a holder on this machine whose process has gone (a crash or a kill).

    Holders are named ``host:pid:…`` (see :func:`notifications.worker.worker_name`);
    another machine's holder is trusted until its lease runs out.
    """
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def channel_lock(database: Database, channel: str, holder: str) -> ChannelLock:
    if database.dialect == "postgresql":
        return AdvisoryLock(database, channel)
    return LeaseLock(database, channel, holder)
