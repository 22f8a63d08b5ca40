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

from notifications.delivery import Lookup, Outcome


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
    phone: str  # E.164, e.g. +8613800000000
    body: str
    provider_id: str | None = None


ReportHandler = Callable[[DeliveryReport], Awaitable[None]]
InboundHandler = Callable[[InboundSms], Awaitable[None]]


class SmsGateway(ABC):
    name: str = "sms"

    async def start(self, on_report: ReportHandler, on_inbound: InboundHandler) -> None:
        """Connect (bind, open files…) and begin passing receipts and inbound texts on."""
        self.on_report = on_report
        self.on_inbound = on_inbound

    @abstractmethod
    async def send(self, phone: str, body: str, reference: str) -> str:
        """Submit ``body`` to ``phone`` (E.164); returns the provider's message id."""

    async def lookup(self, phone: str, reference: str) -> Lookup:
        """Whether an interrupted ``send`` of ``reference`` reached the provider."""
        return Lookup(Outcome.UNKNOWN)

    async def close(self) -> None:  # noqa: B027 - gateways without a connection need nothing
        """Disconnect; messages not yet acknowledged stay in the outbox."""
