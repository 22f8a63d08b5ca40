"""An SMS gateway as an outbox channel, paced at the gateway's TPS in parts on the wire.

A carrier's TPS counts submit_sm, so a text of three parts takes three turns.
A long text holds the pace from its first part to its last, so its parts are
never mixed with another text's; a one-part text only takes its turn and then
goes on the wire beside others (a round trip to the SMSC or a database commit
must not limit the TPS). When the SMSC answers "throttled", the pacer pauses and
halves the pace for a while. While the link is down nothing is marked
"sending": the message goes back to the queue without using an attempt.
"""

from __future__ import annotations

import asyncio
import logging

from aiolimiter import AsyncLimiter

from core.catalogue import text
from notifications.delivery import Buttons, DeliveryError, Lookup, OnTurn, TurnDeclined
from notifications.models import ChannelName
from notifications.sms.gateway import SmsGateway
from notifications.sms.segments import count_segments

log = logging.getLogger("xiangxin.sms")

LINK_WAIT_SECONDS = 5.0  # how long a message waits for a link that is down before going back
LINK_DOWN_RETRY_SECONDS = 5.0  # …and how long the sender then claims nothing
SLOW_SECONDS = 60.0  # how long the pace stays lowered after the SMSC last throttled us
MAX_SLOWDOWN = 16  # never slower than 1/16 of the TPS


class Pacer:
    """Parts per second: evenly spaced (a bucket of one), slower after back-pressure."""

    def __init__(self, tps: float, *, slow_seconds: float = SLOW_SECONDS) -> None:
        self.tps = max(tps, 0.1)
        self.limiter = AsyncLimiter(1, 1 / self.tps)
        self.slow_seconds = slow_seconds
        self.slowdown = 1  # turns of the limiter per part: 2 halves the pace
        self._resume_at = 0.0
        self._slow_until = 0.0

    async def turn(self) -> None:
        loop = asyncio.get_running_loop()
        pause = self._resume_at - loop.time()
        if pause > 0:
            await asyncio.sleep(pause)
        if self.slowdown > 1 and loop.time() >= self._slow_until:
            self.slowdown = 1
            log.info(text("sms_pace_restored", tps=self.tps))
        for _ in range(self.slowdown):
            await self.limiter.acquire()

    def throttled(self, retry_after: float | None) -> None:
        now = asyncio.get_running_loop().time()
        self.slowdown = min(self.slowdown * 2, MAX_SLOWDOWN)
        self._slow_until = now + self.slow_seconds
        self._resume_at = max(self._resume_at, now + (retry_after or 0.0))
        log.warning(
            text(
                "sms_throttled",
                tps=round(self.tps / self.slowdown, 2),
                seconds=round(self.slow_seconds),
            )
        )


class SmsChannel:
    name = ChannelName.SMS.value

    def __init__(
        self,
        gateway: SmsGateway,
        tps: float,
        *,
        link_wait: float = LINK_WAIT_SECONDS,
        slow_seconds: float = SLOW_SECONDS,
    ) -> None:
        self.gateway = gateway
        self.pacer = Pacer(tps, slow_seconds=slow_seconds)
        self.link_wait = link_wait
        self._turns = asyncio.Lock()  # held by a long text from its first turn to its last part

    async def send(
        self, address: str, body: str, reference: str, on_turn: OnTurn, buttons: Buttons = ()
    ) -> str:
        """Buttons have no place in an SMS; the body says how to answer by text."""
        if not await self.gateway.wait_ready(self.link_wait):
            raise self._link_down()
        long_text = count_segments(body).parts > 1
        await self._turns.acquire()
        holding = True
        try:
            await self.pacer.turn()
            if not long_text:
                self._turns.release()
                holding = False
            if not self.gateway.ready:
                raise self._link_down()
            if not await on_turn():
                raise TurnDeclined
            return await self.gateway.send_paced(address, body, reference, self.pacer)
        except DeliveryError as error:
            if error.throttled:
                self.pacer.throttled(error.retry_after)
            raise
        finally:
            if holding:
                self._turns.release()

    async def lookup(self, address: str, reference: str) -> Lookup:
        return await self.gateway.lookup(address, reference)

    def _link_down(self) -> DeliveryError:
        return DeliveryError(
            text("sms_link_down"),
            permanent=False,
            retry_after=LINK_DOWN_RETRY_SECONDS,
            counts=False,
        )
