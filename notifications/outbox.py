"""The durable outbox: queue a message, claim it, record what the provider said.

A message moves queued → sending → sent → delivered, or to failed / unknown.
Exactly-once rests on three rules:

- its ``idempotency_key`` is unique, so queueing the same (campaign, recipient,
  occurrence) twice keeps one row;
- a worker may send only after it has moved the row from queued to sending *in
  a committed transaction* under its own claim, so two workers never both
  send it;
- a row found in ``sending`` after its worker died is looked up at the provider
  (:meth:`Channel.lookup`); when the provider cannot tell, it is held as
  ``unknown`` for a person to decide, never sent a second time by guess.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from tenacity import RetryCallState, wait_exponential_jitter

from core.clock import utcnow
from notifications.delivery import Buttons, DeliveryError, Lookup, Outcome
from notifications.models import (
    ChannelName,
    DeliveryReceipt,
    MessageStatus,
    NoticeOccurrence,
    OutboxMessage,
    Priority,
)
from notifications.notice_text import sms_body_for_occurrence
from notifications.sms.segments import count_segments
from village.models import ChatBinding, Household, StaffMember, Supporter

MAX_ATTEMPTS = 6
CHUNK = 500  # rows per statement (bound parameters stay under the limits)
RECEIPT_KEEP = timedelta(days=7)  # an unmatched receipt is kept this long
RECEIPT_LOCK_SPACE = 0x78786E  # first key of the receipt advisory locks ("xxn")
#: ``last_error`` of a message whose sender died mid-send and the provider cannot tell.
INTERRUPTED = "interrupted"
_BACKOFF = wait_exponential_jitter(multiplier=5, max=1800, exp_base=2, jitter=5)


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with jitter after ``attempts`` failed tries (tenacity's curve)."""
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = max(1, attempts)
    return timedelta(seconds=_BACKOFF(state))


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert_ignoring_duplicates(session: AsyncSession) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` on the outbox, for the session's dialect."""
    insert = postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert
    return insert(OutboxMessage).on_conflict_do_nothing(index_elements=["idempotency_key"])


def buttons_of(message: OutboxMessage) -> Buttons:
    if not message.buttons:
        return ()
    return tuple((str(label), str(data)) for label, data in json.loads(message.buttons))


Person = Household | StaffMember | Supporter
_PERSON_COLUMN = {Household: "household_id", StaffMember: "staff_id", Supporter: "supporter_id"}


@dataclass(frozen=True)
class Letter:
    """One message for one person, for :func:`tell_many`."""

    key: str
    body: str
    to: Person
    buttons: Buttons = ()


async def telegram_chats(
    session: AsyncSession, people: Sequence[Person]
) -> dict[tuple[str, int], str]:
    """The bound chat of each person who has one, keyed by (column, id); the newest wins."""
    wanted: dict[str, set[int]] = {}
    for person in people:
        if person.id is not None:
            wanted.setdefault(_PERSON_COLUMN[type(person)], set()).add(person.id)
    chats: dict[tuple[str, int], str] = {}
    for column, ids in wanted.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            rows = await session.execute(
                select(getattr(ChatBinding, column), ChatBinding.chat_id)
                .where(col(ChatBinding.active))
                .where(getattr(ChatBinding, column).in_(ordered[start : start + CHUNK]))
                .order_by(col(ChatBinding.id))
            )
            chats.update({(column, person_id): chat for person_id, chat in rows})
    return chats


async def tell(
    session: AsyncSession,
    key: str,
    body: str,
    *,
    household: Household | None = None,
    staff: StaffMember | None = None,
    supporter: Supporter | None = None,
    priority: Priority = Priority.PERSONAL,
    buttons: Buttons = (),
    now: datetime | None = None,
) -> bool:
    """Queue ``body`` for one person: Telegram when bound, else SMS to their phone.

    Returns False when the person cannot be reached at all (no chat, no phone).
    Queuing the same ``key`` twice keeps the first message. ``buttons`` show on
    Telegram only, so ``body`` must also say how to answer by text. A supporter
    (孝善 pledge) is addressed by chat or phone only; the outbox row names no
    household or staff member for them.
    """
    person = household or staff or supporter
    if person is None:
        return False
    letter = Letter(key, body, person, buttons)
    return bool(await tell_many(session, [letter], priority=priority, now=now))


async def tell_many(
    session: AsyncSession,
    letters: Sequence[Letter],
    *,
    priority: Priority = Priority.PERSONAL,
    now: datetime | None = None,
) -> set[str]:
    """:func:`tell` for many people at once: one lookup of their chats, batched inserts.

    Returns the keys of the letters that were queued (or already were): those
    whose person has a bound chat or a phone.
    """
    moment = now or utcnow()
    chats = await telegram_chats(session, [letter.to for letter in letters])
    rows: list[dict[str, Any]] = []
    for letter in letters:
        person = letter.to
        column = _PERSON_COLUMN[type(person)]
        chat = chats.get((column, person.id or 0))
        if chat is not None:
            channel, address = ChannelName.TELEGRAM, chat
        elif person.phone:
            channel, address = ChannelName.SMS, person.phone
        else:
            continue
        rows.append(
            message_row(
                key=letter.key,
                channel=channel,
                address=address,
                body=letter.body,
                priority=priority,
                household_id=person.id if isinstance(person, Household) else None,
                staff_id=person.id if isinstance(person, StaffMember) else None,
                buttons=letter.buttons,
                now=moment,
            )
        )
    for start in range(0, len(rows), CHUNK):  # one compiled statement, many parameter sets
        await session.execute(insert_ignoring_duplicates(session), rows[start : start + CHUNK])
    return {row["idempotency_key"] for row in rows}


def message_row(
    *,
    key: str,
    channel: ChannelName,
    address: str,
    body: str,
    priority: Priority = Priority.PERSONAL,
    household_id: int | None = None,
    staff_id: int | None = None,
    occurrence_id: int | None = None,
    fallback_of: int | None = None,
    buttons: Buttons = (),
    now: datetime,
) -> dict[str, Any]:
    """The outbox row of one queued message."""
    return {
        "idempotency_key": key,
        "channel": channel.value,
        "address": address,
        "household_id": household_id,
        "staff_id": staff_id,
        "occurrence_id": occurrence_id,
        "priority": int(priority),
        "body": body,
        "buttons": json.dumps(buttons, ensure_ascii=False)
        if buttons and channel is ChannelName.TELEGRAM
        else None,
        "segments": count_segments(body).parts if channel is ChannelName.SMS else 1,
        "status": MessageStatus.QUEUED.value,
        "attempts": 0,
        "next_attempt_at": now,
        "fallback_of": fallback_of,
        "created_at": now,
    }


async def queue(
    session: AsyncSession,
    *,
    key: str,
    channel: ChannelName,
    address: str,
    body: str,
    priority: Priority = Priority.PERSONAL,
    household_id: int | None = None,
    staff_id: int | None = None,
    occurrence_id: int | None = None,
    fallback_of: int | None = None,
    buttons: Buttons = (),
    now: datetime | None = None,
) -> None:
    """Put one message in the outbox unless its ``key`` is already there."""
    row = message_row(
        key=key,
        channel=channel,
        address=address,
        body=body,
        priority=priority,
        household_id=household_id,
        staff_id=staff_id,
        occurrence_id=occurrence_id,
        fallback_of=fallback_of,
        buttons=buttons,
        now=now or utcnow(),
    )
    await session.execute(insert_ignoring_duplicates(session).values(row))


async def claim(
    session: AsyncSession,
    channel: str,
    worker: str,
    limit: int,
    *,
    lease: timedelta,
    now: datetime | None = None,
    personal_only: bool = False,
) -> list[OutboxMessage]:
    """Reserve up to ``limit`` due messages for ``worker``, most urgent first.

    ``SKIP LOCKED`` lets several workers claim side by side on PostgreSQL; on
    SQLite the write transaction itself (BEGIN IMMEDIATE) keeps claims apart.
    Claiming does not send: :func:`start_sending` does, one message at a time.
    """
    now = now or utcnow()
    query = (
        select(OutboxMessage)
        .where(
            col(OutboxMessage.channel) == channel,
            col(OutboxMessage.status) == MessageStatus.QUEUED.value,
            col(OutboxMessage.next_attempt_at) <= now,
            or_(
                col(OutboxMessage.claimed_until).is_(None),
                col(OutboxMessage.claimed_until) < now,
            ),
        )
        .order_by(
            col(OutboxMessage.priority),
            col(OutboxMessage.next_attempt_at),
            col(OutboxMessage.id),
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if personal_only:
        query = query.where(col(OutboxMessage.priority) == Priority.PERSONAL.value)
    messages = list(await session.scalars(query))
    if messages:
        await session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_([m.id for m in messages]))
            .values(claimed_by=worker, claimed_until=now + lease)
        )
        for message in messages:
            message.claimed_by = worker
    return messages


async def start_sending(session: AsyncSession, message_id: int, worker: str) -> bool:
    """Mark one claimed message as being sent; False if the claim was taken away."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            col(OutboxMessage.claimed_by) == worker,
            col(OutboxMessage.status) == MessageStatus.QUEUED.value,
        )
        .values(status=MessageStatus.SENDING.value, attempts=OutboxMessage.attempts + 1)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


ONE_TIME_CODE_KEY = "otp:"  # key prefix of messages that carry a one-time code
CODE_MASK = "●●●●●●"
_SIX_DIGITS = re.compile(r"(?<!\d)\d{6}(?!\d)")


def mask_codes(body: str) -> str:
    """The body with every standalone 6-digit number (the one-time code) masked."""
    return _SIX_DIGITS.sub(CODE_MASK, body)


async def record_sent(
    session: AsyncSession, message_id: int, provider_id: str, now: datetime | None = None
) -> None:
    """The provider took the message; a receipt that overtook this record is applied now.

    A message with an ``otp:`` key keeps its code masked once sent: the row no
    longer needs it, and a copy of the database must not hand it over while it
    is still valid. Until then (queued, retried, held as unknown, or copied to a
    fallback SMS) the body keeps it.
    """
    now = now or utcnow()
    if provider_id:
        await _lock_receipts_of(session, provider_id)
    sent = (
        await session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .returning(
                col(OutboxMessage.channel),
                col(OutboxMessage.idempotency_key),
                col(OutboxMessage.body),
            )
            .values(
                status=MessageStatus.SENT.value,
                provider_id=provider_id,
                sent_at=now,
                claimed_by=None,
                claimed_until=None,
                last_error=None,
            )
        )
    ).first()
    if sent is None:
        return
    channel, key, body = sent
    if provider_id:
        await apply_stored_receipts(session, channel, [provider_id], now)
    if key.startswith(ONE_TIME_CODE_KEY):
        await session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id)
            .values(body=mask_codes(body))
        )


async def record_failure(
    session: AsyncSession, message_id: int, error: DeliveryError, now: datetime | None = None
) -> OutboxMessage:
    """Retry a transient failure later; stop a permanent one and fall back to SMS."""
    now = now or utcnow()
    message = await session.get_one(OutboxMessage, message_id, with_for_update=True)
    message.last_error = error.reason[:500]
    message.claimed_by = None
    message.claimed_until = None
    if not error.counts and message.status == MessageStatus.SENDING.value:
        message.attempts -= 1  # throttled, or the link was down: not this message's fault
    if not error.permanent and (message.attempts < MAX_ATTEMPTS or not error.counts):
        # The provider's own "retry after" (Telegram's 429) is obeyed as given;
        # otherwise back off exponentially, with jitter.
        if error.retry_after is not None:
            wait = timedelta(seconds=error.retry_after)
        else:
            wait = backoff(message.attempts)
        message.status = MessageStatus.QUEUED.value
        message.next_attempt_at = now + wait
        return message
    message.status = MessageStatus.FAILED.value
    message.finished_at = now
    if error.permanent and message.channel == ChannelName.TELEGRAM.value:
        await _unbind_chat(session, message.address)
        await _fall_back_to_sms(session, message, now)
    return message


async def _unbind_chat(session: AsyncSession, chat_id: str) -> None:
    """A chat that blocked the bot is not tried again: the person gets SMS from now on."""
    await session.execute(
        update(ChatBinding).where(col(ChatBinding.chat_id) == chat_id).values(active=False)
    )


async def _fall_back_to_sms(session: AsyncSession, message: OutboxMessage, now: datetime) -> None:
    if message.household_id is None and message.staff_id is None:
        return
    phone: str | None
    if message.household_id is not None:
        phone = await session.scalar(
            select(Household.phone).where(Household.id == message.household_id)
        )
    else:
        phone = await session.scalar(
            select(StaffMember.phone).where(StaffMember.id == message.staff_id)
        )
    if not phone:
        return
    body = message.body
    if message.occurrence_id is not None:
        body = await sms_body_for_occurrence(session, message.occurrence_id)
    await queue(
        session,
        key=f"{message.idempotency_key}:sms",
        channel=ChannelName.SMS,
        address=phone,
        body=body,
        priority=Priority(message.priority),
        household_id=message.household_id,
        staff_id=message.staff_id,
        occurrence_id=message.occurrence_id,
        fallback_of=message.id,
        now=now,
    )


async def record_report(
    session: AsyncSession,
    channel: str,
    provider_id: str,
    delivered: bool,
    status: str,
    now: datetime | None = None,
) -> bool:
    """Apply a delivery receipt, or keep it until its message is recorded sent.

    Returns whether it was applied at once. Never waits for the message: the
    receipt is stored (a repeat of it is ignored) and :func:`record_sent` applies
    it, so a gateway's reader goes straight on to the next receipt or text.
    """
    now = now or utcnow()
    await _lock_receipts_of(session, provider_id)
    if await _apply_receipt(session, channel, provider_id, delivered, status, now):
        return True
    insert = postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert
    await session.execute(
        insert(DeliveryReceipt)
        .values(
            channel=channel,
            provider_id=provider_id,
            delivered=delivered,
            status=status[:100],
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
    )
    return False


async def apply_stored_receipts(
    session: AsyncSession,
    channel: str,
    provider_ids: Sequence[str] | None = None,
    now: datetime | None = None,
) -> int:
    """Apply kept receipts whose message is now known as sent; returns how many.

    :func:`record_sent` calls it for its one message, the new sender of a
    channel (:func:`take_over`) for everything a crash left behind.
    """
    now = now or utcnow()
    query = (
        select(DeliveryReceipt)
        .join(
            OutboxMessage,
            (col(OutboxMessage.channel) == col(DeliveryReceipt.channel))
            & (col(OutboxMessage.provider_id) == col(DeliveryReceipt.provider_id)),
        )
        .where(
            col(DeliveryReceipt.channel) == channel,
            col(OutboxMessage.status) == MessageStatus.SENT.value,
        )
    )
    if provider_ids is not None:
        query = query.where(col(DeliveryReceipt.provider_id).in_(provider_ids))
    applied = 0
    for receipt in list(await session.scalars(query)):
        await _apply_receipt(
            session, channel, receipt.provider_id, receipt.delivered, receipt.status, now
        )
        await session.delete(receipt)
        applied += 1
    await session.flush()
    return applied


async def _apply_receipt(
    session: AsyncSession,
    channel: str,
    provider_id: str,
    delivered: bool,
    status: str,
    now: datetime,
) -> bool:
    result = await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.channel) == channel,
            col(OutboxMessage.provider_id) == provider_id,
            col(OutboxMessage.status).in_(
                [MessageStatus.SENT.value, MessageStatus.DELIVERED.value]
            ),
        )
        .values(
            status=(MessageStatus.DELIVERED if delivered else MessageStatus.FAILED).value,
            last_error=None if delivered else status[:500],
            finished_at=now,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _lock_receipts_of(session: AsyncSession, provider_id: str) -> None:
    """Serialise a receipt with the "sent" record of the same provider id.

    Without it, on PostgreSQL a receipt could miss the message (not committed
    yet) while ``record_sent`` misses the receipt (not committed yet either).
    SQLite needs nothing: its write transactions already run one at a time.
    The two-key form keeps clear of the senders' one-key advisory locks.
    """
    if dialect_of(session) == "postgresql":
        await session.execute(
            select(func.pg_advisory_xact_lock(RECEIPT_LOCK_SPACE, func.hashtext(provider_id)))
        )


async def forget_old_receipts(
    session: AsyncSession, now: datetime | None = None, keep: timedelta = RECEIPT_KEEP
) -> int:
    """Receipts no message claimed for ``keep`` belong to nothing we sent."""
    result = await session.execute(
        delete(DeliveryReceipt).where(col(DeliveryReceipt.received_at) < (now or utcnow()) - keep)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def take_over(session: AsyncSession, channel: str, worker: str) -> list[OutboxMessage]:
    """The new sender of ``channel`` takes every claim; returns messages left mid-send.

    Called right after the channel's lock is won, when no other sender of the
    channel can be running.
    """
    await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.channel) == channel,
            col(OutboxMessage.status) == MessageStatus.QUEUED.value,
            col(OutboxMessage.claimed_by).is_not(None),
        )
        .values(claimed_by=None, claimed_until=None)
    )
    interrupted = await session.scalars(
        select(OutboxMessage).where(
            col(OutboxMessage.channel) == channel,
            col(OutboxMessage.status) == MessageStatus.SENDING.value,
        )
    )
    await apply_stored_receipts(session, channel)  # kept while the old sender was dying
    await forget_old_receipts(session)
    return list(interrupted)


async def settle_interrupted(
    session: AsyncSession, message_id: int, lookup: Lookup, now: datetime | None = None
) -> None:
    """Resolve a message its dead sender left in ``sending``, by what the provider said."""
    now = now or utcnow()
    if lookup.outcome is Outcome.SENT:
        await record_sent(session, message_id, lookup.provider_id or "", now)
        return
    values: dict[str, object] = {"claimed_by": None, "claimed_until": None}
    if lookup.outcome is Outcome.NOT_SENT:
        values |= {"status": MessageStatus.QUEUED.value, "next_attempt_at": now}
    else:
        values |= {
            "status": MessageStatus.UNKNOWN.value,
            "last_error": INTERRUPTED,
            "finished_at": now,
        }
    await session.execute(
        update(OutboxMessage).where(col(OutboxMessage.id) == message_id).values(**values)
    )


async def release(session: AsyncSession, worker: str) -> None:
    """Give back claims not yet sent (a clean shutdown)."""
    await session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.claimed_by) == worker,
            col(OutboxMessage.status) == MessageStatus.QUEUED.value,
        )
        .values(claimed_by=None, claimed_until=None)
    )


RESENDABLE = (MessageStatus.FAILED, MessageStatus.UNKNOWN)


async def problem_messages(session: AsyncSession, *, limit: int = 50) -> list[OutboxMessage]:
    """The latest failed and held messages, for a person to look at."""
    query = (
        select(OutboxMessage)
        .where(col(OutboxMessage.status).in_([status.value for status in RESENDABLE]))
        .order_by(col(OutboxMessage.id).desc())
        .limit(limit)
    )
    return list(await session.scalars(query))


async def resend_candidates(
    session: AsyncSession,
    *,
    statuses: Sequence[MessageStatus] = RESENDABLE,
    ids: Sequence[int] | None = None,
    notice_id: int | None = None,
) -> Counter[str]:
    """How many messages :func:`resend` would queue again, by status (for the operator to see).

    Only failed and held (unknown) messages qualify, never sent or delivered ones;
    a failed Telegram message whose SMS fallback was queued is left out, so
    nobody gets the same message twice.
    """
    query = _resend_selection(select(OutboxMessage.status, func.count()), statuses, ids, notice_id)
    rows = await session.execute(query.group_by(col(OutboxMessage.status)))
    return Counter({status: count for status, count in rows.all()})


async def resend(
    session: AsyncSession,
    *,
    statuses: Sequence[MessageStatus] = RESENDABLE,
    ids: Sequence[int] | None = None,
    notice_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """A person decided these failed or held messages should go (again): queue them.

    Each keeps its row and so its idempotency key; it starts with a fresh count
    of attempts and forgets the old provider id (a late receipt for the earlier
    try must not mark the new one).
    """
    chosen = _resend_selection(select(OutboxMessage.id), statuses, ids, notice_id)
    result = await session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(chosen.scalar_subquery()))
        .values(
            status=MessageStatus.QUEUED.value,
            attempts=0,
            next_attempt_at=now or utcnow(),
            claimed_by=None,
            claimed_until=None,
            provider_id=None,
            last_error=None,
            finished_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _resend_selection(
    query: Any,
    statuses: Sequence[MessageStatus],
    ids: Sequence[int] | None,
    notice_id: int | None,
) -> Any:
    fallback = aliased(OutboxMessage)
    query = query.where(
        col(OutboxMessage.status).in_([status.value for status in statuses]),
        ~exists().where(col(fallback.fallback_of) == col(OutboxMessage.id)),
    )
    if ids:
        query = query.where(col(OutboxMessage.id).in_(ids))
    if notice_id is not None:
        occurrences = select(NoticeOccurrence.id).where(NoticeOccurrence.notice_id == notice_id)
        query = query.where(col(OutboxMessage.occurrence_id).in_(occurrences))
    return query


async def resend_unknown(session: AsyncSession, ids: Sequence[int] | None = None) -> int:
    """Queue held ``unknown`` messages again (all of them, or those of ``ids``)."""
    return await resend(session, statuses=(MessageStatus.UNKNOWN,), ids=ids)


async def status_counts(
    session: AsyncSession, *, occurrence_ids: Sequence[int] | None = None
) -> Counter[str]:
    """How many messages are in each state (of some occurrences, or of everything)."""
    query = select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
    if occurrence_ids is not None:
        query = query.where(col(OutboxMessage.occurrence_id).in_(occurrence_ids))
    return Counter({status: count for status, count in (await session.execute(query)).all()})
