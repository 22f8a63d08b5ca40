"""A worker killed with SIGKILL mid-broadcast, started again: every recipient gets one SMS.

These run the real ``xiangxin worker`` in a subprocess. The console gateway is
the provider: its log is what the households "received".
"""

from __future__ import annotations

import json
import signal
from collections import Counter
from pathlib import Path

from sqlmodel import select

from core.db import Database
from notifications.audience import Audience
from notifications.broadcast import create_notice, send_now
from notifications.models import MessageStatus, OutboxMessage
from tests.workers import households_with_phones, start_worker, stop, wait_until
from village.models import StaffMember

RECIPIENTS = 2000


def received(folder: Path) -> Counter[str]:
    log = folder / "sms.log"
    if not log.exists():
        return Counter()
    lines = log.read_text(encoding="utf-8").splitlines()
    return Counter(json.loads(line)["to"] for line in lines if line.endswith("}"))


async def broadcast_to_everyone(db: Database) -> int:
    village = await households_with_phones(db, RECIPIENTS)
    async with db.transaction() as session:
        secretary = StaffMember(village_id=village.id, name="文书", role="committee")
        session.add(secretary)
        await session.flush()
        notice = await create_notice(
            session, secretary, village, "医保缴费", "请于12月31日前缴纳医保。", Audience()
        )
        occurrence = await send_now(session, notice)
    return occurrence.recipients


async def outcome(db: Database) -> Counter[str]:
    async with db.session() as session:
        return Counter(m.status for m in await session.scalars(select(OutboxMessage)))


async def test_sigkill_mid_broadcast_then_restart_sends_each_exactly_once(
    db: Database, tmp_path: Path
) -> None:
    assert await broadcast_to_everyone(db) == RECIPIENTS
    first = start_worker(db.url, tmp_path, "first", "sms", XIANGXIN_SMS_TPS="400")
    try:
        wait_until(lambda: sum(received(tmp_path).values()) >= 600, 60, "600 texts")
    finally:
        stop(first, signal.SIGKILL)
    at_kill = sum(received(tmp_path).values())
    assert at_kill < RECIPIENTS, "the kill came too late to prove anything"

    second = start_worker(db.url, tmp_path, "second", "sms", XIANGXIN_SMS_TPS="400")
    try:
        wait_until(lambda: len(received(tmp_path)) >= RECIPIENTS, 60, "every household")
    finally:
        stop(second)
    got = received(tmp_path)
    assert len(got) == RECIPIENTS
    assert max(got.values()) == 1, [p for p, n in got.items() if n > 1][:5]
    statuses = await outcome(db)
    assert set(statuses) <= {MessageStatus.SENT, MessageStatus.DELIVERED}, statuses
    assert sum(statuses.values()) == RECIPIENTS


async def test_two_workers_one_sender_and_a_takeover_on_kill(db: Database, tmp_path: Path) -> None:
    """Both workers run; one sends. Killing it hands the channel to the other."""
    assert await broadcast_to_everyone(db) == RECIPIENTS
    first = start_worker(db.url, tmp_path, "first", "sms", XIANGXIN_SMS_TPS="300")
    second = None
    try:
        wait_until(lambda: sum(received(tmp_path).values()) >= 100, 60, "the first sends")
        second = start_worker(db.url, tmp_path, "second", "sms", XIANGXIN_SMS_TPS="300")
        wait_until(lambda: sum(received(tmp_path).values()) >= 700, 60, "700 texts")
        stop(first, signal.SIGKILL)
        killed_at = sum(received(tmp_path).values())
        takeover = wait_until(
            lambda: sum(received(tmp_path).values()) > killed_at + 10, 30, "the takeover"
        )
        wait_until(lambda: len(received(tmp_path)) >= RECIPIENTS, 60, "every household")
    finally:
        stop(first, signal.SIGKILL)
        if second is not None:
            stop(second)
    assert takeover < 5
    got = received(tmp_path)
    assert len(got) == RECIPIENTS and max(got.values()) == 1
    second_log = (tmp_path / "second.log").read_text(encoding="utf-8")
    assert "负责发送" in second_log
