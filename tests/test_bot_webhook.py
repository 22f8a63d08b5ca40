"""Webhook mode: Telegram's updates arrive at /telegram/webhook, and only with the secret."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.telegram.app import TelegramBot
from core.db import Database
from standins.telegram_api import TelegramStandIn
from tests.chat import TOKEN, Clock, chat_settings
from web.app import create_app
from web.telegram_webhook import SECRET_HEADER, WEBHOOK_PATH, add_telegram_webhook_route

URL = "https://xiangxin.example.cn/telegram/webhook"


def update(chat_id: int, body: str) -> dict[str, object]:
    user = {"id": chat_id, "is_bot": False, "first_name": "测试"}
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "测试"},
            "from": user,
            "text": body,
        },
    }


async def test_the_webhook_takes_updates_only_with_the_right_secret(db: Database) -> None:
    async with TelegramStandIn(rate=0, chat_rate=0, token=TOKEN) as api:
        settings = chat_settings(
            db, api, telegram_webhook_url=URL, telegram_webhook_secret="s3cret-token_1"
        )
        bot = TelegramBot(settings, db, clock=Clock())
        app: web.Application = create_app(db)
        add_telegram_webhook_route(app, bot.push, bot.webhook_secret)
        await bot.start()
        assert api.webhook_url == URL  # registered with Telegram, secret included
        try:
            async with TestClient(TestServer(app)) as client:
                missing = await client.post(WEBHOOK_PATH, json=update(42, "/start"))
                wrong = await client.post(
                    WEBHOOK_PATH, json=update(42, "/start"), headers={SECRET_HEADER: "s3cret"}
                )
                assert (missing.status, wrong.status) == (403, 403)
                await asyncio.sleep(0.3)
                assert api.texts_to(42) == []  # refused updates were never handled

                right = await client.post(
                    WEBHOOK_PATH,
                    json=update(42, "/start"),
                    headers={SECRET_HEADER: "s3cret-token_1"},
                )
                assert right.status == 200
                for _ in range(100):
                    if api.texts_to(42):
                        break
                    await asyncio.sleep(0.05)
                assert "/start" in api.texts_to(42)[0]  # the unbound welcome

                bad = await client.post(
                    WEBHOOK_PATH, data=b"not json", headers={SECRET_HEADER: "s3cret-token_1"}
                )
                assert bad.status == 400
        finally:
            await bot.stop()


async def test_a_malformed_update_at_the_webhook_is_refused_with_400(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """JSON of the wrong shape is somebody's mistake: 400 and one warning, no stack trace."""
    async with TelegramStandIn(rate=0, chat_rate=0, token=TOKEN) as api:
        settings = chat_settings(db, api, telegram_webhook_url=URL, telegram_webhook_secret="s")
        bot = TelegramBot(settings, db, clock=Clock())
        app: web.Application = create_app(db)
        add_telegram_webhook_route(app, bot.push, bot.webhook_secret)
        await bot.start()
        chatless = update(42, "查积分")
        del chatless["message"]["chat"]  # type: ignore[attr-defined]
        wrong = [{"update_id": "x"}, chatless, {"update_id": 2, "message": "hi"}, [1, 2]]
        try:
            async with TestClient(TestServer(app)) as client:
                for payload in wrong:
                    answer = await client.post(
                        WEBHOOK_PATH, json=payload, headers={SECRET_HEADER: "s"}
                    )
                    assert answer.status == 400, payload
                good = await client.post(
                    WEBHOOK_PATH, json=update(42, "/start"), headers={SECRET_HEADER: "s"}
                )
                assert good.status == 200
                for _ in range(100):  # the bot still works
                    if api.texts_to(42):
                        break
                    await asyncio.sleep(0.05)
                assert len(api.texts_to(42)) == 1
        finally:
            await bot.stop()
    refused = [r for r in caplog.records if "格式不对" in r.getMessage()]
    assert len(refused) == len(wrong) and all(r.levelno == logging.WARNING for r in refused)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
