"""The daily reminder sweep: plan reminders as rows, then send or clear the ones due today.

Each family of rules (home visits, 孝善 pledges) says which reminders it wants
as of today (:class:`Due`): one per rule, person and occasion, with the day it
goes out. The sweep, for one village at a time and in one transaction:

1. plans every reminder of an occasion once its first one is due (a row per
   ``key``; planning again changes nothing), skipping a reminder that a later
   one of the same occasion already supersedes;
2. takes the village's pending rows due by today: a row the rules no longer
   want (the visit was logged, the money paid, the helper changed) is recorded
   as cleared; a row a later one of its occasion has overtaken, or more than
   ``reminder_grace_days`` late, as expired; the rest are sent, one message per
   person and rule, through the outbox.

The village's row is locked first, so two processes sweeping at once take
turns and the second finds nothing left to do; the unique ``key`` and the
outbox's idempotency key make a re-run after a crash send nothing twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import local_today, utcnow
from core.db import Database
from core.models import Role
from core.settings import Settings
from notifications.models import Priority, Reminder, ReminderStatus
from notifications.outbox import Letter, Person, dialect_of, tell_many
from village.models import StaffMember, Supporter, Village

log = logging.getLogger("xiangxin.reminders")
BATCH = 500
LINES = 8  # people or households named in one message; the rest are counted
M = TypeVar("M", StaffMember, Supporter)
REMINDER_TABLE = Reminder.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Due:
    """A reminder the rules want: ``key`` is rule, person and occasion.

    Reminders with the same ``occasion`` (and person) are steps of one thing,
    e.g. "due in 3 days" and "due today" for one visit: once a later step is
    due, an earlier unsent one is not sent any more.
    """

    rule: str
    occasion: str
    send_on: date
    occurs_on: date
    staff_id: int | None = None
    supporter_id: int | None = None
    household_id: int | None = None
    pledge_id: int | None = None

    @property
    def person(self) -> str:
        return f"s{self.staff_id}" if self.staff_id is not None else f"p{self.supporter_id}"

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.person}:{self.occasion}"

    @property
    def thread(self) -> str:
        return f"{self.person}:{self.occasion}"


@dataclass(frozen=True)
class Pending:
    """A planned reminder as the sweep reads it back (a plain row, not an ORM object)."""

    id: int
    key: str
    rule: str
    staff_id: int | None
    supporter_id: int | None
    household_id: int | None
    pledge_id: int | None
    occurs_on: date
    send_on: date


PENDING_COLUMNS = tuple(getattr(Reminder, name) for name in Pending.__dataclass_fields__)

Batch = tuple[str, str]  # (rule, person): the reminders that go out as one message


class Family(Protocol):
    """A set of reminder rules: what is due as of ``today``, and how its messages read."""

    async def due(self, session: AsyncSession, village: Village, today: date) -> list[Due]: ...

    async def render(
        self,
        session: AsyncSession,
        village: Village,
        batches: Mapping[Batch, Sequence[Pending]],
        today: date,
    ) -> dict[Batch, str]:
        """The message of each batch whose rule is one of this family's (others are skipped)."""
        ...


@dataclass
class SweepResult:
    planned: int = 0
    sent: int = 0
    cleared: int = 0
    expired: int = 0
    unreachable: int = 0
    messages: int = 0
    villages: int = 0
    by_rule: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: SweepResult) -> None:
        for name in ("planned", "sent", "cleared", "expired", "unreachable", "messages"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.villages += 1
        for rule, count in other.by_rule.items():
            self.by_rule[rule] += count


def to_plan(dues: Iterable[Due], today: date, grace: int) -> list[Due]:
    """The reminders to plan today.

    An occasion is (re)planned while its latest step due by today is at most
    ``grace`` days old, so each sweep inserts only what is new (older occasions
    were planned by an earlier sweep, and a first sweep on an old backlog does
    not flood people with it). Of one person's steps already due, only the latest
    is planned; the steps still ahead are planned with it.
    """
    wanted = list(dues)
    anchor: dict[str, date] = {}
    latest: dict[str, date] = {}
    for due in wanted:
        if due.send_on <= today:
            anchor[due.occasion] = max(anchor.get(due.occasion, date.min), due.send_on)
            latest[due.thread] = max(latest.get(due.thread, date.min), due.send_on)
    return [
        d
        for d in wanted
        if d.occasion in anchor
        and (today - anchor[d.occasion]).days <= grace
        and (d.send_on > today or d.send_on == latest[d.thread])
    ]


async def _insert_planned(session: AsyncSession, dues: list[Due], village_id: int) -> int:
    if not dues:
        return 0
    insert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
    moment = utcnow()
    planned = 0
    rows = [
        {
            "key": d.key,
            "rule": d.rule,
            "village_id": village_id,
            "staff_id": d.staff_id,
            "supporter_id": d.supporter_id,
            "household_id": d.household_id,
            "pledge_id": d.pledge_id,
            "occurs_on": d.occurs_on,
            "send_on": d.send_on,
            "status": ReminderStatus.PENDING.value,
            "created_at": moment,
        }
        for d in dues
    ]
    statement = (
        insert(REMINDER_TABLE)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(REMINDER_TABLE.c.id)
    )
    for start in range(0, len(rows), BATCH):
        planned += len((await session.execute(statement, rows[start : start + BATCH])).all())
    return planned


async def _set_status(
    session: AsyncSession, ids: list[int], status: ReminderStatus, now: datetime, **extra: str
) -> None:
    for start in range(0, len(ids), BATCH):
        await session.execute(
            update(Reminder)
            .where(col(Reminder.id).in_(ids[start : start + BATCH]))
            .where(col(Reminder.status) == ReminderStatus.PENDING.value)
            .values(status=status.value, done_at=now, **extra)
        )


@dataclass(frozen=True)
class Decision:
    send: list[Pending]
    cleared: list[Pending]
    expired: list[Pending]


def decide(pending: Sequence[Pending], wanted: dict[str, Due], today: date, grace: int) -> Decision:
    """Sort the due pending rows into send, cleared (reason gone) and expired (overtaken, late).

    A row more than ``grace`` days late is expired whatever its reason, so the
    rules need to keep an occasion wanted only until its last step is that late.
    """
    expired = [r for r in pending if (today - r.send_on).days > grace]
    timely = [r for r in pending if (today - r.send_on).days <= grace]
    live = [r for r in timely if r.key in wanted]
    cleared = [r for r in timely if r.key not in wanted]
    latest: dict[str, date] = {}
    for row in live:
        thread = wanted[row.key].thread
        latest[thread] = max(latest.get(thread, date.min), row.send_on)
    send: list[Pending] = []
    for row in live:
        overtaken = row.send_on < latest[wanted[row.key].thread]
        (expired if overtaken else send).append(row)
    return Decision(send, cleared, expired)


async def _lock_village(session: AsyncSession, village_id: int) -> None:
    """Two sweeps of one village take turns (PostgreSQL; SQLite writers already do)."""
    await session.execute(select(Village.id).where(Village.id == village_id).with_for_update())


async def by_ids(session: AsyncSession, model: type[M], ids: Iterable[int | None]) -> list[M]:
    """Rows of ``model`` with the given ids, in chunks of :data:`BATCH`."""
    ordered = sorted({i for i in ids if i is not None})
    found: list[M] = []
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        found += await session.scalars(select(model).where(col(model.id).in_(chunk)))
    return found


async def columns_by_id(
    session: AsyncSession, model: Any, ids: Iterable[int | None], *names: str
) -> dict[int, Any]:
    """Some columns of ``model``'s rows with these ids, as plain rows (``row.name``).

    The sweep names thousands of people and households; plain rows cost a
    fraction of ORM objects.
    """
    ordered = sorted({i for i in ids if i is not None})
    id_column = model.id
    columns = [getattr(model, name) for name in names]
    found: dict[int, Any] = {}
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start : start + BATCH]
        rows = await session.execute(sa_select(id_column, *columns).where(id_column.in_(chunk)))
        found.update({row[0]: row for row in rows})
    return found


async def committee_ids(session: AsyncSession, village_id: int, role: Role) -> list[int]:
    """The active staff of the village in ``role``: who hears a family's summaries."""
    return [
        i
        for i in await session.scalars(
            select(StaffMember.id)
            .where(StaffMember.village_id == village_id)
            .where(StaffMember.role == role.value)
            .where(col(StaffMember.active))
            .order_by(col(StaffMember.id))
        )
        if i is not None
    ]


async def _people(session: AsyncSession, rows: Sequence[Pending]) -> dict[str, Person]:
    """The recipients of ``rows`` by person key (``s12`` staff, ``p7`` supporter)."""
    found: dict[str, Person] = {}
    for staff in await by_ids(session, StaffMember, (r.staff_id for r in rows)):
        found[f"s{staff.id}"] = staff
    for supporter in await by_ids(session, Supporter, (r.supporter_id for r in rows)):
        found[f"p{supporter.id}"] = supporter
    return found


def _person_of(row: Pending) -> str:
    return f"s{row.staff_id}" if row.staff_id is not None else f"p{row.supporter_id}"


async def _deliver(
    session: AsyncSession,
    village: Village,
    families: Sequence[Family],
    rows: list[Pending],
    today: date,
    now: datetime,
    result: SweepResult,
) -> None:
    """One message per person and rule, queued together; the rows are marked sent or unreachable."""
    batches: dict[Batch, list[Pending]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.occurs_on, r.id or 0)):
        batches[(row.rule, _person_of(row))].append(row)
    bodies: dict[Batch, str] = {}
    for family in families:
        bodies |= await family.render(session, village, batches, today)
    people = await _people(session, rows)
    keys = {
        batch: f"reminder:{batch[0]}:{batch[1]}:{today.isoformat()}:{min(r.id or 0 for r in batch_rows)}"
        for batch, batch_rows in batches.items()
    }
    letters = [
        Letter(keys[batch], bodies[batch], people[batch[1]])
        for batch in batches
        if bodies.get(batch) and batch[1] in people
    ]
    queued = await tell_many(session, letters, priority=Priority.REMINDER, now=now)
    sent: list[dict[str, object]] = []
    unreachable: list[int] = []
    for batch, batch_rows in batches.items():
        ids = [r.id for r in batch_rows if r.id is not None]
        if keys[batch] in queued:
            sent += [{"row": i, "message": keys[batch]} for i in ids]
            result.messages += 1
            result.by_rule[batch[0]] += len(ids)
        else:
            unreachable += ids
    if sent:
        await session.execute(
            update(REMINDER_TABLE)
            .where(REMINDER_TABLE.c.id == bindparam("row"))
            .where(REMINDER_TABLE.c.status == ReminderStatus.PENDING.value)
            .values(
                status=ReminderStatus.SENT.value, done_at=now, message_key=bindparam("message")
            ),
            sent,
        )
    await _set_status(session, unreachable, ReminderStatus.UNREACHABLE, now)
    result.sent += len(sent)
    result.unreachable += len(unreachable)


async def sweep_village(
    session: AsyncSession,
    village: Village,
    families: Sequence[Family],
    settings: Settings,
    now: datetime,
) -> SweepResult:
    """Plan, clear and send one village's reminders for the Shanghai day of ``now``."""
    assert village.id is not None
    await _lock_village(session, village.id)
    today = local_today(now)
    wanted: dict[str, Due] = {}
    for family in families:
        for due in await family.due(session, village, today):
            wanted[due.key] = due
    result = SweepResult()
    result.planned = await _insert_planned(
        session, to_plan(wanted.values(), today, settings.reminder_grace_days), village.id
    )
    found = await session.execute(
        select(*PENDING_COLUMNS)
        .where(Reminder.village_id == village.id)
        .where(Reminder.status == ReminderStatus.PENDING.value)
        .where(col(Reminder.send_on) <= today)
    )
    pending = [Pending(*row) for row in found]
    decision = decide(pending, wanted, today, settings.reminder_grace_days)
    await _set_status(
        session, [r.id for r in decision.cleared if r.id], ReminderStatus.CLEARED, now
    )
    await _set_status(
        session, [r.id for r in decision.expired if r.id], ReminderStatus.EXPIRED, now
    )
    result.cleared, result.expired = len(decision.cleared), len(decision.expired)
    await _deliver(session, village, families, decision.send, today, now, result)
    return result


async def sweep_villages(
    database: Database,
    settings: Settings,
    families: Sequence[Family],
    now: datetime | None = None,
) -> SweepResult:
    """The daily sweep of ``families`` over every village, each in its own transaction.

    The families are the domain packages' rules (:mod:`notifications.jobs` names
    them), so the engine never imports the packages that build on it.
    """
    moment = now or utcnow()
    async with database.session() as session:
        village_ids = list(await session.scalars(select(Village.id).order_by(col(Village.id))))
    total = SweepResult()
    for village_id in village_ids:
        async with database.transaction() as session:
            village = await session.get(Village, village_id)
            if village is None:  # pragma: no cover - deleted meanwhile
                continue
            total.add(await sweep_village(session, village, families, settings, moment))
    log.info(
        text(
            "reminders_swept",
            date=local_today(moment).isoformat(),
            sent=total.sent,
            messages=total.messages,
            cleared=total.cleared,
            expired=total.expired,
            unreachable=total.unreachable,
        )
    )
    return total
