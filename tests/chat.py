"""A Telegram world for end-to-end tests: the stand-in Bot API, our bot polling it, and people.

Updates travel the real way (getUpdates long polling through python-telegram-bot's
HTTP stack); what the bot answers is read back from the stand-in.
"""

from __future__ import annotations

import asyncio
import tempfile
import time as clock_time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from bot.telegram.app import TelegramBot
from core.clock import utcnow
from core.db import Database
from core.settings import Settings
from notifications.engine import Outreach
from standins.telegram_api import SentMessage, TelegramStandIn
from village.binding import hash_code, issue_code
from village.models import BindingCode, Household, StaffMember

TOKEN = "123456:TEST-token"


@dataclass
class Clock:
    """Starts at the real time (the outbox sender beside the bot claims by it), moves on demand."""

    now: datetime = field(default_factory=lambda: utcnow().replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def chat_settings(db: Database, api: TelegramStandIn, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db.url,
        "telegram_token": TOKEN,
        "telegram_base_url": api.base_url,
        "telegram_bot_username": api.bot_username,
        "telegram_rate": 1000,
        "telegram_chat_rate": 1000,
        "quiet_start": time(0),
        "quiet_end": time(0),  # no quiet hours: the tests must not depend on the wall clock
        "sms_log": extra.pop("sms_log", Path(tempfile.gettempdir()) / "xiangxin-chat-sms.log"),
    }
    return Settings(**(values | extra))


@dataclass
class ChatWorld:
    api: TelegramStandIn
    bot: TelegramBot
    db: Database
    clock: Clock
    settings: Settings
    engine_stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, chat_id: int, body: str) -> list[str]:
        """``chat_id`` writes ``body``; returns the texts the bot sends that chat in answer."""
        before = len(self.api.sent)
        self.api.push_text(chat_id, body)
        return [m.text for m in await self.replies(chat_id, before)]

    async def send_other(self, chat_id: int, kind: str) -> list[str]:
        """``chat_id`` sends a sticker, photo, voice note … (a key of ``NON_TEXT``)."""
        before = len(self.api.sent)
        self.api.push_message(chat_id, kind)
        return [m.text for m in await self.replies(chat_id, before)]

    async def press(self, chat_id: int, data: str, *, too_old: bool = False) -> list[str]:
        """``chat_id`` presses the button ``data`` under the newest message that shows it.

        ``too_old``: the press reaches the bot too late for Telegram to take its answer.
        """
        message = self.with_button(chat_id, data)
        before = len(self.api.sent)
        self.api.push_callback(chat_id, data, message_id=message.message_id, too_old=too_old)
        return [m.text for m in await self.replies(chat_id, before)]

    def with_button(self, chat_id: int, data: str) -> SentMessage:
        for message in reversed(self.api.sent):
            if message.chat_id == chat_id and data in buttons_of(message):
                return message
        raise AssertionError(f"no message to {chat_id} has a button {data!r}")

    def buttons(self, chat_id: int) -> list[str]:
        """Callback data under the newest message to ``chat_id``."""
        mine = [m for m in self.api.sent if m.chat_id == chat_id]
        return buttons_of(mine[-1]) if mine else []

    async def replies(self, chat_id: int, before: int, timeout: float = 15) -> list[SentMessage]:
        """Wait until the bot has answered and has nothing left in hand; the answers to ``chat_id``.

        Each handler sends its replies before it returns, so once an answer has come
        and no update is waiting at the stand-in, in the bot's queue or in a handler,
        every reply to this turn has been sent.
        """
        deadline = clock_time.monotonic() + timeout
        app = self.bot.application
        while clock_time.monotonic() < deadline:
            mine = [m for m in self.api.sent[before:] if m.chat_id == chat_id]
            idle = (
                not self.api.pending_updates
                and app.update_queue.empty()
                and app.update_processor.current_concurrent_updates == 0
            )
            if mine and idle:
                return mine
            await asyncio.sleep(0.01)
        raise AssertionError(f"the bot did not answer chat {chat_id} within {timeout} s")

    async def issue(
        self,
        actor: StaffMember,
        *,
        household: Household | None = None,
        staff: StaffMember | None = None,
        code: str | None = None,
    ) -> str:
        """A fresh binding code, as the card shows it; ``code`` chooses it (stored as its hash)."""
        async with self.db.transaction() as session:
            issued = await issue_code(
                session, actor, household=household, staff=staff, now=self.clock()
            )
            if code is not None:
                await session.execute(
                    update(BindingCode)
                    .where(col(BindingCode.code_hash) == hash_code(issued))
                    .values(code_hash=hash_code(code))
                )
        return code or issued

    async def bind(
        self,
        chat_id: int,
        actor: StaffMember,
        *,
        household: Household | None = None,
        staff: StaffMember | None = None,
    ) -> list[str]:
        code = await self.issue(actor, household=household, staff=staff)
        return await self.send(chat_id, f"/start {code}")


def buttons_of(message: SentMessage) -> list[str]:
    markup = message.reply_markup or {}
    return [
        str(button.get("callback_data"))
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


@asynccontextmanager
async def chat_world(
    db: Database, *, outreach: bool = False, limits: bool = False, **settings: Any
) -> AsyncIterator[ChatWorld]:
    """The stand-in, the bot polling it and, with ``outreach``, the outbox sender beside it.

    With ``limits`` the stand-in answers 429 as Telegram does (``telegram_rate`` and
    ``telegram_chat_rate`` of the settings, 30 and 1 unless given), forgiving 0.1 s
    of jitter since it shares the bot's event loop.
    """
    rate = float(settings.setdefault("telegram_rate", 30 if limits else 1000))
    chat_rate = float(settings.setdefault("telegram_chat_rate", 1 if limits else 1000))
    api_limits = (rate, chat_rate) if limits else (0.0, 0.0)
    async with TelegramStandIn(*api_limits, slack=0.1, token=TOKEN) as api:
        values = chat_settings(db, api, **settings)
        clock = Clock()
        bot = TelegramBot(values, db, clock=clock)
        world = ChatWorld(api, bot, db, clock, values)
        engine: asyncio.Task[None] | None = None
        await bot.start()
        if outreach:
            engine = asyncio.create_task(
                Outreach(db, values, channels=("telegram", "sms")).run(world.engine_stop)
            )
        try:
            yield world
        finally:
            world.engine_stop.set()
            if engine is not None:
                await engine
            await bot.stop()
