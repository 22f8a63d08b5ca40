"""Every database test runs twice: on a migrated SQLite file and on the real PostgreSQL.

PostgreSQL must be up (``make test`` starts it); a missing server fails the run
rather than skipping half the suite. Each run gets its own database, created
from the Alembic migrations, and tables are emptied between tests.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from core.db import Database
from migrations import metadata, upgrade

PG_ADMIN_DSN = os.environ.get("XIANGXIN_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_url(dbname: str) -> str:
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{dbname}"


async def _pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    name = f"xiangxin_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = _pg_url(name)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


TABLES = ", ".join(t.name for t in metadata.sorted_tables)


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, pg_url: str
) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "xiangxin.db"
        shutil.copy(sqlite_template, path)
        database = Database(f"sqlite+aiosqlite:///{path}")
    else:
        database = Database(pg_url)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def db_url(db: Database) -> str:
    return db.url


async def _truncate(url: str) -> None:
    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    finally:
        await database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def cli_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, pg_url: str
) -> str:
    """A fresh database for CLI tests (sync tests: the CLI runs its own event loop)."""
    if request.param == "sqlite":
        path = tmp_path / "cli.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    asyncio.run(_truncate(pg_url))
    return pg_url


@pytest.fixture
def invoke(cli_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """Run ``xiangxin ARGS…`` in-process against ``cli_url``; returns click's Result."""
    from bot.cli import app
    from core.settings import get_settings

    monkeypatch.setenv("XIANGXIN_DATABASE_URL", cli_url)
    get_settings.cache_clear()
    runner = CliRunner()

    def call(*args: str) -> Result:
        return runner.invoke(app, list(args))

    yield call
    get_settings.cache_clear()
