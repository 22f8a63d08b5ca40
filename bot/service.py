"""The composition root: wires the database, the scheduler, the outreach engine and the web server.

``make run`` ends up here. The Telegram bot runs beside them when a token is set:
long polling, or webhook mode through this server when a public URL is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

from aiohttp import web

from bot.household import answer_sms
from bot.telegram.app import TelegramBot
from core.catalogue import text
from core.db import Database
from core.phones import e164
from core.settings import Settings
from migrations import upgrade_async
from notifications.engine import Outreach
from notifications.jobs import daily_sweeps, scheduled_sweeps
from notifications.scheduler import build_scheduler
from notifications.sms.gateway import InboundSms
from notifications.sms.http import HttpSmsGateway
from web.access_log import runner_for
from web.app import create_app
from web.console import add_console
from web.sms_callbacks import add_sms_callback_routes
from web.telegram_webhook import add_telegram_webhook_route

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
    scheduler = build_scheduler(scheduled_sweeps(database), daily_sweeps(database, settings))
    outreach = Outreach(database, settings, conversation=answer_sms)
    channels = {"sms": outreach.gateway.health}
    if outreach.telegram is not None:
        channels["telegram"] = outreach.telegram.health
    app = create_app(database, channels, down_limit=settings.health_down_seconds)
    add_console(app, settings)
    if isinstance(outreach.gateway, HttpSmsGateway):
        add_sms_callback_routes(app, outreach.gateway, settings.sms_http_callback_token)
    pacer = outreach.telegram.pacer if outreach.telegram is not None else None  # one bot, one pace
    chat = TelegramBot(settings, database, pacer=pacer) if settings.telegram_token else None
    if chat is not None and settings.telegram_webhook_url:
        add_telegram_webhook_route(app, chat.push, chat.webhook_secret)
    runner = runner_for(app)  # the access log keeps callback tokens out
    background: list[asyncio.Task[None]] = []
    try:
        scheduler.start()
        await runner.setup()
        await web.TCPSite(runner, settings.http_host, settings.http_port).start()
        background.append(asyncio.create_task(outreach.run(stop)))
        if chat is not None:
            await chat.start()
        log.info(
            text(
                "service_started",
                host=settings.http_host,
                port=settings.http_port,
                db=database.dialect,
            )
        )
        log.info(text("service_sms_gateway", gateway=settings.sms_gateway))
        if not settings.telegram_token:
            log.info(text("service_no_telegram"))
        if settings.sms_gateway == "console" and sys.stdin.isatty():
            log.info(text("service_console_sms", path=settings.sms_log))
            background.append(asyncio.create_task(_typed_replies(outreach)))
        await stop.wait()
        log.info(text("service_stopping"))
    finally:
        stop.set()
        for task in background[1:]:
            task.cancel()
        if background:
            await asyncio.gather(*background, return_exceptions=True)
        scheduler.shutdown(wait=False)
        if chat is not None:
            await chat.stop()
        await runner.cleanup()
        await database.dispose()


async def _typed_replies(outreach: Outreach) -> None:
    """With the console gateway, a person at the terminal plays the households' phones."""
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        typed, _, body = line.decode(errors="replace").strip().partition(" ")
        phone = e164(typed)
        if phone is None or not body.strip():
            log.info(text("service_console_bad_line"))
            continue
        await outreach.on_inbound(InboundSms(phone, body.strip()))
