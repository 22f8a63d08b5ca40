"""``xiangxin demo``: the whole village cycle in a throw-away database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from bot.cli.context import console, fail
from bot.demo import run_demo
from core.errors import DomainError


def demo_command(
    keep: Path | None = typer.Option(
        None, "--keep", help="把演示数据库和公示文件留在这个目录（默认用完即删）"
    ),
) -> None:
    try:
        asyncio.run(run_demo(console, keep))
    except DomainError as error:
        raise fail(error.message) from None
