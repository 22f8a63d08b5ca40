"""The Telegram channel: one bot, paced to Telegram's limits, for the outbox worker.

python-telegram-bot's own ``AIORateLimiter`` does not pace private chats and
answers one chat's 429 by stalling the whole bot behind retries (DESIGN.md,
Outreach), so the channel paces itself (:class:`TelegramPacer`, which the chat
bot's direct replies share): one leaky bucket per chat (1 msg/s) and
one for the bot (30 msg/s). The chat's turn is taken before the bot's, so a busy
chat queues on its own bucket instead of holding bot capacity that other chats
could use; the chat's period is counted from when a message actually leaves,
however long it queued for the bot. A 429 still pauses every send, because Telegram counts the flood
against the whole bot, and is handed to the worker as a transient failure with
``retry_after``; the channel never retries by itself.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from aiolimiter import AsyncLimiter
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from core.catalogue import text
from core.clock import utcnow
from notifications.delivery import (
    Buttons,
    DeliveryError,
    LinkHealth,
    Lookup,
    OnTurn,
    Outcome,
    TurnDeclined,
)

log = logging.getLogger("xiangxin.telegram")

#: Seconds of sending the bot bucket may catch up after a late timer wake-up.
#: Without it every late wake-up is lost throughput; with more, the catch-up
#: burst can overrun Telegram's one-second window (the stand-in forgives 0.05 s).
CATCH_UP = 0.02


async def _always() -> bool:
    return True


class _Pause:
    """Holds every send while a ``retry_after`` runs; a later 429 can only extend it."""

    def __init__(self) -> None:
        self._open = asyncio.Event()
        self._open.set()
        self._until = 0.0
        self._timer: asyncio.TimerHandle | None = None

    @property
    def is_open(self) -> bool:
        return self._open.is_set()

    async def wait(self) -> None:
        await self._open.wait()

    def extend(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        if until <= self._until:
            return
        self._until = until
        self._open.clear()
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_at(until, self._open.set)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._open.set()


class _ChatPacer:
    """One chat's pace: a message leaves a full period after the previous one *left*.

    The chat's bucket is taken before the bot's turn, so a busy chat never holds
    bot capacity. But in a deep broadcast queue the bot's turn can take seconds,
    and two messages to one chat would then leave back to back; so the bucket is
    topped up to full when a message actually leaves, and the lock keeps one
    message per chat in the queue (which also keeps a chat's messages in order).
    """

    def __init__(self, period: float) -> None:
        self.lock = asyncio.Lock()
        self._bucket = AsyncLimiter(1, period)
        self._period = period
        self._taken = 0.0

    async def wait(self) -> None:
        await self._bucket.acquire()
        self._taken = asyncio.get_running_loop().time()

    async def leave(self) -> None:
        """Put back what leaked while the message queued for the bot (never blocks)."""
        queued = asyncio.get_running_loop().time() - self._taken
        await self._bucket.acquire(min(1.0, queued / self._period))

    @property
    def idle(self) -> bool:
        return not self.lock.locked() and self._bucket.has_capacity(1)


class TelegramPacer:
    """Telegram's limits for one bot: a bucket per chat, one for the bot, and 429 pauses.

    The outbox channel and the chat front-end's direct replies take their turns
    here alike: Telegram counts both against the same bot and the same chat, so
    a person who writes ten messages in a burst must not draw 429s on the
    answers (one chat allows about one message a second).
    """

    def __init__(self, rate: float = 30, chat_rate: float = 1, *, chats_kept: int = 10_000) -> None:
        burst = 1 + rate * CATCH_UP
        self._bot_bucket = AsyncLimiter(burst, burst / rate)
        self._chat_period = 1 / chat_rate
        self._chats: OrderedDict[int | str, _ChatPacer] = OrderedDict()
        self._chats_kept = chats_kept
        self._pause = _Pause()

    def flooded(self, error: RetryAfter) -> float:
        """Telegram answered 429: every send waits ``retry_after``; returns those seconds."""
        seconds = retry_after(error)
        self._pause.extend(seconds)
        log.warning(text("telegram_paused", seconds=seconds))
        return seconds

    def close(self) -> None:
        self._pause.cancel()

    @asynccontextmanager
    async def turn(self, chat_id: int | str, on_turn: OnTurn = _always) -> AsyncIterator[None]:
        """The chat's turn, then the bot's, never inside a 429 pause; held while sending.

        ``on_turn`` (the worker's database write) runs between the two, so its
        latency delays the chat, not the bot's evenly spaced departures: taken
        after the bot's turn it bunched sends up and drew 429s.
        """
        pacer = self._chat_pacer(chat_id)
        async with pacer.lock:
            await self._pause.wait()
            await pacer.wait()
            if not await on_turn():
                raise TurnDeclined
            await self._bot_bucket.acquire()
            while not self._pause.is_open:  # a 429 came while this send was queued
                await self._pause.wait()
                await self._bot_bucket.acquire()
            await pacer.leave()
            yield

    def _chat_pacer(self, chat_id: int | str) -> _ChatPacer:
        pacer = self._chats.get(chat_id)
        if pacer is None:
            self._forget_idle_chats()
            pacer = self._chats[chat_id] = _ChatPacer(self._chat_period)
        self._chats.move_to_end(chat_id)
        return pacer

    def _forget_idle_chats(self) -> None:
        """Drop least recently used pacers that have nothing left to pace."""
        while len(self._chats) >= self._chats_kept and next(iter(self._chats.values())).idle:
            self._chats.popitem(last=False)


class TelegramChannel:
    """Sends outbox messages through one Telegram bot (``address`` is the chat id).

    ``rate`` is the bot's limit in messages per second, ``chat_rate`` the limit
    per chat; ``connections`` sizes the HTTP pool (enough for ``rate`` requests
    in flight at Telegram's latency); ``chats_kept`` bounds the per-chat pacers,
    idle ones being forgotten first.
    """

    name = "telegram"

    def __init__(
        self,
        token: str,
        base_url: str | None = None,
        *,
        rate: float = 30,
        chat_rate: float = 1,
        connections: int = 64,
        chats_kept: int = 10_000,
    ) -> None:
        request = HTTPXRequest(connection_pool_size=connections)
        if base_url is None:
            self._bot = Bot(token, request=request)
        else:
            self._bot = Bot(token, base_url=base_url, request=request)
        #: The bot's pace, shared with the chat front-end's direct replies.
        self.pacer = TelegramPacer(rate, chat_rate, chats_kept=chats_kept)
        self._health = LinkHealth()

    def health(self) -> LinkHealth:
        """Down since the first send that could not reach Telegram, up again at the next success.

        Telegram has no link to watch (each send is an HTTPS request), so the
        sends themselves tell: a network failure or a refused token is the
        channel's fault, a blocked chat or a 429 is not.
        """
        return self._health

    @property
    def bot(self) -> Bot:
        """The underlying bot, for the chat front-end to reuse (one pool, one identity)."""
        return self._bot

    async def start(self) -> None:
        """Open the HTTP pool and check the token (``getMe``)."""
        await self._bot.initialize()

    async def close(self) -> None:
        self.pacer.close()
        await self._bot.shutdown()

    async def send(
        self, address: str, body: str, reference: str, on_turn: OnTurn, buttons: Buttons = ()
    ) -> str:
        """Send ``body`` to chat ``address``; returns Telegram's message id.

        Telegram has no idempotency key, so ``reference`` is not passed on; a send
        that timed out may have arrived all the same.
        """
        chat_id = _chat_id(address)
        async with self.pacer.turn(chat_id, on_turn):
            try:
                message = await self._bot.send_message(
                    chat_id=chat_id, text=body, reply_markup=_keyboard(buttons)
                )
            except RetryAfter as error:
                seconds = self.pacer.flooded(error)
                reason = text("telegram_rate_limited", seconds=seconds)
                raise DeliveryError(reason, permanent=False, retry_after=seconds) from error
            except TelegramError as error:
                failure = _delivery_error(error)
                if isinstance(error, NetworkError | InvalidToken):
                    since = self._health.down_since or utcnow()
                    self._health = LinkHealth(since, failure.reason)
                raise failure from error
        self._health = LinkHealth()
        return str(message.message_id)

    async def lookup(self, address: str, reference: str) -> Lookup:
        """Always unknown: the Bot API cannot be asked whether a message was sent."""
        return Lookup(Outcome.UNKNOWN)


def _keyboard(buttons: Buttons) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in buttons]]
    )


def _chat_id(address: str) -> int | str:
    """A numeric chat id, or a public ``@channel`` name as Telegram accepts it."""
    try:
        return int(address)
    except ValueError:
        return address


def retry_after(error: RetryAfter) -> float:
    """Seconds to wait, whether PTB gives an int (today) or a timedelta (its future)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def _delivery_error(error: TelegramError) -> DeliveryError:
    """Whether trying again can help, by the kind of answer Telegram gave."""
    message = error.message
    if isinstance(error, Forbidden):  # blocked, deactivated, kicked from the group
        return DeliveryError(text("telegram_forbidden", error=message), permanent=True)
    if isinstance(error, BadRequest):  # chat not found, text too long, …
        return DeliveryError(text("telegram_bad_request", error=message), permanent=True)
    if isinstance(error, ChatMigrated):
        reason = text("telegram_chat_migrated", chat_id=error.new_chat_id)
        return DeliveryError(reason, permanent=True)
    if isinstance(error, InvalidToken):  # fixed by the operator, then worth retrying
        return DeliveryError(text("telegram_invalid_token", error=message), permanent=False)
    if isinstance(error, NetworkError):  # includes TimedOut
        return DeliveryError(text("telegram_network", error=message), permanent=False)
    return DeliveryError(text("telegram_error", error=message), permanent=False)
