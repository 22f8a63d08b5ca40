"""Delivery receipts are never lost: early, after a crash, at shutdown, and never in the way.

A receipt may overtake our own "sent" record (a fast SMSC), arrive for a message
a dead sender left behind, or be due when the console gateway closes. Each test
plays one of these with the real outbox on SQLite and PostgreSQL, and the real
stand-ins (SMPP) or the console gateway's log as the provider.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text as sql
from sqlmodel import select
from typer.testing import Result

from bot.household import answer_sms
from core.db import Database
from core.settings import Settings
from notifications import outbox
from notifications.engine import Outreach
from notifications.models import (
    ChannelName,
    DeliveryReceipt,
    MessageStatus,
    OutboxMessage,
    Priority,
)
from standins.smpp_server import SmppStandIn
from tests.factories import make_town
from village.models import Household

Invoke = Callable[..., Result]


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not in {seconds} s: {what}")


async def queue_and_start_sending(db: Database, key: str, worker: str = "w") -> int:
    """One SMS queued and marked "sending", as a sender does right before the wire."""
    async with db.transaction() as session:
        await outbox.queue(
            session, key=key, channel=ChannelName.SMS, address="+8613900000001", body="测试"
        )
        (message,) = await outbox.claim(session, "sms", worker, 1, lease=timedelta(seconds=60))
        assert message.id is not None
        assert await outbox.start_sending(session, message.id, worker)
    return message.id


async def message_status(db: Database, message_id: int) -> str:
    async with db.session() as session:
        return (await session.get_one(OutboxMessage, message_id)).status


async def kept_receipts(db: Database) -> list[str]:
    async with db.session() as session:
        return [r.provider_id for r in await session.scalars(select(DeliveryReceipt))]


def console_settings(db: Database, log: Path) -> Settings:
    return Settings(
        database_url=db.url,
        sms_log=log,
        sms_tps=100,
        telegram_token=None,
        quiet_start=clock_time(0, 0),
        quiet_end=clock_time(0, 0),
    )


async def test_a_receipt_before_sent_is_kept_and_applied_when_sent_is_recorded(
    db: Database,
) -> None:
    message_id = await queue_and_start_sending(db, "early")
    async with db.transaction() as session:
        applied = await outbox.record_report(session, "sms", "p-early", True, "DELIVRD")
    assert not applied
    assert await kept_receipts(db) == ["p-early"]
    assert await message_status(db, message_id) == MessageStatus.SENDING

    async with db.transaction() as session:
        await outbox.record_sent(session, message_id, "p-early")
    assert await message_status(db, message_id) == MessageStatus.DELIVERED
    assert await kept_receipts(db) == []


async def test_an_undelivered_receipt_before_sent_marks_the_message_failed(db: Database) -> None:
    message_id = await queue_and_start_sending(db, "early")
    async with db.transaction() as session:
        await outbox.record_report(session, "sms", "p-1", False, "UNDELIV")
        await outbox.record_report(session, "sms", "p-1", False, "UNDELIV")  # a repeat: one kept
    async with db.transaction() as session:
        await outbox.record_sent(session, message_id, "p-1")
    async with db.session() as session:
        row = await session.get_one(OutboxMessage, message_id)
    assert (row.status, row.last_error) == (MessageStatus.FAILED, "UNDELIV")


async def test_a_receipt_racing_the_sent_record_is_not_lost(db: Database) -> None:
    """The receipt's transaction runs while "sent" is written but not yet committed."""
    message_id = await queue_and_start_sending(db, "race")
    async with db.transaction() as sending:
        await outbox.record_sent(sending, message_id, "p-race")

        async def receipt() -> bool:
            async with db.transaction() as session:
                return await outbox.record_report(session, "sms", "p-race", True, "DELIVRD")

        racing = asyncio.create_task(receipt())

        async def waiting_or_done() -> bool:
            if racing.done():
                return True
            if db.dialect != "postgresql":
                return True  # SQLite's writers queue up in BEGIN IMMEDIATE anyway
            async with db.session() as session:
                waits = await session.scalar(
                    sql(
                        "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                        " WHERE d.datname = current_database()"
                        " AND l.locktype = 'advisory' AND NOT l.granted"
                    )
                )
            return bool(waits)

        await eventually(waiting_or_done, 10, "the receipt to wait for the sent record")
    await asyncio.wait_for(racing, 10)
    assert await message_status(db, message_id) == MessageStatus.DELIVERED
    assert await kept_receipts(db) == []


async def test_a_restart_applies_receipts_kept_before_the_crash(
    db: Database, tmp_path: Path
) -> None:
    """The old sender died: one message was sent with its receipt kept but not applied,
    one was left "sending" after the console log got it (its receipt died with it)."""
    sent_id = await queue_and_start_sending(db, "sent-before-crash", "dead")
    async with db.transaction() as session:
        await outbox.record_sent(session, sent_id, "p-sent")
        session.add(
            DeliveryReceipt(channel="sms", provider_id="p-sent", delivered=True, status="DELIVRD")
        )
    mid_id = await queue_and_start_sending(db, "mid-send", "dead")
    log = tmp_path / "sms.log"
    line = {"id": "p-mid", "to": "+8613900000001", "ref": "mid-send", "text": "测试"}
    log.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")

    stop = asyncio.Event()
    engine = Outreach(db, console_settings(db, log), worker="restarted")
    task = asyncio.create_task(engine.run(stop))
    try:

        async def both_delivered() -> bool:
            states = {await message_status(db, i) for i in (sent_id, mid_id)}
            return states == {MessageStatus.DELIVERED}

        await eventually(both_delivered, 20, "both messages delivered")
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    assert await kept_receipts(db) == []
    assert len(log.read_text(encoding="utf-8").splitlines()) == 1  # nothing sent again


async def test_every_console_sms_ends_delivered_when_the_sender_stops_right_after(
    db: Database, tmp_path: Path
) -> None:
    """Stopping as soon as the last text is "sent" (as ``broadcast send`` does) loses no receipt."""
    async with db.transaction() as session:
        for i in range(34):
            await outbox.queue(
                session,
                key=f"bulk:{i}",
                channel=ChannelName.SMS,
                address=f"+86139{i:08d}",
                body="医保缴费提醒",
                priority=Priority.BULK,
            )
    stop = asyncio.Event()
    engine = Outreach(db, console_settings(db, tmp_path / "sms.log"), worker="w")
    task = asyncio.create_task(engine.run(stop))
    try:

        async def all_out() -> bool:
            async with db.session() as session:
                counts = await outbox.status_counts(session)
            return counts["sent"] + counts["delivered"] == 34

        await eventually(all_out, 20, "all 34 sent")
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    async with db.session() as session:
        assert dict(await outbox.status_counts(session)) == {"delivered": 34}


def test_broadcast_send_ends_with_every_text_delivered(
    invoke: Invoke, cli_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XIANGXIN_SMS_LOG", str(tmp_path / "sms.log"))
    monkeypatch.setenv("XIANGXIN_SMS_TPS", "50")
    monkeypatch.setenv("XIANGXIN_QUIET_START", "00:00")
    monkeypatch.setenv("XIANGXIN_QUIET_END", "00:00")
    asyncio.run(_village_with_phones(cli_url, 34))
    made = invoke(
        "broadcast", "create", "--title", "医保缴费提醒", "--body", "请于12月31日前缴纳医保。",
        "-v", "幸福村", "-b", "幸福村文书",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    notice_id = re.search(r"#(\d+)", made.output).group(1)  # type: ignore[union-attr]
    sent = invoke("broadcast", "send", notice_id, "-b", "幸福村文书")
    assert sent.exit_code == 0, sent.output
    assert asyncio.run(_statuses(cli_url)) == {"delivered": 34}


async def _village_with_phones(url: str, count: int) -> None:
    database = Database(url)
    try:
        town = await make_town(database, households=count)
        async with database.transaction() as session:
            for i, home in enumerate(town.households, start=1):
                row = await session.get_one(Household, home.id)
                row.phone = f"+86138{i:08d}"
    finally:
        await database.dispose()


async def _statuses(url: str) -> dict[str, int]:
    database = Database(url)
    try:
        async with database.session() as session:
            return dict(await outbox.status_counts(session))
    finally:
        await database.dispose()


async def test_a_jf_text_is_answered_while_unmatched_receipts_wait(
    db: Database, tmp_path: Path
) -> None:
    """Receipts for texts the outbox does not know come first; the 查积分 behind them
    is answered as soon as they are stored (each used to hold the reader 10 s)."""
    town = await make_town(db, households=1)
    async with db.transaction() as session:
        home = await session.get_one(Household, town.households[0].id)
        home.phone = "+8613800000001"
    async with SmppStandIn(system_id="xiangxin", password="secret") as smsc:
        settings = Settings(
            database_url=db.url,
            sms_gateway="smpp",
            smpp_port=smsc.port,
            smpp_password="secret",
            sms_tps=50,
            sms_log=tmp_path / "unused.log",
            telegram_token=None,
            quiet_start=clock_time(0, 0),
            quiet_end=clock_time(0, 0),
        )
        engine = Outreach(db, settings, worker="smpp", conversation=answer_sms)
        stop = asyncio.Event()
        task = asyncio.create_task(engine.run(stop))
        try:
            await smsc.wait_bound(10)
            strays = [
                await engine.gateway.send("+8613900000009", "旧短信", f"x{i}") for i in range(20)
            ]
            # The SMSC pushes the receipts first, then the text, on the one session.
            await asyncio.wait_for(asyncio.gather(*(smsc.send_receipt(p) for p in strays)), 60)
            await smsc.send_inbound("+8613800000001", "JF")

            async def answered() -> bool:
                return any(s.destination_addr == "8613800000001" for s in smsc.submitted)

            # 20 receipts that waited 10 s each took 200 s; stored at once, they take well under 1 s.
            await eventually(answered, 30, "the JF reply on the wire")

            async def all_kept() -> bool:
                return sorted(await kept_receipts(db)) == sorted(strays)

            await eventually(all_kept, 10, "every stray receipt kept")
            replies = [s for s in smsc.submitted if s.destination_addr == "8613800000001"]
            assert len(replies) == 1 and "积分" in replies[0].text  # answered once, with points
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
