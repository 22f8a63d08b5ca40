"""The service as ``make run`` starts it: migrations, scheduler, /healthz on a real port."""

from __future__ import annotations

import asyncio
import socket

import aiohttp

from bot.service import serve
from core.db import Database
from core.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_service_answers_healthz(db: Database) -> None:
    port = free_port()
    settings = Settings(database_url=db.url, http_host="127.0.0.1", http_port=port)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, stop))
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(100):
                try:
                    async with client.get(f"http://127.0.0.1:{port}/healthz") as response:
                        body = await response.json()
                        assert response.status == 200
                        break
                except aiohttp.ClientConnectorError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("service did not start")
        assert body == {"status": "ok", "database": db.dialect}
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
