"""``xiangxin broadcast …``, ``outbox …`` and ``sms receive`` as a committee member uses them."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from core.db import Database
from tests.factories import make_town
from village.models import Household

Invoke = Callable[..., Result]


def flat(result: Result) -> str:
    return result.output.replace("\n", "")


async def _seed(url: str) -> None:
    """幸福村: four households with phones; the secretary is 幸福村文书."""
    database = Database(url)
    try:
        town = await make_town(database, households=4)
        async with database.transaction() as session:
            for i, home in enumerate(town.households, start=1):
                row = await session.get_one(Household, home.id)
                row.phone = f"+86138000000{i:02d}"
    finally:
        await database.dispose()


@pytest.fixture
def console_sms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "sms.log"
    monkeypatch.setenv("XIANGXIN_SMS_LOG", str(log))
    monkeypatch.setenv("XIANGXIN_SMS_TPS", "50")
    monkeypatch.setenv("XIANGXIN_QUIET_START", "00:00")  # no quiet hours in this test
    monkeypatch.setenv("XIANGXIN_QUIET_END", "00:00")
    return log


def test_write_preview_send_and_watch(invoke: Invoke, cli_url: str, console_sms: Path) -> None:
    asyncio.run(_seed(cli_url))
    by = ["-v", "幸福村", "-b", "幸福村文书"]
    made = invoke(
        "broadcast", "create", "--title", "医保缴费提醒",
        "--body", "2027年度城乡居民医保开始缴费，请于12月31日前到村委会缴纳。", *by,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    notice_id = re.search(r"#(\d+)", made.output).group(1)  # type: ignore[union-attr]
    assert "全部农户" in flat(made) and "草稿" in flat(made)

    seen = invoke("broadcast", "preview", notice_id, "-b", "幸福村文书")
    assert seen.exit_code == 0, seen.output
    assert "短信 4 户" in flat(seen) and "计 1 条" in flat(seen) and "0.20 元" in flat(seen)

    sent = invoke("broadcast", "send", notice_id, "-b", "幸福村文书")
    assert sent.exit_code == 0, sent.output
    assert "共 4 户" in flat(sent)
    texts = [json.loads(line) for line in console_sms.read_text(encoding="utf-8").splitlines()]
    assert sorted(t["to"] for t in texts) == [f"+86138000000{i:02d}" for i in range(1, 5)]

    shown = invoke("broadcast", "show", notice_id, "-b", "幸福村文书")
    assert shown.exit_code == 0, shown.output
    row = next(line for line in shown.output.splitlines() if re.search(r"\d{4}-\d\d-\d\d", line))
    counts = [int(n) for n in re.findall(r"│\s*(\d+)\s*(?=│)", row)]
    assert sum(counts) == 4 and counts[0] == 0  # nothing left queued
    status = invoke("outbox", "status")
    assert status.exit_code == 0 and "已" in status.output


def test_schedules_errors_and_opt_out(invoke: Invoke, cli_url: str, console_sms: Path) -> None:
    asyncio.run(_seed(cli_url))
    by = ["-v", "幸福村", "-b", "幸福村文书"]
    yearly = invoke(
        "broadcast", "create", "-t", "医保缴费", "--body", "请按时缴纳医保。",
        "--cron", "0 9 1 9 *", "--elder", *by,
    )  # fmt: skip
    assert yearly.exit_code == 0, yearly.output
    assert "09-01 09:00" in flat(yearly) and "60岁以上老人" in flat(yearly)

    bad = invoke("broadcast", "create", "-t", "x", "--body", "y", "--cron", "每天", *by)
    assert bad.exit_code == 1 and "定时规则" in bad.output
    late = invoke("broadcast", "create", "-t", "x", "--body", "y", "--at", "2020-01-01 09:00", *by)
    assert late.exit_code == 1 and "已经过去" in late.output
    kind = invoke("broadcast", "create", "-t", "x", "--body", "y", "--type", "富裕户", *by)
    assert kind.exit_code == 1 and "户类型" in kind.output
    shopkeeper = invoke(
        "broadcast", "create", "-t", "x", "--body", "y", "-v", "幸福村", "-b", "幸福村店主"
    )
    assert shopkeeper.exit_code == 1 and "没有权限" in shopkeeper.output

    listed = invoke("broadcast", "list", "-v", "幸福村")
    assert listed.exit_code == 0 and "医保缴费" in listed.output

    reply = invoke("sms", "receive", "+8613800000001", "TD")
    assert reply.exit_code == 0 and "已为您退订" in flat(reply)
    draft = invoke("broadcast", "create", "-t", "通知", "--body", "内容", *by)
    notice_id = re.search(r"#(\d+)", draft.output).group(1)  # type: ignore[union-attr]
    seen = invoke("broadcast", "preview", notice_id, "-b", "幸福村文书")
    assert "短信 3 户" in flat(seen) and "已退订 1 户" in flat(seen)


def test_a_cron_every_minute_needs_force_and_shows_the_next_firings(
    invoke: Invoke, cli_url: str
) -> None:
    asyncio.run(_seed(cli_url))
    by = ["-v", "幸福村", "-b", "幸福村文书"]
    args = [
        "broadcast",
        "create",
        "-t",
        "提醒",
        "--body",
        "请按时缴纳医保。",
        "--cron",
        "* * * * *",
    ]
    refused = invoke(*args, *by)
    assert refused.exit_code == 1, refused.output
    assert "太频繁" in flat(refused) and "每 1 分钟" in flat(refused) and "--force" in flat(refused)
    assert "#" not in refused.output
    assert "医保" not in invoke("broadcast", "list", "-v", "幸福村").output

    forced = invoke(*args, "--force", *by)
    assert forced.exit_code == 0, forced.output
    assert "接下来 3 次发送（北京时间）" in flat(forced)
    times = re.findall(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", forced.output.split("北京时间")[-1])
    assert len(times) == 3 and len(set(times)) == 3 and times == sorted(times)

    daily = invoke(*args[:-1], "0 9 * * *", *by)
    assert daily.exit_code == 0, daily.output
    assert flat(daily).count(" 09:00") >= 3
