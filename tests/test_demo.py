"""``make demo`` runs the whole cycle through and ends with a consistent ledger."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from bot.demo import run_demo


async def test_demo_runs_the_whole_cycle(tmp_path: Path) -> None:
    console = Console(record=True, width=120)
    await run_demo(console, keep=tmp_path)
    told = console.export_text()
    assert "已导入 7 户" in told
    assert told.count("系统拒绝") >= 6
    assert "账本核对无误" in told
    assert (tmp_path / "公示" / "公示.html").exists()
    assert "经控制台短信网关发出 7 条" in told  # the broadcast left the outbox
    assert "已绑定：张建国（XF001）" in told and "张建国家的积分" in told  # Telegram
    assert "积分兑换小票" in told.split("回复")[-1]  # the SMS code confirmed the redemption
    assert (tmp_path / "绑定卡.html").exists()
