"""Every database test runs twice: on a migrated SQLite file and on the real PostgreSQL.

PostgreSQL must be up (``make test`` starts it); a missing server fails the run
rather than skipping half the suite. Each run gets its own database, created
from the Alembic migrations, and tables are emptied between tests.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from core import scratch
from core.db import Database
from migrations import metadata, upgrade

PG_ADMIN_DSN = os.environ.get("XIANGXIN_TEST_PG_DSN", scratch.ADMIN_DSN)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    name = scratch.new_name("xiangxin_test")
    url = asyncio.run(scratch.create_database(name, PG_ADMIN_DSN))
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(scratch.drop_database(name, PG_ADMIN_DSN))


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
        await _empty(database)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def db_url(db: Database) -> str:
    return db.url


async def _empty(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))


async def _truncate(url: str) -> None:
    database = Database(url)
    try:
        await _empty(database)
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


Invoke = Callable[..., Result]


def invoke_all(invoke: Invoke, *commands: tuple[str, ...]) -> None:
    """Run set-up commands one after another; any failure stops the test with its output."""
    for args in commands:
        result = invoke(*args)
        assert result.exit_code == 0, result.output


@pytest.fixture
def invoke(cli_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Invoke]:
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


@pytest.fixture(autouse=True)
def server_secret_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test's server secret (one-time code HMAC key) lives in its own tmp_path."""
    from core.settings import get_settings

    path = tmp_path / "secret.key"
    monkeypatch.setenv("XIANGXIN_SECRET_FILE", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()
