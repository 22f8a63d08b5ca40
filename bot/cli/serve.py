"""``xiangxin serve``: the long-running service."""

from __future__ import annotations

import asyncio

from bot.cli.context import start_logging
from bot.service import serve
from core.settings import get_settings


def serve_command() -> None:
    """启动乡信服务（定时任务 + HTTP 服务 /healthz）；Ctrl+C 停止"""
    settings = get_settings()
    start_logging(settings)
    asyncio.run(serve(settings))
