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
