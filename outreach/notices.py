"""Policy notices: write once, preview the reach and cost, fire on a schedule.

Firing a notice makes one :class:`NoticeOccurrence` (unique per notice and
instant, so two schedulers racing fire it once) and plans one outbox row per
household in one ``INSERT … SELECT``: Telegram for households with a bound chat,
SMS to the head's phone otherwise, nothing for households that replied 退订.
The row's key (notice, occurrence, household) makes planning twice harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import Subquery
from sqlmodel import col, select

from core.catalogue import text
from core.clock import SHANGHAI, to_local, utcnow
from core.errors import DomainError, NotFound
from core.models import Role
from notifications.models import (
    ChannelName,
    MessageStatus,
    Notice,
    NoticeOccurrence,
    NoticeStatus,
    OutboxMessage,
    Priority,
)
from notifications.notice_text import sms_text, telegram_text
from notifications.outbox import dialect_of, insert_ignoring_duplicates, status_counts
from notifications.sms.segments import count_segments
from outreach.audience import Audience, conditions
from village import action_log
from village.access import require_role
from village.models import ChatBinding, Household, StaffMember, Village

TITLE_LIMIT = 40
BODY_LIMIT = 500
MIN_INTERVAL = timedelta(days=1)  # a recurring bulk notice fires at most once a day…
FREQUENCY_SAMPLE = 10  # …judged on this many of its next firings


def cron_trigger(expression: str) -> CronTrigger:
    """A five-field crontab read in Beijing time; a bad one is a Chinese error."""
    try:
        return CronTrigger.from_crontab(expression, timezone=SHANGHAI)
    except ValueError as error:
        raise DomainError("notice_bad_cron", cron=expression, error=error) from None


def next_fire(expression: str, after: datetime) -> datetime | None:
    """The first instant strictly after ``after`` (APScheduler's answer includes ``after``)."""
    start = to_local(after) + timedelta(seconds=1)
    fire = cron_trigger(expression).get_next_fire_time(None, start)
    return fire.astimezone(after.tzinfo) if fire is not None else None


def next_fires(expression: str, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` instants of ``expression`` after ``after`` (fewer if it ends)."""
    fires: list[datetime] = []
    moment = after
    while len(fires) < count and (upcoming := next_fire(expression, moment)) is not None:
        fires.append(upcoming)
        moment = upcoming
    return fires


def check_frequency(expression: str, now: datetime) -> None:
    """Refuse a schedule that fires more than once a day.

    Every firing is a text to every household of the audience, paid per SMS: a
    ``* * * * *`` typed by mistake would message the village every minute. A day
    with several firings shows within the first few (the rest of today's, then a
    whole day's), so the gaps between the next ``FREQUENCY_SAMPLE`` tell.
    """
    fires = next_fires(expression, now, FREQUENCY_SAMPLE)
    gaps = [later - earlier for earlier, later in pairwise(fires)]
    if gaps and min(gaps) < MIN_INTERVAL:
        minutes = int(min(gaps).total_seconds() // 60)
        every = (
            text("notice_every_minutes", n=minutes)
            if minutes < 60
            else text("notice_every_hours", n=round(minutes / 60, 1))
        )
        raise DomainError("notice_cron_too_often", cron=expression, every=every)


async def create_notice(
    session: AsyncSession,
    actor: StaffMember,
    village: Village | None,
    title: str,
    body: str,
    audience: Audience,
    *,
    at: datetime | None = None,
    cron: str | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> Notice:
    """A notice for ``village`` (or, by a county admin, for every village).

    With neither ``at`` nor ``cron`` it is a draft until someone sends it. A
    ``cron`` firing more than once a day is refused unless ``force``.
    """
    now = now or utcnow()
    if village is None:
        if actor.role != Role.COUNTY_ADMIN:
            raise DomainError("notice_all_villages_forbidden")
    else:
        require_role(actor, village, Role.COMMITTEE)
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise DomainError("notice_empty")
    if len(title) > TITLE_LIMIT or len(body) > BODY_LIMIT:
        raise DomainError("notice_too_long", title=TITLE_LIMIT, body=BODY_LIMIT)
    if at is not None and cron is not None:
        raise DomainError("notice_two_schedules")
    if at is not None and at <= now:
        raise DomainError("notice_in_past")
    if cron is not None and not force:
        check_frequency(cron, now)
    notice = Notice(
        village_id=village.id if village else None,
        title=title,
        body=body,
        audience=audience.model_dump_json(),
        cron=cron,
        created_by=actor.id or 0,
        created_at=now,
    )
    if cron is not None:
        notice.next_run_at = next_fire(cron, now)
        notice.status = NoticeStatus.SCHEDULED.value
    elif at is not None:
        notice.next_run_at = at
        notice.status = NoticeStatus.SCHEDULED.value
    session.add(notice)
    await session.flush()
    return notice


async def get_notice(session: AsyncSession, notice_id: int, actor: StaffMember) -> Notice:
    notice = await session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("notice_not_found", id=notice_id)
    if notice.village_id is None:
        if actor.role != Role.COUNTY_ADMIN:
            raise DomainError("notice_all_villages_forbidden")
    else:
        require_role(actor, await session.get_one(Village, notice.village_id), Role.COMMITTEE)
    return notice


async def list_notices(session: AsyncSession, village: Village | None) -> list[Notice]:
    query = select(Notice).order_by(col(Notice.id).desc())
    if village is not None:
        query = query.where(Notice.village_id == village.id)
    return list(await session.scalars(query))


async def cancel_notice(session: AsyncSession, notice: Notice, actor: StaffMember) -> int:
    """Stop a notice: no further occurrences, and its unsent messages are cancelled.

    The notice keeps who wrote it, not who stopped it: ``actor`` goes to the action log.
    """
    notice.status = NoticeStatus.CANCELLED.value
    notice.next_run_at = None
    occurrences = select(NoticeOccurrence.id).where(NoticeOccurrence.notice_id == notice.id)
    result = await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.occurrence_id).in_(occurrences),
            col(OutboxMessage.status) == MessageStatus.QUEUED.value,
        )
        .values(status=MessageStatus.CANCELLED.value, finished_at=utcnow())
    )
    count = int(result.rowcount)  # type: ignore[attr-defined]
    village = await session.get(Village, notice.village_id) if notice.village_id else None
    await action_log.record(
        session, actor, village, "cancel_notice", id=notice.id, title=notice.title, count=count
    )
    return count


def audience_of(notice: Notice) -> Audience:
    return Audience.model_validate_json(notice.audience)


def _chats() -> Subquery:
    """One bound chat per household (the newest), for a single join."""
    return (
        select(
            col(ChatBinding.household_id).label("household_id"),
            func.max(ChatBinding.chat_id).label("chat_id"),
        )
        .where(col(ChatBinding.active), col(ChatBinding.household_id).is_not(None))
        .group_by(col(ChatBinding.household_id))
        .subquery("chats")
    )


def _audience(notice: Notice, at: datetime) -> tuple[Select[Any], Subquery]:
    """The notice's households on the day of ``at``, joined to their bound chat."""
    chats = _chats()
    found = conditions(audience_of(notice), notice.village_id, to_local(at).date())
    query = (
        select(col(Household.id))
        .outerjoin(chats, chats.c.household_id == Household.id)
        .where(and_(true(), *found))
    )
    return query, chats


@dataclass(frozen=True)
class Preview:
    telegram: int
    sms: int
    unreachable: int  # neither a bound chat nor a phone
    opted_out: int
    sms_parts: int  # segments of one SMS copy
    sms_encoding: str
    sms_text: str
    telegram_text: str
    cost_yuan: Decimal

    @property
    def recipients(self) -> int:
        return self.telegram + self.sms

    def describe(self, price: Decimal) -> str:
        """Reach, SMS parts and cost, then the SMS wording: what the committee confirms."""
        reach = text(
            "broadcast_preview",
            telegram=self.telegram,
            sms=self.sms,
            unreachable=self.unreachable,
            opted_out=self.opted_out,
            parts=self.sms_parts,
            chars=len(self.sms_text),
            encoding=text(f"sms_encoding_{self.sms_encoding}"),
            total_parts=self.sms * self.sms_parts,
            cost=self.cost_yuan,
            price=price,
        )
        return reach + "\n" + text("broadcast_preview_sms", body=self.sms_text)


async def preview(
    session: AsyncSession, notice: Notice, price: Decimal, now: datetime | None = None
) -> Preview:
    """Who would get the notice if it fired now, on which channel, at what SMS cost."""
    now = now or utcnow()
    query, chats = _audience(notice, now)
    has_chat = chats.c.chat_id.is_not(None)
    opted_out = col(Household.opted_out_at).is_not(None)
    has_phone = col(Household.phone).is_not(None)

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    totals = query.with_only_columns(
        count(opted_out),
        count(and_(~opted_out, has_chat)),
        count(and_(~opted_out, ~has_chat, has_phone)),
        count(and_(~opted_out, ~has_chat, ~has_phone)),
    )
    row = (await session.execute(totals)).one()
    opted, telegram, sms, unreachable = (int(v) for v in row)
    body = sms_text(notice)
    segments = count_segments(body)
    return Preview(
        telegram=telegram,
        sms=sms,
        unreachable=unreachable,
        opted_out=opted,
        sms_parts=segments.parts,
        sms_encoding=segments.encoding,
        sms_text=body,
        telegram_text=telegram_text(notice),
        cost_yuan=(price * sms * segments.parts).quantize(Decimal("0.01")),
    )


async def fire(
    session: AsyncSession, notice: Notice, occurs_at: datetime, now: datetime | None = None
) -> NoticeOccurrence | None:
    """Plan the notice's messages for one occurrence; None if it already fired then."""
    now = now or utcnow()
    insert = postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert
    occurrence_id = await session.scalar(
        insert(NoticeOccurrence)
        .values(notice_id=notice.id, occurs_at=occurs_at, recipients=0, created_at=now)
        .on_conflict_do_nothing(index_elements=["notice_id", "occurs_at"])
        .returning(col(NoticeOccurrence.id))
    )
    if occurrence_id is None:
        return None
    await _plan(session, notice, occurrence_id, now)
    occurrence = await session.get_one(NoticeOccurrence, occurrence_id)
    occurrence.recipients = int(
        await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.occurrence_id == occurrence_id)
        )
        or 0
    )
    return occurrence


async def _plan(session: AsyncSession, notice: Notice, occurrence_id: int, now: datetime) -> None:
    tg_body, sms_body = telegram_text(notice), sms_text(notice)
    sms_parts = count_segments(sms_body).parts
    query, chats = _audience(notice, now)
    has_chat = chats.c.chat_id.is_not(None)
    key = literal(f"notice:{notice.id}:{occurrence_id}:household:", String).concat(
        cast(Household.id, String)
    )
    rows = query.with_only_columns(
        key,
        case((has_chat, ChannelName.TELEGRAM.value), else_=ChannelName.SMS.value),
        func.coalesce(chats.c.chat_id, Household.phone),
        col(Household.id),
        literal(occurrence_id),
        literal(int(Priority.BULK)),
        case((has_chat, tg_body), else_=sms_body),
        case((has_chat, 1), else_=sms_parts),
        literal(MessageStatus.QUEUED.value),
        literal(0),
        literal(now),
        literal(now),
    ).where(
        col(Household.opted_out_at).is_(None),
        or_(has_chat, col(Household.phone).is_not(None)),
    )
    columns = [
        "idempotency_key",
        "channel",
        "address",
        "household_id",
        "occurrence_id",
        "priority",
        "body",
        "segments",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    await session.execute(insert_ignoring_duplicates(session).from_select(columns, rows))


async def send_now(
    session: AsyncSession, notice: Notice, now: datetime | None = None
) -> NoticeOccurrence:
    """Fire a notice at once (a draft, a dated one ahead of time, or one more time)."""
    now = now or utcnow()
    if notice.status == NoticeStatus.CANCELLED.value:
        raise DomainError("notice_cancelled", id=notice.id)
    occurrence = await fire(session, notice, now, now)
    if occurrence is None:  # the same instant twice: the clock did not move
        raise DomainError("notice_already_fired", id=notice.id)
    if notice.cron is None:
        notice.status = NoticeStatus.DONE.value
        notice.next_run_at = None
    return occurrence


async def fire_due(session: AsyncSession, now: datetime | None = None) -> list[NoticeOccurrence]:
    """Fire every notice whose time has come (the scheduler's sweep).

    A recurring notice missed while the service was down fires once for its
    latest missed instant, then waits for its next one.
    """
    now = now or utcnow()
    due = await session.scalars(
        select(Notice)
        .where(
            col(Notice.status) == NoticeStatus.SCHEDULED.value,
            col(Notice.next_run_at) <= now,
        )
        .order_by(col(Notice.next_run_at))
        .with_for_update(skip_locked=True)
    )
    fired: list[NoticeOccurrence] = []
    for notice in list(due):
        assert notice.next_run_at is not None
        occurs_at = notice.next_run_at
        if notice.cron is not None:
            while (upcoming := next_fire(notice.cron, occurs_at)) is not None and upcoming <= now:
                occurs_at = upcoming
            notice.next_run_at = next_fire(notice.cron, occurs_at)
        else:
            notice.status = NoticeStatus.DONE.value
            notice.next_run_at = None
        occurrence = await fire(session, notice, occurs_at, now)
        if occurrence is not None:
            fired.append(occurrence)
    return fired


async def occurrences_of(session: AsyncSession, notice: Notice) -> list[NoticeOccurrence]:
    return list(
        await session.scalars(
            select(NoticeOccurrence)
            .where(NoticeOccurrence.notice_id == notice.id)
            .order_by(col(NoticeOccurrence.occurs_at))
        )
    )


async def progress(session: AsyncSession, occurrence_ids: list[int]) -> dict[str, int]:
    """Messages of some occurrences by state (queued, sending, sent, delivered, …)."""
    counts = await status_counts(session, occurrence_ids=occurrence_ids)
    return {status.value: counts.get(status.value, 0) for status in MessageStatus}


async def held_for_quiet_hours(session: AsyncSession, occurrence_id: int) -> int:
    """SMS of an occurrence still queued: at night they wait for the quiet hours to end."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                col(OutboxMessage.occurrence_id) == occurrence_id,
                col(OutboxMessage.channel) == ChannelName.SMS.value,
                col(OutboxMessage.status) == MessageStatus.QUEUED.value,
            )
        )
        or 0
    )
