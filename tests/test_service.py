"""The service as ``make run`` starts it: migrations, scheduler, /healthz on a real port."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.service import serve
from core.db import Database
from core.settings import Settings
from standins.smpp_server import SmppStandIn
from standins.telegram_api import TelegramStandIn


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def health_when(
    port: int, wanted: Callable[[int, dict[str, Any]], bool], seconds: float = 20
) -> tuple[int, dict[str, Any]]:
    """/healthz once ``wanted(status, body)`` holds (polled, at most ``seconds``)."""
    deadline = time.monotonic() + seconds
    seen: tuple[int, dict[str, Any]] | None = None
    async with aiohttp.ClientSession() as client:
        while time.monotonic() < deadline:
            try:
                async with client.get(f"http://127.0.0.1:{port}/healthz") as response:
                    seen = (response.status, await response.json())
                    if wanted(*seen):
                        return seen
            except aiohttp.ClientConnectorError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"/healthz never answered as wanted; last: {seen}")


async def test_service_answers_healthz(db: Database) -> None:
    port = free_port()
    settings = Settings(database_url=db.url, http_host="127.0.0.1", http_port=port)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, stop))
    try:
        status, body = await health_when(port, lambda status, body: True)
        assert status == 200
        assert body == {
            "status": "ok",
            "database": db.dialect,
            "channels": {"sms": {"state": "up"}},
        }
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def test_healthz_shows_the_smpp_link_and_fails_when_it_is_down_too_long(
    db: Database,
) -> None:
    port = free_port()
    async with SmppStandIn(system_id="xiangxin", password="secret") as smsc:
        settings = Settings(
            database_url=db.url,
            http_host="127.0.0.1",
            http_port=port,
            sms_gateway="smpp",
            smpp_port=smsc.port,
            smpp_password="secret",
            health_down_seconds=1,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(serve(settings, stop))
        try:
            status, body = await health_when(
                port, lambda s, b: b.get("channels", {}).get("sms", {}).get("state") == "up"
            )
            assert status == 200 and body["status"] == "ok"

            await smsc.stop()
            status, body = await health_when(port, lambda s, b: s == 503)
            sms = body["channels"]["sms"]
            assert body["status"] == "error" and sms["state"] == "down"
            assert sms["down_seconds"] > 1 and len(sms["down_since"]) == len("2026-01-01 09:00")
            assert "断开" in sms["last_error"] or "短信中心" in sms["last_error"]
            assert any("北京时间" in reason for reason in body["reasons"])

            await smsc.start()
            status, body = await health_when(port, lambda s, b: s == 200, seconds=60)
            assert body["channels"]["sms"]["state"] == "up"
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)


async def test_healthz_lists_telegram_when_a_token_is_set(db: Database) -> None:
    port = free_port()
    async with TelegramStandIn() as api:
        settings = Settings(
            database_url=db.url,
            http_host="127.0.0.1",
            http_port=port,
            telegram_token="123456:TEST-token",
            telegram_base_url=api.base_url,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(serve(settings, stop))
        try:
            status, body = await health_when(port, lambda s, b: "telegram" in b.get("channels", {}))
            assert status == 200
            assert body["channels"] == {"sms": {"state": "up"}, "telegram": {"state": "up"}}
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
