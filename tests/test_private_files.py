"""The data folder holds full ID-card numbers: var/ is 0700 and every file in it 0600."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from bot.cli import app
from core.db import Database
from core.settings import get_settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_new_database_is_created_private(tmp_path: Path) -> None:
    folder = tmp_path / "var"
    database = Database(f"sqlite+aiosqlite:///{folder}/xiangxin.db")
    try:
        async with database.transaction() as session:
            await session.execute(text("CREATE TABLE t (id_card TEXT)"))
            await session.execute(text("INSERT INTO t VALUES ('410101199001011234')"))
        files = sorted(folder.iterdir())
        assert {p.name for p in files} >= {"xiangxin.db", "xiangxin.db-wal", "xiangxin.db-shm"}
        assert mode(folder) == 0o700
        assert all(mode(p) == 0o600 for p in files), [(p.name, oct(mode(p))) for p in files]
    finally:
        await database.dispose()


def test_the_cli_tightens_an_existing_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A var/ left world-readable by an earlier version is closed at the next command."""
    folder = tmp_path / "var"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    log = folder / "sms.log"
    log.write_text("+8613812345678 您的兑换码 123456\n", encoding="utf-8")
    log.chmod(0o644)
    monkeypatch.setenv("XIANGXIN_DATABASE_URL", f"sqlite+aiosqlite:///{folder}/xiangxin.db")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["village", "add", "幸福村"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert mode(folder) == 0o700
    assert mode(log) == 0o600 and mode(folder / "xiangxin.db") == 0o600


async def test_a_database_outside_var_keeps_its_folder(tmp_path: Path) -> None:
    """Only the database files are tightened in a folder the operator chose."""
    tmp_path.chmod(0o755)
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/chosen.db")
    try:
        async with database.transaction() as session:
            await session.execute(text("SELECT 1"))
    finally:
        await database.dispose()
    assert mode(tmp_path) == 0o755 and mode(tmp_path / "chosen.db") == 0o600
