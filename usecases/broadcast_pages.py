"""Policy notices in the console: compose, preview the reach and cost, send, watch.

The rules (who may send, lengths, schedules no more than daily, who is reached
on which channel) are :mod:`outreach.notices`'s; the outbox worker of
the running service sends what a firing plans. These use cases turn the
compose form into an :class:`~outreach.audience.Audience` and a schedule,
and gather the figures the pages show. Only the 村两委 (and the county) use them.

Every use case takes a village, or None for the county-wide pages: a county
administrator writes one notice for every village (``Notice.village_id`` is
None), previews its reach summed over the villages, sends and watches it the
same way a village committee does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import SHANGHAI, local_text, to_local
from core.errors import DomainError, NotFound
from core.models import Role
from notifications.models import FINISHED, ChannelName, Notice, NoticeStatus, OutboxMessage
from notifications.quiet import QuietHours
from outreach import notices as broadcast
from outreach.audience import Audience
from usecases.exports import ROWS_LIMIT, Export, workbook
from usecases.principal import Principal, require_roles, village_for
from village.masking import mask_phone
from village.models import Household, HouseholdType, Village

LIST_LIMIT = 100  # notices on the list page, newest first
#: Who may open, compose and send notices (a county administrator always may).
SENDERS = (Role.COMMITTEE,)


class When(StrEnum):
    NOW = "now"  # a draft, sent from its page after the preview
    AT = "at"  # once, at a time
    YEARLY = "yearly"  # every year on that day and time


@dataclass(frozen=True)
class ComposeInput:
    title: str
    body: str
    household_types: tuple[str, ...]  # HouseholdType values
    with_elder: bool
    with_school_age_child: bool
    with_chronic_illness: bool
    households: str  # 户编号, separated by commas or spaces
    when: str  # a When value
    at: str  # 2026-09-01T09:00 (Beijing time), for AT and YEARLY


def audience_of(form: ComposeInput) -> Audience:
    types = []
    for value in form.household_types:
        try:
            types.append(HouseholdType(value))
        except ValueError:
            raise DomainError("audience_bad_type", value=value) from None
    numbers = form.households.replace("，", ",").replace(",", " ").split()
    return Audience(
        household_types=tuple(types),
        with_elder=form.with_elder,
        with_school_age_child=form.with_school_age_child,
        with_chronic_illness=form.with_chronic_illness,
        households=tuple(numbers),
    )


def _local_time(value: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%dT%H:%M").replace(tzinfo=SHANGHAI)
    except ValueError:
        raise DomainError("notice_bad_time", value=value) from None


def schedule_of(form: ComposeInput) -> tuple[datetime | None, str | None]:
    """(at, cron) for :func:`outreach.notices.create_notice`."""
    if form.when == When.AT:
        return _local_time(form.at), None
    if form.when == When.YEARLY:
        moment = _local_time(form.at)
        return None, f"{moment.minute} {moment.hour} {moment.day} {moment.month} *"
    return None, None


def cancellable(notice: Notice) -> bool:
    """While it may still go out (a draft, or a time or schedule ahead), it may be cancelled."""
    return notice.status in (NoticeStatus.DRAFT, NoticeStatus.SCHEDULED)


def schedule_text(notice: Notice) -> str:
    if notice.cron and notice.status == NoticeStatus.SCHEDULED:
        return text(
            "broadcast_schedule_cron", cron=notice.cron, next=local_text(notice.next_run_at)
        )
    if notice.next_run_at:
        return text("broadcast_schedule_at", at=local_text(notice.next_run_at))
    return text(f"broadcast_status_{notice.status}")


async def _place(
    session: AsyncSession, principal: Principal, village_id: int | None
) -> Village | None:
    """The village whose notices these are; None (every village) for a county administrator only."""
    if village_id is None:
        require_roles(principal, Role.COUNTY_ADMIN)
        return None
    return await village_for(session, principal, village_id, *SENDERS)


async def _notice(
    session: AsyncSession, principal: Principal, village_id: int | None, notice_id: int
) -> tuple[Village | None, Notice]:
    village = await _place(session, principal, village_id)
    found = await session.get(Notice, notice_id)
    if found is None or found.village_id != (village.id if village else None):
        raise NotFound("notice_not_found", id=notice_id)  # another village's, or the county's
    return village, await broadcast.get_notice(session, notice_id, await principal.staff(session))


@dataclass(frozen=True)
class Progress:
    total: int
    counts: dict[str, int]  # MessageStatus value → messages
    held: int  # SMS waiting for the quiet hours to end
    quiet: bool  # the quiet hours are on now

    @property
    def done(self) -> int:
        return sum(self.counts[s.value] for s in FINISHED)

    @property
    def settled(self) -> bool:
        """Nothing more will move now: all finished, or the rest waits for the morning."""
        return self.done >= self.total or (self.quiet and self.done + self.held >= self.total)

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total


async def _progress(
    session: AsyncSession, occurrence_ids: Sequence[int], quiet: QuietHours, now: datetime
) -> Progress:
    counts = await broadcast.progress(session, list(occurrence_ids))
    held = 0
    for occurrence_id in occurrence_ids:
        held += await broadcast.held_for_quiet_hours(session, occurrence_id)
    return Progress(sum(counts.values()), counts, held, quiet.active(now))


@dataclass(frozen=True)
class NoticeLine:
    notice: Notice
    audience: str
    schedule: str
    progress: Progress


@dataclass(frozen=True)
class BroadcastsView:
    village: Village | None  # None: the county-wide notices
    notices: list[NoticeLine]
    household_types: tuple[tuple[str, str], ...]  # (value, 中文)


async def _notices(session: AsyncSession, village: Village | None) -> list[Notice]:
    """The village's notices, or the county-wide ones (not every village's), newest first."""
    if village is not None:
        return (await broadcast.list_notices(session, village))[:LIST_LIMIT]
    county_wide = (
        select(Notice)
        .where(col(Notice.village_id).is_(None))
        .order_by(col(Notice.id).desc())
        .limit(LIST_LIMIT)
    )
    return list(await session.scalars(county_wide))


async def broadcasts_page(
    session: AsyncSession,
    principal: Principal,
    village_id: int | None,
    quiet: QuietHours,
    now: datetime,
) -> BroadcastsView:
    """The notices, newest first, with how their messages went; and the compose form."""
    village = await _place(session, principal, village_id)
    lines = []
    for notice in await _notices(session, village):
        ids = [o.id or 0 for o in await broadcast.occurrences_of(session, notice)]
        lines.append(
            NoticeLine(
                notice,
                broadcast.audience_of(notice).describe(),
                schedule_text(notice),
                await _progress(session, ids, quiet, now),
            )
        )
    types = tuple((kind.value, text(f"audience_type_{kind.value}")) for kind in HouseholdType)
    return BroadcastsView(village, lines, types)


async def compose_broadcast(
    session: AsyncSession,
    principal: Principal,
    village_id: int | None,
    form: ComposeInput,
    now: datetime,
) -> Notice:
    """Write the notice (a draft, or scheduled); sending is a separate step after the preview."""
    village = await _place(session, principal, village_id)
    at, cron = schedule_of(form)
    return await broadcast.create_notice(
        session,
        await principal.staff(session),
        village,
        form.title,
        form.body,
        audience_of(form),
        at=at,
        cron=cron,
        now=now,
    )


@dataclass(frozen=True)
class NoticeView:
    village: Village | None  # None: a county-wide notice
    notice: Notice
    audience: str
    schedule: str
    preview: broadcast.Preview | None  # while it may still be sent
    price: Decimal
    progress: Progress | None  # once it has fired
    sendable: bool
    cancellable: bool


async def notice_page(
    session: AsyncSession,
    principal: Principal,
    village_id: int | None,
    notice_id: int,
    price: Decimal,
    quiet: QuietHours,
    now: datetime,
) -> NoticeView:
    """One notice: the reach and SMS cost if it went now, and how its sending goes."""
    village, notice = await _notice(session, principal, village_id, notice_id)
    ids = [o.id or 0 for o in await broadcast.occurrences_of(session, notice)]
    sendable = notice.status in (NoticeStatus.DRAFT, NoticeStatus.SCHEDULED)
    return NoticeView(
        village=village,
        notice=notice,
        audience=broadcast.audience_of(notice).describe(),
        schedule=schedule_text(notice),
        preview=await broadcast.preview(session, notice, price, now) if sendable else None,
        price=price,
        progress=await _progress(session, ids, quiet, now) if ids else None,
        sendable=sendable,
        cancellable=cancellable(notice),
    )


async def notice_progress(
    session: AsyncSession,
    principal: Principal,
    village_id: int | None,
    notice_id: int,
    quiet: QuietHours,
    now: datetime,
) -> Progress:
    """How the notice's messages stand now (the page polls this while they move)."""
    _, notice = await _notice(session, principal, village_id, notice_id)
    ids = [o.id or 0 for o in await broadcast.occurrences_of(session, notice)]
    return await _progress(session, ids, quiet, now)


async def send_broadcast(
    session: AsyncSession,
    principal: Principal,
    village_id: int | None,
    notice_id: int,
    now: datetime,
) -> str:
    """Fire the notice now: one outbox message per household reached; the service sends them."""
    _, notice = await _notice(session, principal, village_id, notice_id)
    occurrence = await broadcast.send_now(session, notice, now)
    return text("broadcast_fired", id=notice.id, count=occurrence.recipients)


async def cancel_broadcast(
    session: AsyncSession, principal: Principal, village_id: int | None, notice_id: int
) -> str:
    """Stop a notice that has not gone out for good: no further firing, queued messages void.

    A notice already cancelled (a second click) or sent once and for all is
    left as it is, and the refusal says why.
    """
    _, notice = await _notice(session, principal, village_id, notice_id)
    if notice.status == NoticeStatus.CANCELLED:
        raise DomainError("notice_cancelled", id=notice.id)
    if not cancellable(notice):
        raise DomainError("console_outreach_notice_finished", id=notice.id)
    count = await broadcast.cancel_notice(session, notice, await principal.staff(session))
    return text("broadcast_cancelled", id=notice.id, count=count)


def _address(channel: str, address: str) -> str:
    return (
        mask_phone(address)
        if channel == ChannelName.SMS.value
        else text("console_broadcast_telegram_chat")
    )


async def broadcast_export(
    session: AsyncSession,
    principal: Principal,
    village_id: int | None,
    notice_id: int,
    now: datetime,
) -> Export:
    """Delivery per household of every firing of the notice (phones masked)."""
    village, notice = await _notice(session, principal, village_id, notice_id)
    ids = [o.id or 0 for o in await broadcast.occurrences_of(session, notice)]
    found = await session.execute(
        select(OutboxMessage, Household.number, Household.head_name)
        .join(Household, col(Household.id) == col(OutboxMessage.household_id))
        .where(col(OutboxMessage.occurrence_id).in_(ids))
        .order_by(col(OutboxMessage.occurrence_id), col(Household.number))
        .limit(ROWS_LIMIT)
    )
    rows = [
        (
            local_text(message.created_at),
            number,
            head,
            text(f"console_broadcast_channel_{message.channel}"),
            _address(message.channel, message.address),
            text(f"status_{message.status}"),
            local_text(message.finished_at) if message.finished_at else "",
        )
        for message, number, head in found
    ]
    columns = ("fired", "number", "head", "channel", "address", "status", "finished")
    headers = [text(f"console_broadcast_col_{c}") for c in columns]
    content = workbook(text("console_broadcast_sheet"), headers, rows)
    filename = text(
        "console_broadcast_filename",
        village=village.name if village else text("console_outreach_county"),
        id=notice.id,
        day=to_local(now).date().isoformat(),
    )
    return Export(filename, content)
