"""The outbox and its sender, with the console SMS gateway (a real file) as provider."""

from __future__ import annotations

import asyncio
import json
import time as clock
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from notifications import outbox
from notifications.delivery import DeliveryError, Lookup, Outcome
from notifications.engine import Outreach
from notifications.lock import channel_lock
from notifications.models import ChannelName, MessageStatus, OutboxMessage, Priority
from notifications.quiet import QuietHours
from tests.factories import make_town
from village.models import ChatBinding, Household

NIGHT = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 22:00 in Beijing


def settings_for(db: Database, log: Path, tps: float) -> Settings:
    """No quiet hours (start == end): these tests must not depend on the time of day."""
    return Settings(
        database_url=db.url,
        sms_log=log,
        sms_tps=tps,
        telegram_token=None,
        quiet_start=time(0, 0),
        quiet_end=time(0, 0),
    )


def sms_log_entries(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def queue_sms(db: Database, count: int, priority: Priority, prefix: str) -> None:
    async with db.transaction() as session:
        for i in range(count):
            await outbox.queue(
                session,
                key=f"{prefix}:{i}",
                channel=ChannelName.SMS,
                address=f"+86139{i:08d}",
                body=f"测试消息 {prefix} {i}",
                priority=priority,
            )


async def statuses(db: Database) -> dict[str, int]:
    async with db.session() as session:
        return dict(await outbox.status_counts(session))


async def wait_for(condition: object, seconds: float) -> None:
    deadline = clock.monotonic() + seconds
    while clock.monotonic() < deadline:
        if await condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
async def running(db: Database, tmp_path: Path) -> AsyncIterator[tuple[Outreach, Path]]:
    log = tmp_path / "sms.log"
    settings = settings_for(db, log, 200)
    engine = Outreach(db, settings, worker="test")
    stop = asyncio.Event()
    task = asyncio.create_task(engine.run(stop))
    yield engine, log
    stop.set()
    await asyncio.wait_for(task, 30)


async def test_every_message_goes_once_and_receipts_mark_it_delivered(
    db: Database, running: tuple[Outreach, Path]
) -> None:
    _, log = running
    await queue_sms(db, 60, Priority.BULK, "bulk")
    await queue_sms(db, 60, Priority.BULK, "bulk")  # the same keys again: nothing new

    async def all_delivered() -> bool:
        return (await statuses(db)).get("delivered", 0) == 60

    await wait_for(all_delivered, 20)
    refs = [entry["ref"] for entry in sms_log_entries(log)]
    assert sorted(refs) == sorted(f"bulk:{i}" for i in range(60))
    async with db.session() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    assert all(r.attempts == 1 and r.provider_id and r.sent_at for r in rows)


async def test_a_personal_message_overtakes_a_broadcast(db: Database, tmp_path: Path) -> None:
    log = tmp_path / "sms.log"
    settings = settings_for(db, log, 50)
    engine = Outreach(db, settings, worker="test")
    await queue_sms(db, 400, Priority.BULK, "bulk")  # 8 seconds of work at 50/s
    stop = asyncio.Event()
    task = asyncio.create_task(engine.run(stop))
    try:

        async def some_sent() -> bool:
            return len(sms_log_entries(log)) >= 50

        await wait_for(some_sent, 10)
        queued_at = clock.monotonic()
        await queue_sms(db, 1, Priority.PERSONAL, "code")

        async def code_sent() -> bool:
            return any(e["ref"] == "code:0" for e in sms_log_entries(log))

        await wait_for(code_sent, 5)
        waited = clock.monotonic() - queued_at
        bulk_sent = len(sms_log_entries(log)) - 1
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    assert waited < 3
    assert bulk_sent < 400  # the broadcast was still under way


async def test_quiet_hours_hold_bulk_sms_but_not_personal(db: Database) -> None:
    await queue_sms(db, 3, Priority.BULK, "bulk")
    await queue_sms(db, 1, Priority.PERSONAL, "code")
    async with db.transaction() as session:
        night = QuietHours(time(21, 0), time(8, 0))
        assert night.active(NIGHT) and not night.active(NIGHT + timedelta(hours=10))
        claimed = await outbox.claim(
            session, "sms", "w", 10, lease=timedelta(seconds=30), personal_only=night.active(NIGHT)
        )
    assert [m.idempotency_key for m in claimed] == ["code:0"]


async def test_transient_failures_back_off_permanent_ones_stop(db: Database) -> None:
    await queue_sms(db, 2, Priority.BULK, "bulk")
    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    async with db.transaction() as session:
        first, second = await outbox.claim(session, "sms", "w", 2, lease=timedelta(seconds=30))
        for message in (first, second):
            assert await outbox.start_sending(session, message.id or 0, "w")
        busy = DeliveryError("throttled", permanent=False, retry_after=90)
        retried = await outbox.record_failure(session, first.id or 0, busy, now)
        dead = DeliveryError("invalid number", permanent=True)
        failed = await outbox.record_failure(session, second.id or 0, dead, now)
    assert retried.status == MessageStatus.QUEUED
    assert retried.next_attempt_at == now + timedelta(seconds=90)
    assert failed.status == MessageStatus.FAILED and failed.last_error == "invalid number"
    later = [outbox.backoff(n).total_seconds() for n in range(1, 7)]
    assert later[0] < later[3] < later[5] <= 1800 + 5


async def test_blocked_telegram_falls_back_to_sms_and_unbinds(db: Database) -> None:
    town = await make_town(db, households=1)
    async with db.transaction() as session:
        home = await session.get_one(Household, town.households[0].id)
        home.phone = "+8613800000001"
        session.add(ChatBinding(chat_id="42", household_id=home.id))
        await session.flush()
        assert await outbox.tell(session, "receipt:1", "兑换成功", household=home)
        (message,) = await outbox.claim(session, "telegram", "w", 5, lease=timedelta(seconds=30))
        assert await outbox.start_sending(session, message.id or 0, "w")
        blocked = DeliveryError("Forbidden: bot was blocked by the user", permanent=True)
        await outbox.record_failure(session, message.id or 0, blocked)
    async with db.session() as session:
        rows = {m.idempotency_key: m for m in await session.scalars(select(OutboxMessage))}
        binding = await session.scalar(select(ChatBinding))
    assert rows["receipt:1"].status == MessageStatus.FAILED
    fallback = rows["receipt:1:sms"]
    assert (fallback.channel, fallback.address, fallback.body) == (
        "sms",
        "+8613800000001",
        "兑换成功",
    )
    assert fallback.fallback_of == rows["receipt:1"].id
    assert binding is not None and not binding.active


async def test_interrupted_sends_are_settled_by_the_console_log(
    db: Database, tmp_path: Path
) -> None:
    """A sender died after marking two messages "sending"; one had reached the log."""
    log = tmp_path / "sms.log"
    await queue_sms(db, 2, Priority.BULK, "bulk")
    async with db.transaction() as session:
        claimed = await outbox.claim(session, "sms", "dead", 2, lease=timedelta(seconds=30))
        for message in claimed:
            assert await outbox.start_sending(session, message.id or 0, "dead")
    log.write_text(
        json.dumps({"id": "p-1", "to": "+8613900000000", "ref": "bulk:0", "text": "x"}) + "\n",
        encoding="utf-8",
    )
    settings = settings_for(db, log, 100)
    engine = Outreach(db, settings, worker="new")
    stop = asyncio.Event()
    task = asyncio.create_task(engine.run(stop))
    try:

        async def both_done() -> bool:
            return (await statuses(db)).get("delivered", 0) + (await statuses(db)).get(
                "sent", 0
            ) == 2

        await wait_for(both_done, 10)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    refs = sorted(e["ref"] for e in sms_log_entries(log))
    assert refs == ["bulk:0", "bulk:1"]  # bulk:0 was not sent a second time
    async with db.session() as session:
        first = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "bulk:0")
        )
    assert first is not None and first.provider_id == "p-1"


async def test_one_sender_per_channel(db: Database) -> None:
    first = channel_lock(db, "sms", "one")
    second = channel_lock(db, "sms", "two")
    assert await first.acquire()
    try:
        assert not await second.acquire()
        assert await first.held()
    finally:
        await first.release()
    assert await second.acquire()
    await second.release()


async def test_unknown_messages_wait_for_a_person(db: Database) -> None:
    await queue_sms(db, 1, Priority.BULK, "bulk")
    async with db.transaction() as session:
        (message,) = await outbox.claim(session, "sms", "dead", 1, lease=timedelta(seconds=30))
        assert await outbox.start_sending(session, message.id or 0, "dead")
        interrupted = await outbox.take_over(session, "sms", "new")
        assert [m.id for m in interrupted] == [message.id]
        await outbox.settle_interrupted(session, message.id or 0, Lookup(Outcome.UNKNOWN))
    assert (await statuses(db)) == {"unknown": 1}
    async with db.transaction() as session:
        assert await outbox.resend_unknown(session) == 1
        row = await session.scalar(select(OutboxMessage).where(col(OutboxMessage.id) == message.id))
    assert row is not None and row.status == MessageStatus.QUEUED
