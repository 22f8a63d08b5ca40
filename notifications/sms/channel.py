"""An SMS gateway as an outbox channel, paced at the gateway's messages per second."""

from __future__ import annotations

from aiolimiter import AsyncLimiter

from notifications.delivery import Buttons, Lookup, OnTurn, TurnDeclined
from notifications.models import ChannelName
from notifications.sms.gateway import SmsGateway


class SmsChannel:
    name = ChannelName.SMS.value

    def __init__(self, gateway: SmsGateway, tps: float) -> None:
        self.gateway = gateway
        # A bucket of one: messages leave evenly spaced, never a burst above the TPS.
        self.limiter = AsyncLimiter(1, 1 / max(tps, 0.1))

    async def send(
        self, address: str, body: str, reference: str, on_turn: OnTurn, buttons: Buttons = ()
    ) -> str:
        """Buttons have no place in an SMS; the body says how to answer by text."""
        await self.limiter.acquire()
        if not await on_turn():
            raise TurnDeclined
        return await self.gateway.send(address, body, reference)

    async def lookup(self, address: str, reference: str) -> Lookup:
        return await self.gateway.lookup(address, reference)
