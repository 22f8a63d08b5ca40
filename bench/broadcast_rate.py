"""``broadcast_rate``: messages per second a broadcast reaches against Telegram's limit.

Every recipient is a distinct private chat on the Bot API stand-in, which
answers 429 the way Telegram does once the bot exceeds ``limit`` messages per
second. The figure that matters is ``ratio`` (achieved / limit) together with
``http_429``: a sender should run at the limit, not below it, and without
drawing flood waits.

``broadcast_rate`` is ours, end to end: a notice to 3,000 households, each
bound to its own chat, is fired with :func:`outreach.notices.send_now`
(3,000 outbox rows), and the real :class:`notifications.worker.Sender` drains
them through :class:`notifications.telegram.TelegramChannel`, with the outbox
bookkeeping of every message (claim, "sending", "sent") in the database.

The baseline, ``ptb_loop``, is what a python-telegram-bot user writes first:
``asyncio.gather`` over ``send_message`` in chunks, paced by PTB's own
``AIORateLimiter`` set to the same limit.

Both rows are measured alike, by the stand-in's clock: ``value`` is the
number of intervals between accepted messages per second from the first
accepted message to the last, ``(sent - 1) / (last.at - first.at)``; a
sender pacing exactly at the limit scores 1.0. Start-up (opening the HTTP pool,
taking the channel's lock, the first claim) and shutdown are left out, the
same for both. ``http_429`` counts every 429 the stand-in answered. The
stand-in runs in a process of its own (``python -m bench.broadcast_rate
--serve``), so that only the sender's own work is on the measured event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from telegram.ext import AIORateLimiter, ApplicationBuilder

from bench.setup import bind_chats, bulk_village, emit, fresh_database
from notifications.models import MessageStatus
from notifications.outbox import status_counts
from notifications.telegram import TelegramChannel
from notifications.worker import Sender
from outreach.audience import Audience
from outreach.notices import create_notice, send_now
from standins.telegram_api import TelegramStandIn
from village.models import StaffMember, Village

TOKEN = "123456:BENCH"
FIRST_CHAT = 100_000
RECIPIENTS = 3000
LIMIT = 100.0
CHUNK = 500  # sends in flight at once in the plain loop
BODY = "【政策宣传】城乡居民医保开始缴费，请于本月底前到村委会或通过手机缴纳。"
TITLE = "城乡居民医保缴费"
NOTICE_BODY = "城乡居民医保开始缴费，请于本月底前到村委会或通过手机缴纳。"
DEADLINE_SECONDS = 120.0  # the sender gets this long to drain the broadcast
POLL_SECONDS = 0.25


@dataclass(frozen=True)
class Tally:
    """What the stand-in saw: messages accepted, first-to-last span, 429s answered."""

    sent: int
    span: float
    http_429: int

    @classmethod
    def of(cls, standin: TelegramStandIn) -> Tally:
        span = standin.sent[-1].at - standin.sent[0].at if len(standin.sent) > 1 else 0.0
        return cls(len(standin.sent), span, standin.http_429)


class StandIn:
    """A running stand-in: its base URL, and what it saw so far."""

    def __init__(self, base_url: str, tally: Callable[[], Awaitable[Tally]]) -> None:
        self.base_url = base_url
        self.tally = tally


@asynccontextmanager
async def started_standin(limit: float, chat_rate: float = 1) -> AsyncIterator[StandIn]:
    """A Bot API stand-in enforcing ``limit`` msgs/s per bot and ``chat_rate`` per chat.

    It runs in a process of its own, as Telegram would: its request handling does
    not take CPU from the event loop of the sender being measured.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.broadcast_rate",
        "--serve",
        str(limit),
        str(chat_rate),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout
    try:
        base_url = (await asyncio.wait_for(stdout.readline(), 30)).decode().strip()
        if not base_url:
            raise RuntimeError("the stand-in process did not start")

        async def tally() -> Tally:
            stdin.write(b"tally\n")
            await stdin.drain()
            line = await asyncio.wait_for(stdout.readline(), 30)
            return Tally(**json.loads(line))

        yield StandIn(base_url, tally)
    finally:
        if process.returncode is None:
            stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _serve(limit: float, chat_rate: float) -> None:
    """The stand-in in a process of its own: base URL out first, a tally per input line."""
    async with TelegramStandIn(rate=limit, chat_rate=chat_rate) as standin:
        print(standin.base_url, flush=True)
        while await asyncio.to_thread(sys.stdin.readline):
            print(json.dumps(asdict(Tally.of(standin))), flush=True)


def figures(limit: float, tally: Tally) -> dict[str, float]:
    """The row every broadcast_rate variant reports, so they compare field by field.

    Measured on the stand-in's arrival times (see the module docstring).
    """
    value = (tally.sent - 1) / tally.span if tally.span > 0 else 0.0
    return {
        "value": round(value, 2),
        "limit": limit,
        "ratio": round(value / limit, 3),
        "http_429": tally.http_429,
        "sent": tally.sent,
    }


async def ptb_loop(recipients: int = RECIPIENTS, limit: float = LIMIT) -> dict[str, float]:
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
            for first in range(0, recipients, CHUNK):
                chunk = range(first, min(first + CHUNK, recipients))
                await asyncio.gather(
                    *(bot.send_message(chat_id=FIRST_CHAT + i, text=BODY) for i in chunk),
                    return_exceptions=True,
                )
        return figures(limit, await standin.tally())


async def outbox_sender(
    kind: str, recipients: int = RECIPIENTS, limit: float = LIMIT
) -> dict[str, float]:
    """One notice to ``recipients`` households with bound chats, through our outbox sender."""
    # A 429 or a retry is logged by the channel and the worker; the figure counts them.
    logging.getLogger("xiangxin").setLevel(logging.ERROR)
    async with fresh_database(kind) as database:
        village_id, households, actor_id, _ = await bulk_village(database, recipients)
        await bind_chats(database, households, FIRST_CHAT)
        async with database.transaction() as session:
            actor = await session.get_one(StaffMember, actor_id)
            village = await session.get_one(Village, village_id)
            notice = await create_notice(session, actor, village, TITLE, NOTICE_BODY, Audience())
            occurrence = await send_now(session, notice)
        assert occurrence.recipients == recipients, occurrence.recipients
        async with database.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")  # as autovacuum would after the bulk build
        assert occurrence.id is not None
        occurrences = [occurrence.id]

        async with started_standin(limit) as standin:
            channel = TelegramChannel(TOKEN, base_url=standin.base_url, rate=limit, chat_rate=1)
            await channel.start()
            sender = Sender(database, channel, rate=limit, worker="bench")  # Telegram: no quiet
            stop = asyncio.Event()
            task = asyncio.create_task(sender.run(stop))
            deadline = time.monotonic() + DEADLINE_SECONDS
            try:
                while time.monotonic() < deadline and not task.done():
                    async with database.session() as session:
                        counts = await status_counts(session, occurrence_ids=occurrences)
                    if counts[MessageStatus.SENT.value] >= recipients:
                        break
                    await asyncio.sleep(POLL_SECONDS)
            finally:
                stop.set()
                await task
                await channel.close()
            return figures(limit, await standin.tally())


async def run_ptb_loop() -> None:
    emit("broadcast_rate_ptb_loop", "none", **await ptb_loop())


async def run_sender(kind: str = "sqlite") -> None:
    emit("broadcast_rate", kind, **await outbox_sender(kind))


async def run() -> None:
    await run_ptb_loop()
    await run_sender("sqlite")
    await run_sender("postgresql")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        asyncio.run(_serve(float(sys.argv[2]), float(sys.argv[3])))
    else:
        asyncio.run(run())
