"""The one interface every SMS gateway implements.

A gateway submits texts (``send``), and reports back through two callbacks it is
given at ``start``: delivery receipts (which update the outbox) and inbound
messages (which go to the same command layer as chat text). Gateways raise
:class:`notifications.delivery.DeliveryError` on failure and never import the
database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from notifications.delivery import LinkHealth, Lookup, Outcome


@dataclass(frozen=True)
class DeliveryReport:
    """A provider's receipt for a message it accepted earlier.

    For a concatenated text, the receipt of the first part stands for the
    message (``provider_id`` is the id ``send`` returned).
    """

    provider_id: str
    delivered: bool
    status: str  # the provider's own word: DELIVRD, UNDELIV, EXPIRED, …


@dataclass(frozen=True)
class InboundSms:
    phone: str  # E.164, e.g. +8613800000000, however the provider wrote it (core.phones)
    body: str
    provider_id: str | None = None


ReportHandler = Callable[[DeliveryReport], Awaitable[None]]
InboundHandler = Callable[[InboundSms], Awaitable[None]]


class Pace(Protocol):
    """The channel's pacing, handed to a gateway that puts a text on the wire in parts."""

    async def turn(self) -> None:
        """Wait until the next part may go (each part takes one turn of the TPS)."""

    def throttled(self, retry_after: float | None) -> None:
        """The provider said we send too fast: pause, then go slower for a while."""


class SmsGateway(ABC):
    name: str = "sms"

    async def start(self, on_report: ReportHandler, on_inbound: InboundHandler) -> None:
        """Connect (bind, open files…) and begin passing receipts and inbound texts on."""
        self.on_report = on_report
        self.on_inbound = on_inbound

    @abstractmethod
    async def send(self, phone: str, body: str, reference: str) -> str:
        """Submit ``body`` to ``phone`` (E.164); returns the provider's message id."""

    async def send_paced(self, phone: str, body: str, reference: str, pace: Pace) -> str:
        """:meth:`send`, for a channel that has already taken the first part's turn.

        A gateway that submits a long text part by part (SMPP) takes one turn of
        ``pace`` before each further part; one request per text needs no more.
        """
        return await self.send(phone, body, reference)

    @property
    def ready(self) -> bool:
        """Whether a send can go on the wire now (False while an SMPP link is down)."""
        return True

    async def wait_ready(self, timeout: float) -> bool:
        """:attr:`ready`, waiting up to ``timeout`` seconds for it."""
        return self.ready

    def health(self) -> LinkHealth:
        """The link's state for /healthz; gateways without a link are always up."""
        return LinkHealth()

    async def lookup(self, phone: str, reference: str) -> Lookup:
        """Whether an interrupted ``send`` of ``reference`` reached the provider."""
        return Lookup(Outcome.UNKNOWN)

    async def close(self) -> None:  # noqa: B027 - gateways without a connection need nothing
        """Disconnect; messages not yet acknowledged stay in the outbox."""
