"""Many writers on one SQLite file: a busy database is waited for, then "系统繁忙", never a traceback."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from bot.cli import app
from core import db as core_db
from core.db import Database, retry_when_locked
from core.settings import get_settings
from village.models import Village


@pytest.fixture
def sqlite_file(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A migrated SQLite file the CLI uses, with a busy timeout short enough to run out."""
    path = tmp_path / "busy.db"
    shutil.copy(sqlite_template, path)
    monkeypatch.setattr(core_db, "SQLITE_BUSY_SECONDS", 0.1)
    monkeypatch.setenv("XIANGXIN_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


class WriteLock:
    """Another process's write transaction, held for ``seconds`` in a thread."""

    def __init__(self, path: Path, seconds: float) -> None:
        self.path, self.seconds = path, seconds
        self.taken = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            self.taken.set()
            threading.Event().wait(self.seconds)
            connection.execute("ROLLBACK")
        finally:
            connection.close()

    def __enter__(self) -> WriteLock:
        self.thread.start()
        assert self.taken.wait(10), "the lock was not taken"
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.join(timeout=30)


def test_a_command_waits_out_a_busy_database(
    sqlite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_db, "LOCKED_RETRY_SECONDS", 30.0)
    with WriteLock(sqlite_file, 1.5):
        result = CliRunner().invoke(app, ["village", "add", "幸福村"])
    assert result.exit_code == 0, result.output
    assert "已新建村：幸福村" in result.output


def test_a_database_busy_for_too_long_says_try_again_later(
    sqlite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_db, "LOCKED_RETRY_SECONDS", 0.5)
    with WriteLock(sqlite_file, 3):
        result = CliRunner().invoke(app, ["village", "add", "幸福村"])
    assert result.exit_code == 1, result.output
    assert "系统繁忙，请稍后再试" in result.output and "Traceback" not in result.output
    listed = CliRunner().invoke(app, ["village", "list"])
    assert listed.exit_code == 0 and "幸福村" not in listed.output


async def test_fifty_concurrent_writers_all_get_through(sqlite_file: Path) -> None:
    """50 units of work, each on its own connection, holding the lock a little: none is lost."""
    url = f"sqlite+aiosqlite:///{sqlite_file}"
    databases = [Database(url) for _ in range(50)]

    async def add(index: int) -> None:
        database = databases[index]

        async def unit() -> None:
            async with database.transaction() as session:
                session.add(Village(name=f"村{index}"))
                await session.flush()
                await asyncio.sleep(0.02)  # hold the write lock past a neighbour's timeout

        await retry_when_locked(unit)

    try:
        await asyncio.wait_for(asyncio.gather(*(add(i) for i in range(50))), 120)
        async with databases[0].session() as session:
            assert await session.scalar(select(func.count()).select_from(Village)) == 50
    finally:
        for database in databases:
            await database.dispose()
