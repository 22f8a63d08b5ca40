"""What every channel (Telegram, SMS) promises the outbox worker.

A channel sends one text to one address and answers with the provider's message
id, or raises :class:`DeliveryError` saying whether trying again can help.
A channel paces itself to its limits and calls ``on_turn`` when the message's
turn has come, just before it goes on the wire: that is when the worker records
it as "sending". A crash then leaves only the messages really on the wire in
doubt, not the whole queue waiting behind a limiter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

OnTurn = Callable[[], Awaitable[bool]]
#: Inline buttons under a chat message, one row: (label, callback data). SMS ignores them,
#: so a message with buttons must also say in words how to answer by text.
Buttons = tuple[tuple[str, str], ...]


class TurnDeclined(Exception):
    """``on_turn`` answered False (the worker lost its claim or is stopping): nothing was sent."""


class DeliveryError(Exception):
    """The provider did not take the message.

    ``permanent`` failures (a blocked bot, an invalid number) are never retried;
    transient ones are retried with backoff, not before ``retry_after`` seconds
    when the provider said so (Telegram's 429).

    ``throttled`` is back-pressure (ESME_RTHROTTLED, HTTP 429): the sender slows
    down. Neither that nor a link that is down (``counts=False``) is the
    message's fault, so it does not use up one of the message's attempts.
    """

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        throttled: bool = False,
        counts: bool = True,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.throttled = throttled
        self.counts = counts and not throttled


class Outcome(StrEnum):
    """What a provider knows of a message whose sender died mid-send."""

    SENT = "sent"
    NOT_SENT = "not_sent"
    UNKNOWN = "unknown"  # the provider cannot be asked (Telegram, SMPP)


@dataclass(frozen=True)
class Lookup:
    outcome: Outcome
    provider_id: str | None = None


@dataclass(frozen=True)
class LinkHealth:
    """How the link to the provider is, for /healthz: up, or down since when and why."""

    down_since: datetime | None = None  # UTC; None while the link is up
    last_error: str | None = None  # in Chinese, for the people who read /healthz and the log

    @property
    def up(self) -> bool:
        return self.down_since is None


class Channel(Protocol):
    name: str

    async def send(
        self, address: str, body: str, reference: str, on_turn: OnTurn, buttons: Buttons = ()
    ) -> str:
        """Deliver ``body`` to ``address`` once ``on_turn()`` agrees; returns the provider id.

        ``reference`` is the outbox idempotency key. Raises :class:`TurnDeclined`
        when ``on_turn()`` answers False.
        """
        ...

    async def lookup(self, address: str, reference: str) -> Lookup:
        """Did an earlier, interrupted send of ``reference`` to ``address`` reach the provider?"""
        ...
