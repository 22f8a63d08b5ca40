"""The points ledger: an append-only journal with a running balance per household.

Rules (DESIGN.md): entries are only ever inserted; a mistake is undone by a
reversal that names the entry it undoes (once); every write carries an
idempotency key, and the same key again returns the first entry, while the same
key for a different household, amount or kind is refused; no balance goes
below zero, also with two counters redeeming at once. The household's account
row is locked (``FOR UPDATE``) before its balance is read, so concurrent
writers to one household queue; on SQLite every transaction holds the write
lock from its start (see :mod:`core.db`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Table,
    bindparam,
    func,
    insert,
    literal_column,
    update,
)
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.clock import utcnow
from core.errors import DomainError, NotFound
from core.journal import CHUNK as JOURNAL_CHUNK
from core.journal import Journal, chunks
from core.models import Role
from points.models import EntryKind, LedgerEntry, PointsAccount
from village.access import require_role
from village.models import Household, StaffMember, Village
from village.registry import find_household

CHUNK = JOURNAL_CHUNK
ENTRY_TABLE = LedgerEntry.__table__  # type: ignore[attr-defined]
JOURNAL: Journal[LedgerEntry, PointsAccount] = Journal(
    entry=LedgerEntry,
    account=PointsAccount,
    account_key="household_id",
    amount="amount",
    conflict_code="idempotency_conflict",
    race_code="idempotency_race",
    cannot_reverse_code="cannot_reverse_reversal",
    already_reversed_code="already_reversed",
    reason_code="reason_required",
)


@dataclass(frozen=True)
class Posting:
    """One entry to write. ``reason`` says why in words; ``ref_*`` points at the cause."""

    household_id: int
    village_id: int
    amount: int
    kind: EntryKind
    reason: str
    actor_id: int
    idempotency_key: str
    ref_type: str | None = None
    ref_id: int | None = None
    reverses_id: int | None = None


@dataclass(frozen=True)
class Statement:
    balance: int
    entries: list[LedgerEntry]


@dataclass(frozen=True)
class Problem:
    """One thing ``verify`` found wrong; ``code`` names the catalogue message."""

    code: str
    household_id: int | None
    entry_id: int | None
    detail: str


async def ensure_accounts(session: AsyncSession, pairs: dict[int, int]) -> None:
    """Create the missing accounts for ``{household_id: village_id}`` (no-op if present)."""
    now = utcnow()
    await JOURNAL.insert_missing_accounts(
        session,
        [
            {"household_id": h, "village_id": v, "balance": 0, "updated_at": now}
            for h, v in pairs.items()
        ],
    )


def _same(entry: LedgerEntry, posting: Posting) -> bool:
    return (
        entry.household_id == posting.household_id
        and entry.amount == posting.amount
        and entry.kind == posting.kind.value
    )


@dataclass(frozen=True)
class Batch:
    """What :func:`post_batch` did: how many entries it wrote and how many were already there."""

    created: int
    existing: int


async def post_batch(
    session: AsyncSession, postings: Sequence[Posting], now: datetime | None = None
) -> Batch:
    """Write ``postings`` in one go, in the caller's transaction; all or none.

    Postings whose idempotency key is already in the journal are skipped (after
    checking they are the same entry). This is the bulk path (a round taking
    effect writes tens of thousands of entries): plain multi-row inserts, no
    entries loaded back.
    """
    now = now or utcnow()
    rows, existing = await _prepare(session, postings, now)
    await _write(session, rows, now)
    return Batch(created=len(rows), existing=len(existing))


async def post_many(
    session: AsyncSession, postings: Sequence[Posting], now: datetime | None = None
) -> list[LedgerEntry]:
    """Like :func:`post_batch`, returning one entry per posting, in order: the new
    one, or the earlier entry with the same idempotency key."""
    now = now or utcnow()
    rows, existing = await _prepare(session, postings, now)
    await _write(session, rows, now)
    written = await JOURNAL.earlier_entries(session, [str(row["idempotency_key"]) for row in rows])
    return [existing.get(p.idempotency_key) or written[p.idempotency_key] for p in postings]


async def _prepare(
    session: AsyncSession, postings: Sequence[Posting], now: datetime
) -> tuple[list[dict[str, object]], dict[str, LedgerEntry]]:
    """Lock the accounts, check keys and balances; return the rows still to insert."""
    by_key = JOURNAL.unique_postings(postings)
    if not by_key:
        return [], {}

    villages = {p.household_id: p.village_id for p in by_key.values()}
    balances: dict[int, int] = await JOURNAL.lock_column(session, villages, "balance")
    missing = {h: v for h, v in villages.items() if h not in balances}
    if missing:  # a household's first entry opens its account
        await ensure_accounts(session, missing)
        balances.update(await JOURNAL.lock_column(session, missing, "balance"))
    existing = await JOURNAL.earlier_entries(session, list(by_key))
    JOURNAL.refuse_different(existing, by_key, _same)

    rows: list[dict[str, object]] = []
    for key, posting in by_key.items():
        if key in existing:
            continue
        balance = balances[posting.household_id] + posting.amount
        if balance < 0:
            raise DomainError(
                "insufficient_points",
                balance=balances[posting.household_id],
                needed=-posting.amount,
            )
        balances[posting.household_id] = balance
        rows.append(
            {
                "household_id": posting.household_id,
                "village_id": posting.village_id,
                "amount": posting.amount,
                "balance_after": balance,
                "kind": posting.kind.value,
                "reason": posting.reason[:500],
                "ref_type": posting.ref_type,
                "ref_id": posting.ref_id,
                "actor_id": posting.actor_id,
                "idempotency_key": key,
                "reverses_id": posting.reverses_id,
                "created_at": now,
            }
        )
    return rows, existing


async def _write(session: AsyncSession, rows: list[dict[str, object]], now: datetime) -> None:
    if not rows:
        return
    final: dict[object, object] = {}
    for row in rows:  # rows are in order, so the last one per household is its balance
        final[row["household_id"]] = row["balance_after"]
    with JOURNAL.race_guard():
        for batch in chunks(rows):
            # Core insert: one executemany, without the ORM's per-row bookkeeping.
            await session.execute(insert(ENTRY_TABLE), batch)
        await session.execute(
            update(PointsAccount),
            [{"household_id": h, "balance": b, "updated_at": now} for h, b in final.items()],
        )


async def post(session: AsyncSession, posting: Posting, now: datetime | None = None) -> LedgerEntry:
    return (await post_many(session, [posting], now))[0]


async def reverse(
    session: AsyncSession,
    entry_id: int,
    actor: StaffMember,
    reason: str,
    *,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> LedgerEntry:
    """Undo entry ``entry_id`` with an opposite entry that points at it.

    An entry is reversed at most once (the same key again returns that reversal), a
    reversal is never itself reversed (:meth:`core.journal.Journal.check_reversible`),
    and a reversal that would take the balance below zero (the points are spent) is refused.
    A redemption's entry is undone by 退货 (``supermarket.return_redemption``),
    which returns the stock with the points.
    """
    original = await session.get(LedgerEntry, entry_id)
    if original is None:
        raise NotFound("entry_not_found", entry_id=entry_id)
    village = await session.get(Village, original.village_id)
    assert village is not None
    require_role(actor, village, Role.COMMITTEE)
    if original.kind == EntryKind.REDEMPTION.value:
        # The goods went with the points: only 退货 gives both back, together.
        raise DomainError("reverse_redemption_by_return", entry_id=entry_id, id=original.ref_id)
    key = idempotency_key or f"reversal:{entry_id}"
    already = await JOURNAL.check_reversible(session, original, key, reason)
    if already is not None:
        return already
    return await post(
        session,
        Posting(
            household_id=original.household_id,
            village_id=original.village_id,
            amount=-original.amount,
            kind=EntryKind.REVERSAL,
            reason=reason.strip(),
            actor_id=actor.id or 0,
            idempotency_key=key,
            ref_type="entry",
            ref_id=entry_id,
            reverses_id=entry_id,
        ),
        now,
    )


async def balance(session: AsyncSession, household_id: int) -> int:
    value = await session.scalar(
        select(PointsAccount.balance).where(PointsAccount.household_id == household_id)
    )
    return value or 0


_LATEST = (  # built once: every 查积分 runs it
    select(LedgerEntry)
    .where(col(LedgerEntry.household_id) == bindparam("household_id"))
    .order_by(col(LedgerEntry.id).desc())
    .limit(bindparam("limit"))
)


async def statement(session: AsyncSession, household_id: int, limit: int = 10) -> Statement:
    """A household's balance and its latest entries, newest first.

    One query: the newest entry's ``balance_after`` is the balance (written in the
    same transaction as the account row; ``verify`` checks that they agree).
    """
    entries = list(
        await session.scalars(_LATEST, {"household_id": household_id, "limit": max(limit, 1)})
    )
    current = entries[0].balance_after if entries else 0
    return Statement(balance=current, entries=entries[:limit])


async def verify(session: AsyncSession) -> list[Problem]:
    """Recompute every balance from the entries and check every reversal link."""
    problems: list[Problem] = []

    sum_rows = await session.execute(
        select(LedgerEntry.household_id, func.sum(LedgerEntry.amount)).group_by(
            col(LedgerEntry.household_id)
        )
    )
    sums = {household_id: int(total or 0) for household_id, total in sum_rows}
    account_rows = await session.execute(select(PointsAccount.household_id, PointsAccount.balance))
    accounts = {household_id: stored for household_id, stored in account_rows}
    for household_id in sorted(set(sums) | set(accounts)):
        stored = accounts.get(household_id)
        computed = int(sums.get(household_id) or 0)
        if stored is None:
            problems.append(Problem("verify_no_account", household_id, None, f"sum={computed}"))
        elif stored != computed:
            problems.append(
                Problem("verify_mismatch", household_id, None, f"stored={stored} sum={computed}")
            )
        if stored is not None and stored < 0:
            problems.append(Problem("verify_negative", household_id, None, f"balance={stored}"))

    running = (
        func.sum(LedgerEntry.amount)
        .over(partition_by=col(LedgerEntry.household_id), order_by=col(LedgerEntry.id))
        .label("running")
    )
    inner = select(
        LedgerEntry.id, LedgerEntry.household_id, LedgerEntry.balance_after, running
    ).subquery()
    for entry_id, household_id, after, total in await session.execute(
        sa_select(inner).where(
            (inner.c.balance_after != inner.c.running) | (literal_column("running") < 0)
        )
    ):
        code = "verify_negative" if total < 0 else "verify_running_mismatch"
        problems.append(Problem(code, household_id, entry_id, f"after={after} sum={total}"))

    for row in await JOURNAL.broken_reversals(session, ["household_id"], also=_kind_mismatch):
        problems.append(
            Problem(
                "verify_broken_reversal", row.household_id, row.id, f"{row.kind}→{row.reverses_id}"
            )
        )
    return problems


def _kind_mismatch(entry: Table, original: FromClause) -> ColumnElement[bool]:
    """Points' own link rule: an entry is a reversal exactly when it names the entry it undoes."""
    reversal = EntryKind.REVERSAL.value
    return (
        ((entry.c.kind == reversal) & entry.c.reverses_id.is_(None))
        | ((entry.c.kind != reversal) & entry.c.reverses_id.is_not(None))
        | (entry.c.reverses_id.is_not(None) & (original.c.kind == reversal))
    )


async def household_statement(
    session: AsyncSession, number: str, village_id: int | None = None, limit: int = 10
) -> tuple[Household, Statement]:
    household = await find_household(session, number, village_id)
    assert household.id is not None
    return household, await statement(session, household.id, limit)
