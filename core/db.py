"""Engines and sessions for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode and every write transaction starts with ``BEGIN
IMMEDIATE``: the write lock is taken up front, so two writers queue on
``busy_timeout`` instead of failing half-way with "database is locked". Reads
(:meth:`Database.session`) use a second engine whose transactions are deferred,
so they never wait for the write lock. On PostgreSQL both are one engine and the
domain code locks the rows it changes with ``SELECT … FOR UPDATE``.

Should the lock still be busy after ``SQLITE_BUSY_SECONDS`` (a machine swamped
by many writers), :func:`retry_when_locked` runs the whole unit of work again
for a while before giving up with :func:`is_locked` errors, which front-ends
turn into "系统繁忙，请稍后再试".

The SQLite file holds full ID-card numbers: its folder is created 0700 and the
file (with its WAL and shared-memory files) 0600, so no other account on the
machine can read it.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_delay,
    wait_random_exponential,
)

from core.settings import sqlite_path

T = TypeVar("T")

SQLITE_BUSY_SECONDS = 30.0  # how long one statement waits for SQLite's write lock
LOCKED_RETRY_SECONDS = 60.0  # how long a whole unit of work is retried while still locked
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
DATA_FOLDER_NAME = "var"  # the project's data folder: every file in it is private


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def is_locked(error: BaseException) -> bool:
    """SQLite's "database is locked" (or "busy"), however SQLAlchemy wrapped it."""
    if not isinstance(error, OperationalError):
        return False
    message = str(error.orig if error.orig is not None else error).lower()
    return "database is locked" in message or "database is busy" in message


async def retry_when_locked(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` (one whole transaction) again while SQLite stays locked, then give up.

    A locked statement rolled its transaction back, so running the unit again
    from the start is safe; the last "locked" error is raised when time is up.
    """
    retrying = AsyncRetrying(
        retry=retry_if_exception(is_locked),
        stop=stop_after_delay(LOCKED_RETRY_SECONDS),
        wait=wait_random_exponential(multiplier=0.05, max=2),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await work()
    raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover


def sqlite_connect_args(url: str) -> dict[str, Any]:
    """The driver's busy timeout on SQLite (also for Alembic's own engine); nothing elsewhere."""
    return {"timeout": SQLITE_BUSY_SECONDS} if is_sqlite(url) else {}


def prepare_database(url: str) -> None:
    """Before the first connection: the SQLite file private, readable and writable by us.

    A file we may not open is refused here with an ``OSError`` naming it, rather
    than by the driver from its thread.
    """
    path = sqlite_path(url) if is_sqlite(url) else None
    if path is None:
        return
    make_private(path)
    if not os.access(path, os.R_OK | os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))


def make_private(path: Path) -> None:
    """Create the SQLite file's folder 0700 and the file 0600; tighten them if looser.

    The project's own data folder (``var/``) is tightened as a whole, with every
    file in it (the SMS log, the server secret); a folder chosen by the operator
    elsewhere keeps its mode, only the database files in it are made private.
    """
    folder = path.parent
    if not folder.exists():
        folder.mkdir(parents=True, mode=PRIVATE_FOLDER, exist_ok=True)
        folder.chmod(PRIVATE_FOLDER)
    private = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    if folder.name == DATA_FOLDER_NAME:
        _tighten(folder, PRIVATE_FOLDER)
        private += [child for child in folder.iterdir() if child.is_file()]
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    for file in private:
        if file.exists():
            _tighten(file, PRIVATE_FILE)


def _tighten(path: Path, mode: int) -> None:
    """Take away the group's and others' rights, on our own files only."""
    status = path.stat()
    if status.st_uid == os.getuid() and stat.S_IMODE(status.st_mode) & ~mode:
        path.chmod(stat.S_IMODE(status.st_mode) & mode)


def make_engine(url: str, *, write: bool = True, **kwargs: Any) -> AsyncEngine:
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            make_private(path)
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS}, **kwargs)
        _configure_sqlite(engine, "BEGIN IMMEDIATE" if write else "BEGIN")
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_async_engine(url, **kwargs)


def _configure_sqlite(engine: AsyncEngine, begin: str) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves (the driver's implicit BEGIN is DEFERRED).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The busy timeout first: switching to WAL itself may wait for a lock.
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)


class Database:
    """One engine and its session factory: what the service, CLI and tests share."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.read_engine = (
            make_engine(url, write=False, **engine_kwargs) if is_sqlite(url) else self.engine
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reading (on SQLite it must not write: see the module docstring)."""
        async with self.read_sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on success and rolled back on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
