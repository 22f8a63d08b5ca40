"""Where Telegram delivers updates in webhook mode: ``POST /telegram/webhook``.

Telegram repeats the secret given to ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header; a request without it (or with a
wrong one, compared in constant time) is refused with 403 before its body is
read. An accepted update only joins the bot's queue, so Telegram gets its 200
at once and does not resend it. A body that is JSON but not an update (``push``
raises ``ValueError``) is answered 400 and logged as one warning line: it is
somebody else's mistake, not ours, so no stack trace.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from core.catalogue import text

log = logging.getLogger("xiangxin.web.telegram")

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

#: Queues one update; raises ``ValueError`` when the payload is not shaped like one.
Push = Callable[[dict[str, Any]], Awaitable[None]]


def add_telegram_webhook_route(app: web.Application, push: Push, secret: str) -> None:
    if not secret:
        raise ValueError("a webhook needs a secret token")
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning(text("bot_webhook_refused", peer=request.remote))
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        try:
            payload = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response({"ok": False, "error": "bad json"}, status=400)
        try:
            if not isinstance(payload, dict):
                raise ValueError(type(payload).__name__)
            await push(payload)
        except ValueError as error:
            log.warning(text("bot_webhook_bad_update", peer=request.remote, error=error))
            return web.json_response({"ok": False, "error": "bad update"}, status=400)
        return web.json_response({"ok": True})

    app.router.add_post(WEBHOOK_PATH, receive)
