"""``broadcast_rate``: messages per second a broadcast reaches against Telegram's limit.

Every recipient is a distinct private chat on the Bot API stand-in, which
answers 429 the way Telegram does once the bot exceeds ``limit`` messages per
second. The figure that matters is ``ratio`` (achieved / limit) together with
``http_429``: a sender should run at the limit, not below it, and without
drawing flood waits.

The baseline, ``ptb_loop``, is what a python-telegram-bot user writes first:
``asyncio.gather`` over ``send_message`` in chunks, paced by PTB's own
``AIORateLimiter`` set to the same limit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.ext import AIORateLimiter, ApplicationBuilder

from bench.setup import emit
from standins.telegram_api import TelegramStandIn

TOKEN = "123456:BENCH"
FIRST_CHAT = 100_000
CHUNK = 500  # sends in flight at once in the plain loop
BODY = "【政策宣传】城乡居民医保开始缴费，请于本月底前到村委会或通过手机缴纳。"


@asynccontextmanager
async def started_standin(limit: float, chat_rate: float = 1) -> AsyncIterator[TelegramStandIn]:
    """A Bot API stand-in enforcing ``limit`` msgs/s per bot and ``chat_rate`` per chat."""
    async with TelegramStandIn(rate=limit, chat_rate=chat_rate) as standin:
        yield standin


def figures(sent: int, elapsed: float, limit: float, standin: TelegramStandIn) -> dict[str, float]:
    """The row every broadcast_rate variant reports, so they compare field by field."""
    value = sent / elapsed
    return {
        "value": round(value, 2),
        "limit": limit,
        "ratio": round(value / limit, 3),
        "http_429": standin.http_429,
        "sent": sent,
    }


async def ptb_loop(recipients: int = 3000, limit: float = 100) -> dict[str, float]:
    """One message to each of ``recipients`` chats through a plain PTB gather loop."""
    # Sends that fail after max_retries are counted (sent < recipients); PTB's log of
    # each would only bury the figure in tracebacks.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    async with started_standin(limit) as standin:
        limiter = AIORateLimiter(overall_max_rate=limit, overall_time_period=1, max_retries=3)
        application = (
            ApplicationBuilder().token(TOKEN).base_url(standin.base_url).rate_limiter(limiter)
        ).build()
        async with application:
            bot = application.bot
            sent = 0
            started = time.perf_counter()
            for first in range(0, recipients, CHUNK):
                chunk = range(first, min(first + CHUNK, recipients))
                results = await asyncio.gather(
                    *(bot.send_message(chat_id=FIRST_CHAT + i, text=BODY) for i in chunk),
                    return_exceptions=True,
                )
                sent += sum(not isinstance(result, BaseException) for result in results)
            elapsed = time.perf_counter() - started
        return figures(sent, elapsed, limit, standin)


async def run() -> None:
    emit("broadcast_rate_ptb_loop", "none", **await ptb_loop())


if __name__ == "__main__":
    asyncio.run(run())
