"""``xiangxin serve``: the long-running service."""

from __future__ import annotations

import asyncio

from bot.cli.context import fail, start_logging
from bot.service import serve
from core.errors import DomainError
from core.settings import get_settings


def serve_command() -> None:
    """启动乡信服务（定时任务 + HTTP 服务 /healthz）；Ctrl+C 停止"""
    settings = get_settings()
    start_logging(settings)
    try:
        asyncio.run(serve(settings))
    except DomainError as error:  # e.g. a gateway that refuses its settings
        raise fail(error.message) from None
