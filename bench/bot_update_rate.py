"""``bot_update_rate``: how many 查积分 updates per second the bot gets through.

10,000 households have bound chats and a few ledger entries each. The same
updates (查积分 from randomly chosen households) are fed straight into two
python-telegram-bot applications, through the same update processor and to the
same Bot API stand-in (in a process of its own, flood limits off, so the
figure is our processing, not Telegram's pacing):

- ``value``: our bot, which identifies the chat, reads the balance, stars and
  recent entries, renders them and sends the reply;
- ``baseline``: a bare PTB echo handler that sends the text back.

Both are bounded: ``UPDATES`` updates each, and a deadline.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    MessageHandler,
    SimpleUpdateProcessor,
    filters,
)

from bench.broadcast_rate import started_standin
from bench.setup import bind_chats, bulk_village, emit, fresh_database
from bot.telegram.app import ChatOrderedProcessor, TelegramBot
from core.clock import utcnow
from core.db import Database
from core.settings import Settings
from points import ledger
from points.models import EntryKind

TOKEN = "123456:BENCH-token"
HOUSEHOLDS = 10_000
UPDATES = 3_000
CONCURRENCY = 64
FIRST_CHAT = 30_000_000
DEADLINE_SECONDS = 120.0
ENTRIES = 3  # ledger entries per household, so 查积分 has a history to show


def updates(bot: Any, count: int, seed: int = 7) -> list[Update]:
    chooser = random.Random(seed)
    made = []
    for update_id in range(1, count + 1):
        chat = FIRST_CHAT + chooser.randrange(HOUSEHOLDS)
        payload = {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private", "first_name": "户主"},
                "from": {"id": chat, "is_bot": False, "first_name": "户主"},
                "text": "查积分",
            },
        }
        made.append(Update.de_json(payload, bot))
    return made


async def feed(application: Application[Any, Any, Any, Any, Any, Any], count: int) -> float:
    """Updates per second through ``application``'s own update processor."""
    batch = updates(application.bot, count)
    processor = application.update_processor
    started = time.perf_counter()
    deadline = started + DEADLINE_SECONDS
    done = 0
    for first in range(0, len(batch), CONCURRENCY * 4):
        if time.perf_counter() > deadline:
            break
        chunk = batch[first : first + CONCURRENCY * 4]
        await asyncio.gather(
            *(processor.process_update(u, application.process_update(u)) for u in chunk)
        )
        done += len(chunk)
    return done / (time.perf_counter() - started)


async def echo_rate(base_url: str, count: int) -> float:
    async def echo(update: Update, context: Any) -> None:
        assert update.effective_message is not None and update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text)

    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(base_url)
        .concurrent_updates(SimpleUpdateProcessor(CONCURRENCY))
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    async with application:
        return await feed(application, count)


async def populate(database: Database) -> None:
    village_id, households, actor_id, _ = await bulk_village(database, HOUSEHOLDS)
    await bind_chats(database, households, FIRST_CHAT)
    postings = [
        ledger.Posting(
            household_id=household,
            village_id=village_id,
            amount=10 * (n + 1),
            kind=EntryKind.AWARD,
            reason=f"评星加分 {n + 1}",
            actor_id=actor_id,
            idempotency_key=f"bench:{household}:{n}",
        )
        for household in households
        for n in range(ENTRIES)
    ]
    async with database.transaction() as session:
        await ledger.post_batch(session, postings, utcnow())
    async with database.engine.begin() as conn:
        await conn.exec_driver_sql("ANALYZE")


async def bot_rate(database: Database, base_url: str, count: int) -> float:
    settings = Settings(
        database_url=database.url,
        telegram_token=TOKEN,
        telegram_base_url=base_url,
        telegram_rate=1e6,  # the stand-in runs without limits: measure the bot, not the pacing
        telegram_chat_rate=1e6,
    )
    bot = TelegramBot(settings, database)
    assert isinstance(bot.application.update_processor, ChatOrderedProcessor)
    async with bot.application:
        return await feed(bot.application, count)


async def measure(kind: str) -> dict[str, float]:
    logging.getLogger("xiangxin").setLevel(logging.ERROR)
    async with fresh_database(kind) as database:
        await populate(database)
        async with started_standin(0, 0) as standin:
            await bot_rate(database, standin.base_url, 200)  # warm-up: pools, caches
            baseline = await echo_rate(standin.base_url, UPDATES)
            value = await bot_rate(database, standin.base_url, UPDATES)
    return {
        "value": round(value, 1),
        "unit": "updates/s",  # type: ignore[dict-item]
        "baseline": round(baseline, 1),
        "ratio": round(value / baseline, 3),
        "households": HOUSEHOLDS,
        "updates": UPDATES,
    }


async def run(kind: str = "sqlite") -> None:
    emit("bot_update_rate", kind, **await measure(kind))


if __name__ == "__main__":
    asyncio.run(run())
