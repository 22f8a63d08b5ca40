"""Tables of the outreach engine: notices, their occurrences, the outbox, inbound texts.

The outbox is the one road out: every message to a person (a broadcast, a
confirmation code, a reply) is a row here first, so a crash never loses one, and
its ``idempotency_key`` (campaign, recipient, occurrence) is unique, so planning
twice never queues one twice.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum, StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.clock import utcnow
from core.models import created_at_field


class ChannelName(StrEnum):
    TELEGRAM = "telegram"
    SMS = "sms"


class MessageStatus(StrEnum):
    QUEUED = "queued"  # waiting for its turn (or its next attempt)
    SENDING = "sending"  # handed to the provider; the answer is not recorded yet
    SENT = "sent"  # the provider took it (its id is in provider_id)
    DELIVERED = "delivered"  # the provider's receipt says it reached the phone
    FAILED = "failed"  # given up: a permanent error, or attempts exhausted
    UNKNOWN = "unknown"  # the sender died mid-send and the provider cannot be asked
    CANCELLED = "cancelled"  # no longer wanted (the household opted out before it went)


FINISHED = (
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.FAILED,
    MessageStatus.UNKNOWN,
    MessageStatus.CANCELLED,
)


class Priority(IntEnum):
    """Lower goes first: one person's code or reply never waits behind a broadcast."""

    PERSONAL = 0
    REMINDER = 5
    BULK = 10


class NoticeStatus(StrEnum):
    DRAFT = "draft"  # written, not scheduled
    SCHEDULED = "scheduled"  # waiting for next_run_at
    DONE = "done"  # a one-off notice that has fired
    CANCELLED = "cancelled"


class Notice(SQLModel, table=True):
    """A policy notice (政策宣传): written once, sent to a segment on a schedule.

    ``cron`` is a five-field crontab read in Asia/Shanghai (e.g. ``0 9 1 9 *``:
    every 1 September at 09:00); ``next_run_at`` (UTC) is when the scheduler
    fires it next, so the definition survives any restart.
    """

    __tablename__ = "notice"

    id: int | None = Field(default=None, primary_key=True)
    village_id: int | None = Field(default=None, foreign_key="village.id", index=True)
    title: str = Field(max_length=100)
    body: str
    audience: str = Field(default="{}")  # outreach.audience.Audience as JSON
    cron: str | None = Field(default=None, max_length=100)
    next_run_at: datetime | None = Field(default=None, index=True)
    status: str = Field(default=NoticeStatus.DRAFT.value, max_length=20)
    created_by: int = Field(foreign_key="staff_member.id")
    created_at: datetime = created_at_field()


class NoticeOccurrence(SQLModel, table=True):
    """One firing of a notice; unique per instant, so two schedulers fire it once."""

    __tablename__ = "notice_occurrence"
    __table_args__ = (UniqueConstraint("notice_id", "occurs_at"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    occurs_at: datetime
    recipients: int = 0
    created_at: datetime = created_at_field()


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "channel", "status", "priority", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    channel: str = Field(max_length=20)
    address: str = Field(max_length=64)  # a Telegram chat id or an E.164 phone number
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_member.id")
    occurrence_id: int | None = Field(default=None, foreign_key="notice_occurrence.id", index=True)
    priority: int = Field(default=Priority.PERSONAL.value)
    body: str
    buttons: str | None = None  # JSON [[label, callback data], …]: inline buttons on Telegram
    segments: int = 1  # SMS parts (1 for Telegram)
    status: str = Field(default=MessageStatus.QUEUED.value, max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_until: datetime | None = None
    provider_id: str | None = Field(default=None, max_length=100, index=True)
    last_error: str | None = Field(default=None, max_length=500)
    fallback_of: int | None = Field(default=None, foreign_key="outbox_message.id")
    created_at: datetime = created_at_field()
    sent_at: datetime | None = None
    finished_at: datetime | None = None


class DeliveryReceipt(SQLModel, table=True):
    """A delivery receipt whose message is not (yet) recorded as sent.

    An SMSC may answer DELIVRD before our "sent" commits, and a crash can leave a
    sent message without its record: the receipt waits here, keyed by the
    provider's id, and is applied when a message with that id is recorded sent
    (see :func:`notifications.outbox.record_sent`).
    """

    __tablename__ = "delivery_receipt"

    channel: str = Field(primary_key=True, max_length=20)
    provider_id: str = Field(primary_key=True, max_length=100)
    delivered: bool
    status: str = Field(max_length=100)  # the provider's own word: DELIVRD, UNDELIV, …
    received_at: datetime = created_at_field()


class InboundMessage(SQLModel, table=True):
    """A text a person sent us (SMS or chat), kept before it is answered."""

    __tablename__ = "inbound_message"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    sender: str = Field(max_length=64)
    body: str
    provider_id: str | None = Field(default=None, max_length=100)
    household_id: int | None = Field(default=None, foreign_key="household.id", index=True)
    created_at: datetime = created_at_field()


class OptOutEvent(SQLModel, table=True):
    """Each 退订 / 订阅 a household sent, as the record the issue asks for."""

    __tablename__ = "opt_out_event"

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    opted_out: bool
    channel: str = Field(max_length=20)
    keyword: str = Field(max_length=20)
    created_at: datetime = created_at_field()


class SenderLease(SQLModel, table=True):
    """On SQLite, who sends on a channel (PostgreSQL uses an advisory lock instead)."""

    __tablename__ = "sender_lease"

    channel: str = Field(primary_key=True, max_length=20)
    holder: str = Field(max_length=100)
    expires_at: datetime


class ReminderStatus(StrEnum):
    PENDING = "pending"  # planned; waits for its send_on day
    SENT = "sent"  # queued in the outbox (its message_key says which message)
    CLEARED = "cleared"  # its reason had gone by then (the visit was logged, the money paid)
    EXPIRED = "expired"  # the sweep did not run in time, and a later reminder took over
    UNREACHABLE = "unreachable"  # the person has neither a bound chat nor a phone


class Reminder(SQLModel, table=True):
    """One planned alert: rule, person, occurrence; a row, never a scheduler job.

    ``key`` is ``rule:person:occurrence`` and unique, so a sweep run twice, on two
    processes or after a crash plans and sends it once. The daily sweep plans
    the reminders of an occurrence when its first one is due and sends (or
    clears) each on its ``send_on`` day.
    """

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_due", "status", "send_on"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    rule: str = Field(max_length=32)
    village_id: int = Field(foreign_key="village.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_member.id")
    supporter_id: int | None = Field(default=None, foreign_key="supporter.id")
    household_id: int | None = Field(default=None, foreign_key="household.id")
    pledge_id: int | None = Field(default=None, foreign_key="pledge.id")
    occurs_on: date  # the due date (of a visit, of a pledge period) or the report's date
    send_on: date  # the Shanghai day it goes out
    status: str = Field(default=ReminderStatus.PENDING.value, max_length=12)
    message_key: str | None = Field(default=None, max_length=160)  # the outbox message it went in
    created_at: datetime = created_at_field()
    done_at: datetime | None = None
