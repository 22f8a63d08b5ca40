"""The sender of one channel: claims due messages and hands them to the channel.

Only the holder of the channel's lock sends (see :mod:`notifications.lock`), so
the channel's rate limit is one process's business. The sender keeps about a
second of work in flight: enough to run at the limit, little enough that a
confirmation code queued in the middle of a broadcast goes out within a
couple of seconds (claims are taken most urgent first).

When the channel says a failure is not the message's (its link is down, the
provider wants us slower) and when to try again, the sender claims nothing
until then: the queue waits in the database instead of being churned through.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from core.catalogue import text
from core.clock import utcnow
from core.db import Database
from notifications import outbox
from notifications.delivery import Channel, DeliveryError, TurnDeclined
from notifications.lock import channel_lock
from notifications.models import OutboxMessage
from notifications.quiet import QuietHours

log = logging.getLogger("xiangxin.outbox")

LOCK_RETRY_SECONDS = 1.0
LOCK_CHECK_SECONDS = 3.0
IDLE_POLL_SECONDS = 0.2


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


class Sender:
    def __init__(
        self,
        database: Database,
        channel: Channel,
        *,
        rate: float,
        lease: timedelta = timedelta(seconds=60),
        quiet: QuietHours | None = None,
        worker: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.channel = channel
        self.lease = lease
        self.quiet = quiet
        self.worker = f"{worker or worker_name()}:{channel.name}"
        self.clock = clock
        self.in_flight_limit = max(8, math.ceil(rate) + 8)
        self.holding = asyncio.Event()  # set while this sender holds the channel's lock
        self._stopping = False
        self._claim_after = 0.0  # time.monotonic() before which nothing is claimed

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop`` is set, taking the channel's lock whenever it is free."""
        lock = channel_lock(self.database, self.channel.name, self.worker)
        while not stop.is_set():
            try:
                got = await lock.acquire()
            except Exception:  # the database is away: try again shortly
                log.exception(text("outbox_lock_error", channel=self.channel.name))
                got = False
            if not got:
                await _sleep_unless(stop, LOCK_RETRY_SECONDS)
                continue
            log.info(text("outbox_sender_started", channel=self.channel.name, worker=self.worker))
            self.holding.set()
            try:
                await self._send_while_held(lock.held, stop)
            except Exception:
                log.exception(text("outbox_sender_error", channel=self.channel.name))
                await _sleep_unless(stop, LOCK_RETRY_SECONDS)
            finally:
                self.holding.clear()
                with contextlib.suppress(Exception):
                    await lock.release()

    async def _send_while_held(self, still_held: Callable[[], object], stop: asyncio.Event) -> None:
        await self._recover()
        in_flight: set[asyncio.Task[None]] = set()
        self._stopping = False
        next_check = time.monotonic() + LOCK_CHECK_SECONDS
        try:
            while not stop.is_set():
                if time.monotonic() >= next_check:
                    if not await still_held():  # type: ignore[misc]
                        log.warning(text("outbox_lock_lost", channel=self.channel.name))
                        return
                    next_check = time.monotonic() + LOCK_CHECK_SECONDS
                claimed = await self._claim(self.in_flight_limit - len(in_flight))
                in_flight.update(asyncio.create_task(self._deliver(m)) for m in claimed)
                if in_flight:
                    done, _ = await asyncio.wait(
                        in_flight, timeout=IDLE_POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED
                    )
                    in_flight -= done
                else:
                    await _sleep_unless(stop, IDLE_POLL_SECONDS)
        finally:
            # Messages still waiting for their turn are given back; those on the wire finish.
            self._stopping = True
            if in_flight:
                await asyncio.wait(in_flight, timeout=30)
            async with self.database.transaction() as session:
                await outbox.release(session, self.worker)

    async def _claim(self, room: int) -> list[OutboxMessage]:
        if room <= 0 or time.monotonic() < self._claim_after:
            return []
        now = self.clock()
        personal_only = self.quiet is not None and self.quiet.active(now)
        async with self.database.transaction() as session:
            return await outbox.claim(
                session,
                self.channel.name,
                self.worker,
                room,
                lease=self.lease,
                now=now,
                personal_only=personal_only,
            )

    async def _recover(self) -> None:
        """Settle what a dead predecessor left mid-send, asking the provider where it can."""
        async with self.database.transaction() as session:
            interrupted = await outbox.take_over(session, self.channel.name, self.worker)
        for message in interrupted:
            assert message.id is not None
            found = await self.channel.lookup(message.address, message.idempotency_key)
            async with self.database.transaction() as session:
                await outbox.settle_interrupted(session, message.id, found, self.clock())
            log.warning(text("outbox_interrupted", id=message.id, outcome=found.outcome.value))

    async def _deliver(self, message: OutboxMessage) -> None:
        message_id = message.id
        assert message_id is not None

        async def on_turn() -> bool:
            """Recorded as "sending" only now, in its own committed transaction."""
            if self._stopping:
                return False
            async with self.database.transaction() as session:
                return await outbox.start_sending(session, message_id, self.worker)

        try:
            provider_id = await self.channel.send(
                message.address,
                message.body,
                message.idempotency_key,
                on_turn,
                outbox.buttons_of(message),
            )
        except TurnDeclined:
            return
        except DeliveryError as error:
            await self._failed(message, error)
        except Exception as error:  # an unexpected fault is treated as transient
            log.exception(text("outbox_send_crashed", id=message_id))
            await self._failed(message, DeliveryError(repr(error), permanent=False))
        else:
            async with self.database.transaction() as session:
                await outbox.record_sent(session, message_id, provider_id, self.clock())

    async def _failed(self, message: OutboxMessage, error: DeliveryError) -> None:
        assert message.id is not None
        if not error.counts and error.retry_after:
            self._claim_after = max(self._claim_after, time.monotonic() + error.retry_after)
        async with self.database.transaction() as session:
            updated = await outbox.record_failure(session, message.id, error, self.clock())
        log.info(
            text(
                "outbox_send_failed",
                id=message.id,
                channel=message.channel,
                error=error.reason,
                status=updated.status,
            )
        )
