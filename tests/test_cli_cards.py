"""``xiangxin cards print/staff``: printable cards whose codes bind, Chinese errors."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import Result

from bot import cards
from core.db import Database
from core.errors import DomainError
from core.settings import Settings, get_settings
from tests.conftest import Invoke, invoke_all
from tests.factories import add_household
from village import binding
from village.binding import BindOutcome, BindResult
from village.models import BindingCode, Village

BOT = "xiangxin_test_bot"
LINK = re.compile(rf"https://t\.me/{BOT}\?start=([A-Z0-9]{{8}})")


def flat(result: Result) -> str:
    return result.output.replace("\n", "")


async def _seed(url: str) -> None:
    database = Database(url)
    try:
        async with database.transaction() as s:
            village = await s.scalar(select(Village).where(Village.name == "幸福村"))
            assert village is not None
            groups = ["一组", "一组", "二组", "二组", "二组"]
            for i, group in enumerate(groups, start=1):
                await add_household(s, village, f"X00{i}", f"户主{i}", group_name=group)
            await add_household(s, village, "X009", "<b>老王</b>&", group_name="三组")
    finally:
        await database.dispose()


async def _bind(url: str, chat: str, code: str) -> BindResult:
    database = Database(url)
    try:
        async with database.transaction() as s:
            return await binding.bind_chat(s, chat, code)
    finally:
        await database.dispose()


async def _revoked(url: str) -> int:
    database = Database(url)
    try:
        async with database.session() as s:
            codes = list(await s.scalars(select(BindingCode)))
            return sum(1 for c in codes if c.revoked_at is not None)
    finally:
        await database.dispose()


@pytest.fixture
def town(invoke: Invoke, cli_url: str, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setenv("XIANGXIN_TELEGRAM_BOT_USERNAME", f"@{BOT}")
    monkeypatch.delenv("XIANGXIN_TELEGRAM_TOKEN", raising=False)
    get_settings.cache_clear()
    invoke_all(
        invoke,
        ("village", "add", "幸福村"),
        ("village", "add", "光明村"),
        ("staff", "add", "李主任", "--role", "committee", "-v", "幸福村"),
        ("staff", "add", "王店主", "--role", "shopkeeper", "-v", "幸福村"),
        ("staff", "add", "赵主任", "--role", "committee", "-v", "光明村"),
    )
    asyncio.run(_seed(cli_url))
    return invoke


def test_print_cards(town: Invoke, cli_url: str, tmp_path: Path) -> None:
    out = tmp_path / "cards" / "幸福村.html"
    result = town("cards", "print", "-v", "幸福村", "--by", "李主任", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "已为 6 户生成绑定卡" in flat(result) and "有效期至" in flat(result)
    page = out.read_text(encoding="utf-8")
    assert page.count('<section class="card">') == 6
    assert "page-break-after" in page
    assert page.count("<svg") == 6 and page.count("<path") == 6
    assert "&lt;b&gt;老王&lt;/b&gt;&amp;" in page and "<b>老王</b>" not in page
    assert "幸福村" in page and "X003" in page and "二组" in page
    assert "发送 JF 查积分" in page and f"@{BOT}" in page
    codes = LINK.findall(page)
    assert len(set(codes)) == 6
    printed = binding.format_code(codes[0])
    assert printed in page  # the code is printed in large letters too
    assert not list(tmp_path.glob("cards/.*"))  # no draft left behind

    bound = asyncio.run(_bind(cli_url, "8001", printed))
    assert bound.ok, bound.message
    assert bound.message == "已绑定：户主1（X001）"

    # Printing again voids the first cards that were not used.
    again = town("cards", "print", "-v", "幸福村", "--by", "李主任", "--out", str(out))
    assert again.exit_code == 0, again.output
    assert asyncio.run(_revoked(cli_url)) == 5
    refused = asyncio.run(_bind(cli_url, "8002", codes[1]))
    assert refused.outcome == BindOutcome.REVOKED
    fresh = LINK.findall(out.read_text(encoding="utf-8"))
    assert asyncio.run(_bind(cli_url, "8002", fresh[1])).ok


def test_print_selected(town: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "selected.html"
    args = ("cards", "print", "-v", "幸福村", "-b", "李主任", "-o", str(out))
    result = town(*args, "--household", "X002", "--household", "X005")
    assert result.exit_code == 0, result.output
    assert "已为 2 户生成绑定卡" in flat(result)
    page = out.read_text(encoding="utf-8")
    assert "X002" in page and "X005" in page and "X001" not in page

    grouped = town(*args, "--group", "二组")
    assert grouped.exit_code == 0, grouped.output
    assert out.read_text(encoding="utf-8").count('<section class="card">') == 3

    monkeypatch.chdir(tmp_path)
    default = town("cards", "print", "-v", "幸福村", "-b", "李主任", "-g", "一组")
    assert default.exit_code == 0, default.output
    assert (tmp_path / "幸福村绑定卡.html").exists()


def test_errors_are_chinese(
    town: Invoke, cli_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "x.html"
    base = ("cards", "print", "-v", "幸福村", "-o", str(out))

    shopkeeper = town(*base, "--by", "王店主")
    assert shopkeeper.exit_code == 1
    assert "没有权限" in flat(shopkeeper) and "Traceback" not in shopkeeper.output

    outsider = town("cards", "print", "-v", "幸福村", "--by", "赵主任", "-o", str(out))
    assert outsider.exit_code == 1 and "找不到工作人员" in flat(outsider)

    missing = town(*base, "--by", "李主任", "--household", "X404")
    assert missing.exit_code == 1 and "找不到户：X404" in flat(missing)

    empty = town(*base, "--by", "李主任", "--group", "九组")
    assert empty.exit_code == 1 and "没有“九组”组的户" in flat(empty)
    assert not out.exists()
    assert asyncio.run(_revoked(cli_url)) == 0

    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    unwritable = town(
        "cards", "print", "-v", "幸福村", "-b", "李主任", "-o", str(blocked / "c.html")
    )
    assert unwritable.exit_code == 1 and "无法写入" in flat(unwritable)
    assert "Traceback" not in unwritable.output
    assert asyncio.run(_revoked(cli_url)) == 0

    monkeypatch.setenv("XIANGXIN_TELEGRAM_BOT_USERNAME", "")
    get_settings.cache_clear()
    no_bot = town(*base, "--by", "李主任")
    assert no_bot.exit_code == 1
    assert "XIANGXIN_TELEGRAM_BOT_USERNAME" in flat(no_bot) and "请设置" in flat(no_bot)
    assert not out.exists()


def test_staff_code(town: Invoke, cli_url: str) -> None:
    result = town("cards", "staff", "-v", "幸福村", "--by", "李主任", "--staff", "王店主")
    assert result.exit_code == 0, result.output
    text = flat(result)
    assert "已为王店主（超市店主，幸福村）生成绑定码" in text
    match = LINK.search(text)
    assert match is not None
    bound = asyncio.run(_bind(cli_url, "9001", match.group(1)))
    assert bound.ok and bound.message == "已绑定：王店主（超市店主，幸福村）"

    refused = town("cards", "staff", "-v", "幸福村", "--by", "王店主", "--staff", "李主任")
    assert refused.exit_code == 1 and "没有权限" in flat(refused)


class _FakeBot:
    username: str | None = "looked_up_bot"
    fail = False

    def __init__(self, token: str, base_url: str | None = None) -> None:
        self.token, self.base_url = token, base_url

    async def __aenter__(self) -> _FakeBot:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def get_me(self) -> Any:
        if self.fail:
            raise OSError("network down")
        return type("Me", (), {"username": self.username})()


async def test_bot_username_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cards, "Bot", _FakeBot)
    configured = Settings(telegram_bot_username="@named_bot", telegram_token="t")
    assert await cards.resolve_bot_username(configured) == "named_bot"
    asked = Settings(telegram_bot_username="", telegram_token="123:abc")
    assert await cards.resolve_bot_username(asked) == "looked_up_bot"
    with pytest.raises(DomainError) as none:
        await cards.resolve_bot_username(Settings(telegram_bot_username="", telegram_token=None))
    assert "XIANGXIN_TELEGRAM_BOT_USERNAME" in none.value.message
    monkeypatch.setattr(_FakeBot, "fail", True)
    with pytest.raises(DomainError) as down:
        await cards.resolve_bot_username(asked)
    assert "network down" in down.value.message


def test_print_cards_into_an_existing_folder(town: Invoke, cli_url: str, tmp_path: Path) -> None:
    """``-o 卡片/`` writes the default file inside the folder, and every new code has its card."""
    folder = tmp_path / "卡片"
    folder.mkdir()
    base = ("cards", "print", "-v", "幸福村", "-b", "李主任", "-g", "一组")
    first = town(*base, "-o", f"{folder}/")
    assert first.exit_code == 0, first.output
    page = folder / "幸福村绑定卡.html"
    codes = LINK.findall(page.read_text(encoding="utf-8"))
    assert len(codes) == 2

    again = town(*base, "-o", str(folder))  # the folder without a trailing slash
    assert again.exit_code == 0, again.output
    fresh = LINK.findall(page.read_text(encoding="utf-8"))
    assert len(fresh) == 2 and not set(fresh) & set(codes)
    assert asyncio.run(_revoked(cli_url)) == 2
    assert asyncio.run(_bind(cli_url, "8101", fresh[0])).ok
    assert sorted(p.name for p in folder.iterdir()) == ["幸福村绑定卡.html"]

    missing = tmp_path / "新建" / "子目录"
    made = town(*base, "-o", f"{missing}/")
    assert made.exit_code == 0, made.output
    assert (missing / "幸福村绑定卡.html").exists()


def test_a_card_file_that_cannot_be_written_voids_no_code(
    town: Invoke, cli_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write fails after the codes were made (a read-only folder, a full disk): all rolled back."""
    out = tmp_path / "cards.html"
    base = ("cards", "print", "-v", "幸福村", "-b", "李主任", "-g", "一组", "-o", str(out))
    first = town(*base)
    assert first.exit_code == 0, first.output
    printed = LINK.findall(out.read_text(encoding="utf-8"))

    real_write = cards.write_cards

    def read_only(html: str, path: Path) -> Path:
        if html:  # an empty probe may pass; the cards themselves cannot be written
            raise PermissionError(13, "Permission denied", str(path))
        return real_write(html, path)

    monkeypatch.setattr(cards, "write_cards", read_only)
    refused = town(*base)
    assert refused.exit_code == 1
    assert "无法写入" in flat(refused) and "没有权限" in flat(refused)
    assert "原有绑定卡仍然有效" in flat(refused) and "Traceback" not in refused.output
    assert asyncio.run(_revoked(cli_url)) == 0
    assert asyncio.run(_bind(cli_url, "8201", printed[0])).ok  # the old card still binds
    assert LINK.findall(out.read_text(encoding="utf-8")) == printed
