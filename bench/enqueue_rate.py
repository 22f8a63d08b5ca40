"""``enqueue_rate``: planning a policy broadcast to 100,000 households.

A village of 100,000 households, each with a phone and 30 % of them with a bound
Telegram chat, is built in bulk. The timed part is exactly
:func:`outreach.notices.send_now` in one transaction, committed: the
occurrence row, the audience query (segment + newest bound chat per household)
and one ``INSERT … SELECT`` that writes 100,000 outbox rows (30,000 Telegram,
70,000 SMS), then the occurrence's recipient count.

The baseline does the same work for a second occurrence of the same notice
through hand-written SQL text (occurrence row, the same ``INSERT … SELECT``,
the count), in one transaction. It runs first, so ours writes into the fuller
outbox table. Statistics are gathered (``ANALYZE``) after the bulk build.
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import Integer, String, bindparam, func, inspect, text
from sqlmodel import col, select

from bench.setup import bind_chats, bulk_village, emit, fresh_database
from core.clock import utcnow
from core.db import Database
from notifications.models import ChannelName, MessageStatus, Notice, OutboxMessage, Priority
from notifications.notice_text import sms_text, telegram_text
from notifications.sms.segments import count_segments
from outreach.audience import Audience
from outreach.notices import create_notice, send_now
from village.models import StaffMember, Village

HOUSEHOLDS = 100_000
BOUND_EVERY = 10  # households i with i % 10 < 3 have a bound chat: 30 %
BOUND_OF_TEN = 3
FIRST_CHAT = 100_000
TITLE = "城乡居民医保缴费"
BODY = "城乡居民医保开始缴费，每人380元，请于本月底前到村委会或通过手机缴纳。"
TARGET_SECONDS = 10

_AT = inspect(OutboxMessage).columns["created_at"].type  # how the ORM binds it, per dialect

_OCCURRENCE = text(
    "INSERT INTO notice_occurrence (notice_id, occurs_at, recipients, created_at)"
    " VALUES (:notice, :at, 0, :now) RETURNING id"
).bindparams(bindparam("at", type_=_AT), bindparam("now", type_=_AT))

_PLAN = text(
    "INSERT INTO outbox_message (idempotency_key, channel, address, household_id,"
    " occurrence_id, priority, body, segments, status, attempts, next_attempt_at, created_at)"
    " SELECT :prefix || CAST(h.id AS VARCHAR),"
    " CASE WHEN c.chat_id IS NOT NULL THEN :telegram ELSE :sms END,"
    " COALESCE(c.chat_id, h.phone), h.id, :occurrence, :priority,"
    " CASE WHEN c.chat_id IS NOT NULL THEN :tg_body ELSE :sms_body END,"
    " CASE WHEN c.chat_id IS NOT NULL THEN 1 ELSE :parts END,"
    " :queued, 0, :now, :now"
    " FROM household h LEFT JOIN ("
    "SELECT household_id, MAX(chat_id) AS chat_id FROM chat_binding"
    " WHERE active AND household_id IS NOT NULL GROUP BY household_id"
    ") c ON c.household_id = h.id"
    " WHERE h.village_id = :village AND h.opted_out_at IS NULL"
    " AND (c.chat_id IS NOT NULL OR h.phone IS NOT NULL)"
    " ON CONFLICT (idempotency_key) DO NOTHING"
).bindparams(
    *(
        bindparam(name, type_=String)
        for name in ("prefix", "telegram", "sms", "tg_body", "sms_body", "queued")
    ),
    *(bindparam(name, type_=Integer) for name in ("occurrence", "priority", "parts", "village")),
    bindparam("now", type_=_AT),
)

_COUNT = text(
    "UPDATE notice_occurrence SET recipients ="
    " (SELECT count(*) FROM outbox_message WHERE occurrence_id = :occurrence)"
    " WHERE id = :occurrence"
)


async def _village_with_phones(database: Database, households: int) -> tuple[int, int]:
    """A village of ``households`` households with phones, 30 % with a bound chat.

    Returns (village id, committee member id).
    """
    village_id, ids, actor_id, _ = await bulk_village(database, households, phones=True)
    bound = [h for i, h in enumerate(ids) if i % BOUND_EVERY < BOUND_OF_TEN]
    await bind_chats(database, bound, FIRST_CHAT)
    return village_id, actor_id


async def _raw_plan(database: Database, notice: Notice, at: object) -> int:
    """The same planning as :func:`send_now`, by hand-written SQL; returns the occurrence id."""
    now = utcnow()
    sms_body = sms_text(notice)
    async with database.engine.begin() as conn:
        occurrence = (
            await conn.execute(_OCCURRENCE, {"notice": notice.id, "at": at, "now": now})
        ).scalar_one()
        await conn.execute(
            _PLAN,
            {
                "prefix": f"notice:{notice.id}:{occurrence}:household:",
                "telegram": ChannelName.TELEGRAM.value,
                "sms": ChannelName.SMS.value,
                "occurrence": occurrence,
                "priority": int(Priority.BULK),
                "tg_body": telegram_text(notice),
                "sms_body": sms_body,
                "parts": count_segments(sms_body).parts,
                "queued": MessageStatus.QUEUED.value,
                "now": now,
                "village": notice.village_id,
            },
        )
        await conn.execute(_COUNT, {"occurrence": occurrence})
    return int(occurrence)


async def _count(database: Database, occurrence: int, channel: str | None = None) -> int:
    query = select(func.count()).select_from(OutboxMessage)
    query = query.where(col(OutboxMessage.occurrence_id) == occurrence)
    if channel is not None:
        query = query.where(col(OutboxMessage.channel) == channel)
    async with database.session() as session:
        return int(await session.scalar(query) or 0)


async def run(kind: str = "sqlite") -> None:
    async with fresh_database(kind) as database:
        village_id, actor_id = await _village_with_phones(database, HOUSEHOLDS)
        async with database.transaction() as session:
            actor = await session.get_one(StaffMember, actor_id)
            village = await session.get_one(Village, village_id)
            notice = await create_notice(session, actor, village, TITLE, BODY, Audience())
        # Fresh statistics, as after a roster import once autovacuum has run: without them
        # PostgreSQL guesses one household and joins 100,000 × 30,000 in a nested loop.
        async with database.engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")

        started = time.perf_counter()
        raw = await _raw_plan(database, notice, utcnow() - timedelta(hours=1))
        baseline = time.perf_counter() - started

        started = time.perf_counter()
        async with database.transaction() as session:
            notice = await session.get_one(Notice, notice.id)
            occurrence = await send_now(session, notice)
        seconds = time.perf_counter() - started

        assert occurrence.id is not None
        telegram = int(HOUSEHOLDS * BOUND_OF_TEN / BOUND_EVERY)
        for planned in (occurrence.id, raw):
            assert await _count(database, planned) == HOUSEHOLDS
            assert await _count(database, planned, ChannelName.TELEGRAM.value) == telegram
        assert occurrence.recipients == HOUSEHOLDS
        emit(
            "enqueue_rate",
            kind,
            seconds=round(seconds, 2),
            baseline=round(baseline, 2),
            ratio=round(baseline / seconds, 2),
            households=HOUSEHOLDS,
            target_s=TARGET_SECONDS,
        )
