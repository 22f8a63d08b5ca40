"""The composition root: wires the database, the scheduler and the web server.

``make run`` ends up here. Later issues add the Telegram bot and the outbox
worker beside the scheduler.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web

from core.catalogue import text
from core.db import Database
from core.settings import Settings
from migrations import upgrade_async
from notifications.jobs import scheduled_sweeps
from notifications.scheduler import build_scheduler
from web.app import create_app

log = logging.getLogger("xiangxin")


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set (or SIGINT/SIGTERM arrives)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not possible off the main thread (tests) or on some platforms: then Ctrl+C ends it.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    await upgrade_async(settings.database_url)
    database = Database(settings.database_url)
    scheduler = build_scheduler(scheduled_sweeps(database))
    runner = web.AppRunner(create_app(database))
    try:
        scheduler.start()
        await runner.setup()
        await web.TCPSite(runner, settings.http_host, settings.http_port).start()
        log.info(
            text(
                "service_started",
                host=settings.http_host,
                port=settings.http_port,
                db=database.dialect,
            )
        )
        if not settings.telegram_token:
            log.info(text("service_no_telegram"))
        await stop.wait()
        log.info(text("service_stopping"))
    finally:
        scheduler.shutdown(wait=False)
        await runner.cleanup()
        await database.dispose()
