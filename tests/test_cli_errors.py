"""Whatever goes wrong at the terminal is one Chinese line and a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError, OperationalError
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.cli.errors import stop
from core.db import Database, is_locked
from core.settings import get_settings
from tests.conftest import Invoke, invoke_all

HUGE = str(10**20)


def flat(result: Result) -> str:
    return result.output.replace("\n", "")


def assert_chinese_error(result: Result, *phrases: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "Error" not in result.output, result.output
    assert "错误：" in result.output
    for phrase in phrases:
        assert phrase in flat(result), result.output


@pytest.fixture
def town(invoke: Invoke) -> Invoke:
    invoke_all(
        invoke,
        ("village", "add", "幸福村"),
        ("staff", "add", "李主任", "--role", "committee", "-v", "幸福村"),
    )
    return invoke


def test_typing_a_command_wrong_is_explained_in_chinese(town: Invoke, tmp_path: Path) -> None:
    missing = town("village", "set", "-v", "幸福村")
    assert_chinese_error(missing, "缺少选项 --by / -b", "village set --help”查看用法", code=2)

    not_a_number = town(
        "village", "set", "-v", "幸福村", "--by", "李主任", "--publicity-days", "五"
    )
    assert_chinese_error(not_a_number, "--publicity-days 的值无效", "“五”不是整数", code=2)

    too_small = town("village", "set", "-v", "幸福村", "--by", "李主任", "--publicity-days", "0")
    assert_chinese_error(too_small, "应不小于 1", code=2)

    assert_chinese_error(town("vilage", "list"), "没有这个命令：vilage", "village", code=2)
    assert_chinese_error(town("village", "list", "--all"), "没有这个选项：--all", code=2)
    assert_chinese_error(town("village", "set", "--by"), "选项 --by 后面要写一个值", code=2)
    assert_chinese_error(town("village", "list", "多余"), "多余的参数：多余", code=2)

    absent = tmp_path / "没有这个文件.xlsx"
    no_file = town("roster", "import", str(absent), "-v", "幸福村")
    assert_chinese_error(no_file, "没有这个文件.xlsx")

    helped = town("village", "set", "--help")
    assert helped.exit_code == 0 and "--publicity-days" in helped.output


def test_a_number_too_big_for_the_database_is_refused(town: Invoke) -> None:
    for args in (
        ("village", "set", "-v", "幸福村", "--by", "李主任", "--publicity-days", HUGE),
        ("item", "add", "大米", "--price", HUGE, "-v", "幸福村", "--by", "李主任"),
        ("ledger", "reverse", HUGE, "--reason", "x", "-v", "幸福村", "--by", "李主任"),
        ("award", "approve", "-v", "幸福村", "--by", "李主任", "--", f"-{HUGE}"),
    ):
        result = town(*args)
        assert_chinese_error(result, "超出范围", code=2)
    listed = town("village", "list")
    assert listed.exit_code == 0 and "幸福村" in listed.output


def test_an_unreachable_database_is_one_chinese_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runner = CliRunner()
    monkeypatch.setenv("XIANGXIN_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:1/none")
    get_settings.cache_clear()
    try:
        down = runner.invoke(app, ["village", "list"])
        assert_chinese_error(down, "无法连接数据库", "127.0.0.1:1/none")

        blocked = tmp_path / "a-file"
        blocked.write_text("not a folder")
        monkeypatch.setenv("XIANGXIN_DATABASE_URL", f"sqlite+aiosqlite:///{blocked}/x.db")
        get_settings.cache_clear()
        unusable = runner.invoke(app, ["village", "list"])
        assert_chinese_error(unusable, str(blocked))
    finally:
        get_settings.cache_clear()


async def test_a_number_the_database_refuses_is_one_chinese_line(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """The last guard: whatever a command lets through, the database's refusal is explained."""
    refused: BaseException | None = None
    async with db.session() as session:
        try:
            await session.execute(select(bindparam("n", type_=None)), {"n": 10**20})
        except (DBAPIError, OverflowError) as error:
            refused = error
    assert refused is not None
    with pytest.raises(SystemExit) as exit_info:
        stop(refused)
    assert exit_info.value.code == 1
    assert "数值超出范围" in capsys.readouterr().err


def test_a_locked_database_says_busy(capsys: pytest.CaptureFixture[str]) -> None:
    locked = OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
    assert is_locked(locked)
    with pytest.raises(SystemExit):
        stop(locked)
    assert "系统繁忙，请稍后再试" in capsys.readouterr().err
