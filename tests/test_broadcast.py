"""Policy notices: audience, preview, planning into the outbox, schedules, opt-out."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select

from core.clock import SHANGHAI
from core.db import Database
from core.errors import DomainError, Forbidden
from notifications.inbound import receive_sms
from notifications.models import (
    MessageStatus,
    Notice,
    NoticeOccurrence,
    OptOutEvent,
    OutboxMessage,
    Priority,
)
from notifications.outbox import tell
from outreach.audience import Audience
from outreach.notices import (
    cancel_notice,
    create_notice,
    fire_due,
    preview,
    progress,
    send_now,
)
from tests.factories import Town, make_town
from village.models import ChatBinding, Household, HouseholdType, Member

NOW = datetime(2026, 8, 31, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


async def populate(db: Database) -> Town:
    """Ten households: 1–4 on Telegram, 5–9 with a phone only, 10 with neither.

    2 and 6 have an elder, 3 and 7 a school child, 4 a chronic illness; 8 is 监测户.
    """
    town = await make_town(db, households=10)
    async with db.transaction() as session:
        for i, home in enumerate(town.households, start=1):
            row = await session.get_one(Household, home.id)
            if i <= 9:
                row.phone = f"+861380000{i:04d}"
            if i <= 4:
                session.add(ChatBinding(chat_id=str(1000 + i), household_id=home.id))
            if i == 8:
                row.household_type = HouseholdType.MONITORED.value
            born = {
                2: date(1950, 1, 1),
                6: date(1966, 8, 31),  # 60 today
                3: date(2015, 3, 1),
                7: date(2020, 8, 31),  # 6 today
                5: date(2020, 9, 1),  # not yet 6
            }.get(i)
            session.add(
                Member(
                    household_id=home.id,
                    name=f"成员{i}",
                    birth_date=born,
                    chronic_illness=i == 4,
                )
            )
    return town


async def new_notice(db: Database, town: Town, audience: Audience, **schedule: object) -> Notice:
    async with db.transaction() as session:
        return await create_notice(
            session,
            town.secretary,
            town.village,
            "医保缴费提醒",
            "2027年度城乡居民医保开始缴费，请于12月31日前缴纳。",
            audience,
            now=NOW,
            **schedule,  # type: ignore[arg-type]
        )


async def test_preview_counts_channels_segments_and_cost(db: Database) -> None:
    town = await populate(db)
    notice = await new_notice(db, town, Audience())
    async with db.session() as session:
        seen = await preview(session, notice, Decimal("0.05"), now=NOW)
    assert (seen.telegram, seen.sms, seen.unreachable, seen.opted_out) == (4, 5, 1, 0)
    assert seen.sms_encoding == "ucs2" and seen.sms_parts == 1
    assert seen.cost_yuan == Decimal("0.25")
    assert "回复TD退订" in seen.sms_text


@pytest.mark.parametrize(
    ("audience", "numbers"),
    [
        (Audience(with_elder=True), [2, 6]),
        (Audience(with_school_age_child=True), [3, 7]),
        (Audience(with_chronic_illness=True), [4]),
        (Audience(household_types=(HouseholdType.MONITORED,)), [8]),
        (Audience(households=("幸福村-001", "幸福村-009")), [1, 9]),
        (Audience(with_elder=True, household_types=(HouseholdType.MONITORED,)), []),
    ],
)
async def test_audience_segments(db: Database, audience: Audience, numbers: list[int]) -> None:
    town = await populate(db)
    notice = await new_notice(db, town, audience)
    async with db.transaction() as session:
        occurrence = await send_now(session, notice, now=NOW)
        got = await session.scalars(
            select(Household.number)
            .join(OutboxMessage, col(OutboxMessage.household_id) == Household.id)
            .where(OutboxMessage.occurrence_id == occurrence.id)
        )
        assert sorted(got) == [f"幸福村-{n:03d}" for n in numbers]
        assert occurrence.recipients == len(numbers)


async def test_planning_picks_channel_body_and_is_idempotent(db: Database) -> None:
    town = await populate(db)
    notice = await new_notice(db, town, Audience())
    async with db.transaction() as session:
        occurrence = await send_now(session, notice, now=NOW)
        rows = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.occurrence_id == occurrence.id)
            )
        )
    assert len(rows) == 9
    by_channel = {row.address: row for row in rows}
    assert by_channel["1001"].channel == "telegram" and by_channel["1001"].body.startswith("📢")
    assert by_channel["+8613800000005"].channel == "sms"
    assert by_channel["+8613800000005"].body.endswith("回复TD退订")
    assert all(r.priority == Priority.BULK and r.status == MessageStatus.QUEUED for r in rows)
    assert notice.status == "done"
    # The same occurrence again plans nothing new.
    async with db.transaction() as session:
        with pytest.raises(DomainError):
            await send_now(session, await session.get_one(Notice, notice.id), now=NOW)
        count = await session.scalar(select(OutboxMessage.id).where(col(OutboxMessage.id) > 9))
    assert count is None


async def test_recurring_notice_fires_once_per_occurrence(db: Database) -> None:
    town = await populate(db)
    notice = await new_notice(db, town, Audience(), cron="0 9 1 9 *")
    first = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
    assert notice.next_run_at == first
    async with db.transaction() as session:
        assert await fire_due(session, now=first - timedelta(minutes=1)) == []
    async with db.transaction() as session:
        fired = await fire_due(session, now=first + timedelta(seconds=30))
    assert [f.occurs_at for f in fired] == [first]
    async with db.transaction() as session:
        assert await fire_due(session, now=first + timedelta(minutes=1)) == []
        again = await session.get_one(Notice, notice.id)
        assert again.next_run_at == datetime(2027, 9, 1, 9, 0, tzinfo=SHANGHAI)
    # Down for two years: the latest missed occurrence fires once.
    late = datetime(2029, 3, 1, tzinfo=SHANGHAI)
    async with db.transaction() as session:
        fired = await fire_due(session, now=late)
    assert [f.occurs_at for f in fired] == [datetime(2028, 9, 1, 9, 0, tzinfo=SHANGHAI)]


async def test_two_schedulers_racing_fire_once(db: Database) -> None:
    town = await populate(db)
    notice = await new_notice(db, town, Audience(), cron="0 9 1 9 *")
    at = datetime(2026, 9, 1, 9, 0, 5, tzinfo=SHANGHAI)
    other = Database(db.url)
    try:

        async def sweep(database: Database) -> int:
            async with database.transaction() as session:
                return len(await fire_due(session, now=at))

        results = await asyncio.gather(sweep(db), sweep(other))
    finally:
        await other.dispose()
    assert sorted(results) == [0, 1]
    async with db.session() as session:
        occurrences = list(
            await session.scalars(
                select(NoticeOccurrence).where(NoticeOccurrence.notice_id == notice.id)
            )
        )
        messages = list(await session.scalars(select(OutboxMessage)))
    assert len(occurrences) == 1 and len(messages) == 9


async def test_only_the_committee_of_the_village_writes_notices(db: Database) -> None:
    town = await populate(db)
    other = await make_town(db, households=1, name="和平村")
    async with db.transaction() as session:
        for actor in (town.shopkeeper, other.secretary):
            with pytest.raises(Forbidden):
                await create_notice(session, actor, town.village, "t", "b", Audience(), now=NOW)
        with pytest.raises(DomainError) as bad:
            await create_notice(
                session, town.secretary, town.village, "t", "b", Audience(), cron="every day"
            )
        assert "定时规则" in bad.value.message
        with pytest.raises(DomainError):
            await create_notice(
                session, town.secretary, town.village, "t", "b", Audience(), at=NOW, now=NOW
            )


async def test_opt_out_by_sms_stops_broadcasts_not_personal_messages(db: Database) -> None:
    town = await populate(db)
    notice = await new_notice(db, town, Audience())
    async with db.transaction() as session:
        await send_now(session, notice, now=NOW)
        home = await session.get_one(Household, town.households[5].id)
        assert await tell(session, "code:1", "您的兑换验证码：123456", household=home)
        reply = await receive_sms(session, "+8613800000006", " td。", now=NOW)
    assert "已为您退订" in reply
    async with db.session() as session:
        home = await session.get_one(Household, town.households[5].id)
        assert home.opted_out_at == NOW
        events = list(await session.scalars(select(OptOutEvent)))
        assert [(e.household_id, e.opted_out, e.keyword) for e in events] == [(home.id, True, "TD")]
        mine = {
            m.idempotency_key.split(":")[0]: m.status
            for m in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.household_id == home.id)
            )
        }
    assert mine == {"notice": "cancelled", "code": "queued", "reply": "queued"}
    # The next broadcast skips the household; 订阅 brings it back.
    later = await new_notice(db, town, Audience())
    async with db.transaction() as session:
        seen = await preview(session, later, Decimal("0.05"), now=NOW)
        assert (seen.sms, seen.opted_out) == (4, 1)
        reply = await receive_sms(session, "+8613800000006", "订阅", now=NOW)
        assert "重新订阅" in reply
        seen = await preview(session, later, Decimal("0.05"), now=NOW)
        assert (seen.sms, seen.opted_out) == (5, 0)


async def test_cancel_stops_unsent_messages(db: Database) -> None:
    town = await populate(db)
    notice = await new_notice(db, town, Audience())
    async with db.transaction() as session:
        occurrence = await send_now(session, notice, now=NOW)
        assert await cancel_notice(session, notice, town.secretary) == 9
        assert (await progress(session, [occurrence.id or 0]))["cancelled"] == 9


@pytest.mark.parametrize(
    ("cron", "refused"),
    [
        ("* * * * *", True),
        ("0 9,21 * * 1", True),  # twice on Mondays: NOW is a Monday after 09:00 Beijing
        ("*/30 8 1 9 *", True),  # every half hour, one morning a year
        ("0 9 * * *", False),  # daily is the most allowed
        ("0 9 1 9 *", False),
    ],
)
async def test_a_schedule_more_often_than_daily_is_refused_unless_forced(
    db: Database, cron: str, refused: bool
) -> None:
    town = await populate(db)
    if refused:
        with pytest.raises(DomainError) as caught:
            await new_notice(db, town, Audience(), cron=cron)
        assert caught.value.code == "notice_cron_too_often" and "--force" in caught.value.message
        async with db.session() as session:
            assert await session.scalar(select(Notice.id)) is None
        forced = await new_notice(db, town, Audience(), cron=cron, force=True)
        assert forced.cron == cron and forced.next_run_at is not None
    else:
        notice = await new_notice(db, town, Audience(), cron=cron)
        assert notice.next_run_at is not None
