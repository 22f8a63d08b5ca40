"""The 孝善基金's money: an append-only journal in fen, with the village's running balances.

The rules are the points ledger's (:mod:`points.ledger`): entries are only
inserted; a mistake is undone by a reversal naming the entry (once); every write
carries an idempotency key (the same key and content returns the first entry, a
different content is refused); the village's :class:`FundAccount` row is locked
``FOR UPDATE`` before any balance is read, so concurrent writers queue.

Three figures must never go below zero:

- ``pool`` = donations − subsidies: what matching may still spend;
- an elder's ``owed`` = contributions + subsidies − payouts: held for that elder;
- ``balance`` = contributions + donations − payouts: the cash the fund holds,
  which is ``pool`` + Σ ``owed``, so it stays ≥ 0 when the other two do.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.clock import local_today, utcnow
from core.errors import Conflict, DomainError, NotFound
from core.journal import Journal
from fund.models import FundAccount, FundEntry, FundEntryKind
from fund.pledge_schedule import month_start
from village.access import require_fund_role
from village.models import Household, Member, StaffMember, Village

NOTE_LENGTH = 200
DONOR_LENGTH = 100
Kind = FundEntryKind


class PayMethod(StrEnum):
    """How money moved; stored as the Chinese word people read on the 收支公示."""

    CASH = "现金"
    TRANSFER = "转账"
    WECHAT = "微信"
    ALIPAY = "支付宝"
    OTHER = "其他"


_METHOD_ALIASES = {
    "cash": PayMethod.CASH,
    "transfer": PayMethod.TRANSFER,
    "bank": PayMethod.TRANSFER,
    "银行转账": PayMethod.TRANSFER,
    "wechat": PayMethod.WECHAT,
    "微信支付": PayMethod.WECHAT,
    "alipay": PayMethod.ALIPAY,
    "other": PayMethod.OTHER,
}


# ---------------------------------------------------------------- words people type


def _clean(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


def parse_yuan(value: str, *, allow_zero: bool = False) -> int:
    """Fen from "100", "100.5", "100.50元" or "¥100"; never through a float."""
    cleaned = _clean(value).replace(",", "").replace(" ", "")
    match = re.fullmatch(r"[¥]?(\d+(?:\.\d{0,2})?)元?", cleaned)
    if match is None:
        raise DomainError("fund_bad_amount", value=value)
    fen = int(Decimal(match[1]) * 100)
    if fen < 0 or (fen == 0 and not allow_zero):
        raise DomainError("fund_bad_amount", value=value)
    return fen


def yuan(fen: int) -> str:
    """100.00元 (what every message and page shows)."""
    return f"{Decimal(fen) / 100:.2f}元"


def parse_method(value: str) -> PayMethod:
    key = _clean(value).lower()
    for method in PayMethod:
        if key == method.value:
            return method
    if key in _METHOD_ALIASES:
        return _METHOD_ALIASES[key]
    raise DomainError("fund_bad_method", value=value, choices="、".join(m.value for m in PayMethod))


def parse_month(value: str) -> date:
    """The first day of the month in "2026-10", "2026/10", "2026.10" or "2026年10月"."""
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", _clean(value))
    if match is not None and 1 <= int(match[2]) <= 12:
        return date(int(match[1]), int(match[2]), 1)
    raise DomainError("fund_bad_month", value=value)


def parse_day(value: str) -> date:
    """2026-10-05, 2026/10/5 or 2026年10月5日."""
    match = re.fullmatch(
        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", _clean(value)
    )
    if match is not None:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise DomainError("fund_bad_date", value=value)


def month_text(month: date) -> str:
    return f"{month.year}年{month.month}月"


def month_key(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def row_id(value: int | None) -> int:
    """The id of a row already written (flushed): the fund's functions all need one."""
    assert value is not None, "row must be flushed first"
    return value


def past_or_today(day: date | None, now: datetime | None) -> date:
    """The day money moved: given, or today; never in the future (Shanghai dates)."""
    today = local_today(now)
    day = day or today
    if day > today:
        raise DomainError("fund_future_date", date=day.isoformat(), today=today.isoformat())
    return day


def clip_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_LENGTH:
        raise DomainError("fund_note_too_long", limit=NOTE_LENGTH, length=len(note))
    return note


# ---------------------------------------------------------------- the journal


@dataclass(frozen=True)
class FundPosting:
    """One entry to write; ``amount_fen`` is positive, or the negation on a reversal."""

    village_id: int
    kind: FundEntryKind
    amount_fen: int
    actor_id: int
    idempotency_key: str
    booked_on: date
    elder_id: int | None = None
    pledge_id: int | None = None
    supporter_id: int | None = None
    month: date | None = None
    method: str = ""
    donor: str = ""
    note: str = ""
    source_id: int | None = None
    reverses_id: int | None = None


@dataclass(frozen=True)
class Effect:
    """How an entry moves the three figures (see the module docstring)."""

    balance: int
    pool: int
    owed: int


def effect(kind: str, amount: int) -> Effect:
    if kind == Kind.CONTRIBUTION:
        return Effect(amount, 0, amount)
    if kind == Kind.SUBSIDY:
        return Effect(0, -amount, amount)
    if kind == Kind.DONATION:
        return Effect(amount, amount, 0)
    if kind == Kind.PAYOUT:
        return Effect(-amount, 0, -amount)
    raise ValueError(f"unknown fund entry kind {kind!r}")


JOURNAL: Journal[FundEntry, FundAccount] = Journal(
    entry=FundEntry,
    account=FundAccount,
    account_key="village_id",
    amount="amount_fen",
    conflict_code="fund_key_conflict",
    race_code="fund_race",
    cannot_reverse_code="fund_cannot_reverse_reversal",
    already_reversed_code="already_reversed",  # never met: a reversal's key is fixed
    reason_code="fund_reason_required",
)


async def lock_account(session: AsyncSession, village_id: int) -> FundAccount:
    """The village's account row, locked until the transaction ends (made if missing)."""
    account = (await JOURNAL.lock_accounts(session, [village_id])).get(village_id)
    if account is None:
        opening = {
            "village_id": village_id,
            "balance_fen": 0,
            "pool_fen": 0,
            "updated_at": utcnow(),
        }
        await JOURNAL.insert_missing_accounts(session, [opening])
        account = (await JOURNAL.lock_accounts(session, [village_id]))[village_id]
    return account


_OWED = func.coalesce(
    func.sum(
        case(
            (col(FundEntry.kind) == Kind.PAYOUT.value, -col(FundEntry.amount_fen)),
            else_=col(FundEntry.amount_fen),
        )
    ),
    0,
)
_OWED_KINDS = (Kind.CONTRIBUTION.value, Kind.SUBSIDY.value, Kind.PAYOUT.value)


async def elder_owed(session: AsyncSession, elder_id: int) -> int:
    """What the fund holds for one elder: contributions + subsidies − payouts."""
    value = await session.scalar(
        sa_select(_OWED).where(
            col(FundEntry.elder_id) == elder_id, col(FundEntry.kind).in_(_OWED_KINDS)
        )
    )
    return int(value or 0)


async def owed_by_elder(session: AsyncSession, village_id: int) -> dict[int, int]:
    rows = await session.execute(
        sa_select(col(FundEntry.elder_id), _OWED)
        .where(
            col(FundEntry.village_id) == village_id,
            col(FundEntry.kind).in_(_OWED_KINDS),
            col(FundEntry.elder_id).is_not(None),
        )
        .group_by(col(FundEntry.elder_id))
    )
    return {int(elder): int(owed) for elder, owed in rows}


def _same(entry: FundEntry, posting: FundPosting) -> bool:
    return (
        entry.village_id == posting.village_id
        and entry.kind == posting.kind.value
        and entry.amount_fen == posting.amount_fen
        and entry.elder_id == posting.elder_id
        and entry.pledge_id == posting.pledge_id
        and entry.month == posting.month
    )


async def by_key(session: AsyncSession, key: str) -> FundEntry | None:
    return (await JOURNAL.earlier_entries(session, [key])).get(key)


async def _elder_name(session: AsyncSession, elder_id: int | None) -> str:
    member = await session.get(Member, elder_id) if elder_id is not None else None
    return member.name if member is not None else str(elder_id)


async def _check(session: AsyncSession, account: FundAccount, posting: FundPosting) -> None:
    """Refuse the posting if it would take the pool, an elder's share or the cash below zero."""
    moved = effect(posting.kind.value, posting.amount_fen)
    undoing = posting.reverses_id is not None
    if account.pool_fen + moved.pool < 0:
        code = "fund_reverse_pool_used" if undoing else "fund_short_pool"
        raise DomainError(code, pool=yuan(account.pool_fen), needed=yuan(-moved.pool))
    if moved.owed < 0 and posting.elder_id is not None:
        owed = await elder_owed(session, posting.elder_id)
        if owed + moved.owed < 0:
            raise DomainError(
                "fund_reverse_paid_out" if undoing else "fund_short_owed",
                elder=await _elder_name(session, posting.elder_id),
                owed=yuan(owed),
                needed=yuan(-moved.owed),
            )
    if account.balance_fen + moved.balance < 0:
        raise DomainError(
            "fund_short_balance", balance=yuan(account.balance_fen), needed=yuan(-moved.balance)
        )


async def post(
    session: AsyncSession, posting: FundPosting, now: datetime | None = None
) -> FundEntry:
    """Write one entry in the caller's transaction, or return the earlier one with its key."""
    now = now or utcnow()
    account = await lock_account(session, posting.village_id)
    earlier = await JOURNAL.take_earlier(session, posting, _same)
    if earlier is not None:
        return earlier
    await _check(session, account, posting)
    moved = effect(posting.kind.value, posting.amount_fen)
    entry = FundEntry(
        village_id=posting.village_id,
        kind=posting.kind.value,
        amount_fen=posting.amount_fen,
        elder_id=posting.elder_id,
        pledge_id=posting.pledge_id,
        supporter_id=posting.supporter_id,
        month=posting.month,
        booked_on=posting.booked_on,
        method=posting.method,
        donor=posting.donor,
        source_id=posting.source_id,
        reverses_id=posting.reverses_id,
        idempotency_key=posting.idempotency_key,
        note=posting.note[:NOTE_LENGTH],
        actor_id=posting.actor_id,
        created_at=now,
    )
    account.balance_fen += moved.balance
    account.pool_fen += moved.pool
    account.updated_at = now
    session.add(entry)
    with JOURNAL.race_guard():
        await session.flush()
    return entry


async def get_entry(session: AsyncSession, village: Village, entry_id: int) -> FundEntry:
    entry = await session.get(FundEntry, entry_id)
    if entry is None or entry.village_id != village.id:
        raise NotFound("fund_entry_not_found", entry_id=entry_id, village=village.name)
    return entry


async def reversal_of(session: AsyncSession, entry_id: int) -> FundEntry | None:
    return await JOURNAL.reversal_of(session, entry_id)


async def subsidy_of(session: AsyncSession, contribution_id: int) -> FundEntry | None:
    """The subsidy matching a contribution (its own entry, not a reversal)."""
    return await session.scalar(
        select(FundEntry).where(
            FundEntry.source_id == contribution_id,
            FundEntry.kind == Kind.SUBSIDY.value,
            col(FundEntry.reverses_id).is_(None),
        )
    )


def _reversal_key(entry_id: int | None) -> str:
    return f"fund_reversal:{entry_id}"


def _undo(entry: FundEntry, actor: StaffMember, reason: str, today: date) -> FundPosting:
    return FundPosting(
        village_id=entry.village_id,
        kind=Kind(entry.kind),
        amount_fen=-entry.amount_fen,
        actor_id=row_id(actor.id),
        idempotency_key=_reversal_key(entry.id),
        booked_on=today,
        elder_id=entry.elder_id,
        pledge_id=entry.pledge_id,
        supporter_id=entry.supporter_id,
        month=entry.month,
        method=entry.method,
        donor=entry.donor,
        note=reason,
        source_id=entry.source_id,
        reverses_id=entry.id,
    )


async def reverse_fund_entry(
    session: AsyncSession,
    actor: StaffMember,
    entry_id: int,
    reason: str,
    now: datetime | None = None,
) -> FundEntry:
    """Undo an entry with its negation, booked today; a contribution takes its subsidy along.

    A second reversal of the same entry returns the first. Refused when the money
    is gone: a donation already spent on subsidies, a contribution already paid out.
    """
    original = await session.get(FundEntry, entry_id)
    if original is None:
        raise NotFound("fund_entry_not_found", entry_id=entry_id, village="—")
    village = await session.get(Village, original.village_id)
    assert village is not None
    require_fund_role(actor, village)
    matching = original.kind == Kind.SUBSIDY and original.source_id is not None
    if matching and original.reverses_id is None:  # a reversal is refused as one, below
        raise DomainError(
            "fund_reverse_subsidy_alone", entry_id=entry_id, source=original.source_id
        )
    await lock_account(session, original.village_id)
    already = await JOURNAL.check_reversible(session, original, _reversal_key(entry_id), reason)
    if already is not None:
        return already
    reason = clip_note(reason)
    today = local_today(now)
    if original.kind == Kind.CONTRIBUTION:
        subsidy = await subsidy_of(session, entry_id)
        if subsidy is not None and await reversal_of(session, row_id(subsidy.id)) is None:
            await post(session, _undo(subsidy, actor, reason, today), now)
    return await post(session, _undo(original, actor, reason, today), now)


# ---------------------------------------------------------------- donations and payouts


async def same_donation(
    session: AsyncSession,
    village: Village,
    donor: str,
    amount_fen: int,
    booked_on: date | None = None,
    now: datetime | None = None,
) -> FundEntry | None:
    """The standing (not reversed) donation of this donor, amount and day, if one is recorded.

    A gift typed twice looks exactly like this; the front-end asks before it
    records another one (see :func:`record_donation`).
    """
    day = past_or_today(booked_on, now)
    found = await _identical_donations(session, row_id(village.id), _clean(donor), amount_fen, day)
    return found.standing[0] if found.standing else None


@dataclass(frozen=True)
class _Identical:
    count: int  # every such donation ever recorded, reversed or not
    standing: list[FundEntry]  # those not reversed, oldest first


async def _identical_donations(
    session: AsyncSession, village_id: int, donor: str, amount_fen: int, booked_on: date
) -> _Identical:
    found = list(
        await session.scalars(
            select(FundEntry)
            .where(
                FundEntry.village_id == village_id,
                FundEntry.kind == Kind.DONATION.value,
                col(FundEntry.reverses_id).is_(None),
                FundEntry.donor == donor,
                FundEntry.amount_fen == amount_fen,
                FundEntry.booked_on == booked_on,
            )
            .order_by(col(FundEntry.id))
        )
    )
    undone = set()
    if found:
        undone = set(
            await session.scalars(
                sa_select(col(FundEntry.reverses_id)).where(
                    col(FundEntry.reverses_id).in_([row_id(e.id) for e in found])
                )
            )
        )
    return _Identical(len(found), [entry for entry in found if entry.id not in undone])


async def record_donation(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    donor: str,
    amount_fen: int,
    booked_on: date | None = None,
    method: str = PayMethod.CASH.value,
    note: str = "",
    *,
    key: str | None = None,
    again: bool = False,
    now: datetime | None = None,
) -> FundEntry:
    """A gift of a 乡贤 or an enterprise: it enters the cash and the matching pool.

    With ``key`` (the receipt's number) the same key returns the first entry.
    Without one, the same donor, amount and day as a standing donation is taken
    for the same gift typed twice and refused unless ``again`` confirms it is
    another; the key is then derived from those and a count, so two writers
    racing with the same typing cannot both record it.
    """
    require_fund_role(actor, village)
    donor = _clean(donor)
    if not donor or len(donor) > DONOR_LENGTH:
        raise DomainError("fund_bad_donor", limit=DONOR_LENGTH)
    if amount_fen <= 0:
        raise DomainError("fund_bad_amount", value=yuan(amount_fen))
    day = past_or_today(booked_on, now)
    village_id = row_id(village.id)
    if key is None:
        await lock_account(session, village_id)
        found = await _identical_donations(session, village_id, donor, amount_fen, day)
        if found.standing and not again:
            first = found.standing[0]
            raise Conflict(
                "fund_donation_twice",
                date=day.isoformat(),
                donor=donor,
                amount=yuan(amount_fen),
                id=first.id,
            )
        key = f"donation:{village_id}:{day.isoformat()}:{amount_fen}:{found.count}:{donor}"
    posting = FundPosting(
        village_id=village_id,
        kind=Kind.DONATION,
        amount_fen=amount_fen,
        actor_id=row_id(actor.id),
        idempotency_key=key,
        booked_on=day,
        method=parse_method(method).value,
        donor=donor,
        note=clip_note(note),
    )
    return await post(session, posting, now)


@dataclass(frozen=True)
class ElderLabel:
    name: str
    household_number: str
    household_id: int


async def elder_labels(session: AsyncSession, elder_ids: Iterable[int]) -> dict[int, ElderLabel]:
    wanted = sorted(set(elder_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        sa_select(col(Member.id), col(Member.name), col(Household.number), col(Household.id))
        .join(Household, col(Household.id) == col(Member.household_id))
        .where(col(Member.id).in_(wanted))
    )
    return {int(i or 0): ElderLabel(name, number, int(h or 0)) for i, name, number, h in rows}


@dataclass(frozen=True)
class PayoutLine:
    """One elder's payout; ``new`` is False when this month's payout was made before."""

    elder_id: int
    label: ElderLabel
    entry: FundEntry
    new: bool


def payout_key(elder_id: int, month: date) -> str:
    return f"payout:{elder_id}:{month_key(month)}"


def _payout_month(month: date, now: datetime | None) -> date:
    month = month_start(month)
    current = month_start(local_today(now))
    if month > current:
        raise DomainError("fund_future_month", month=month_text(month))
    return month


async def pay_out(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    month: date,
    method: str = PayMethod.CASH.value,
    now: datetime | None = None,
) -> list[PayoutLine]:
    """Pay every elder what the fund holds for them, once per month (key per elder and month)."""
    require_fund_role(actor, village)
    month = _payout_month(month, now)
    paid_with = parse_method(method).value
    village_id = row_id(village.id)
    await lock_account(session, village_id)
    owed = await owed_by_elder(session, village_id)
    earlier = {
        entry.elder_id: entry
        for entry in await session.scalars(
            select(FundEntry).where(
                col(FundEntry.idempotency_key).in_([payout_key(e, month) for e in owed])
            )
        )
    }
    labels = await elder_labels(session, owed)
    today = local_today(now)
    lines: list[PayoutLine] = []
    for elder_id in sorted(owed, key=lambda e: (labels[e].household_number, labels[e].name, e)):
        done = earlier.get(elder_id)
        if done is not None:
            lines.append(PayoutLine(elder_id, labels[elder_id], done, new=False))
            continue
        if owed[elder_id] <= 0:
            continue
        entry = await post(
            session,
            FundPosting(
                village_id=village_id,
                kind=Kind.PAYOUT,
                amount_fen=owed[elder_id],
                actor_id=row_id(actor.id),
                idempotency_key=payout_key(elder_id, month),
                booked_on=today,
                elder_id=elder_id,
                month=month,
                method=paid_with,
            ),
            now,
        )
        lines.append(PayoutLine(elder_id, labels[elder_id], entry, new=True))
    return lines


async def pay_elder(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    elder: Member,
    amount_fen: int,
    month: date,
    method: str = PayMethod.CASH.value,
    now: datetime | None = None,
    *,
    key: str | None = None,
) -> FundEntry:
    """Pay one elder part (or all) of what the fund holds for them, now."""
    require_fund_role(actor, village)
    month = _payout_month(month, now)
    if amount_fen <= 0:
        raise DomainError("fund_bad_amount", value=yuan(amount_fen))
    household = await session.get(Household, elder.household_id)
    if household is None or household.village_id != village.id:
        raise NotFound(
            "fund_elder_not_found", ref=elder.name, village=village.name, limit=village.elder_age
        )
    posting = FundPosting(
        village_id=row_id(village.id),
        kind=Kind.PAYOUT,
        amount_fen=amount_fen,
        actor_id=row_id(actor.id),
        idempotency_key=key or f"payout:{elder.id}:{month_key(month)}:{uuid.uuid4().hex}",
        booked_on=local_today(now),
        elder_id=elder.id,
        month=month,
        method=parse_method(method).value,
    )
    return await post(session, posting, now)


# ---------------------------------------------------------------- reading and checking


@dataclass(frozen=True)
class FundBalances:
    balance_fen: int
    pool_fen: int


async def fund_balances(session: AsyncSession, village: Village) -> FundBalances:
    account = await session.scalar(
        select(FundAccount).where(FundAccount.village_id == row_id(village.id))
    )
    if account is None:
        return FundBalances(0, 0)
    return FundBalances(account.balance_fen, account.pool_fen)


async def count_entries(session: AsyncSession, village: Village) -> int:
    value = await session.scalar(
        sa_select(func.count()).where(col(FundEntry.village_id) == row_id(village.id))
    )
    return int(value or 0)


@dataclass(frozen=True)
class FundProblem:
    """One thing :func:`verify_fund` found; ``code`` names the catalogue message."""

    code: str
    entry_id: int | None
    detail: str


async def _reversal_problems(session: AsyncSession, village_id: int) -> list[FundProblem]:
    """Reversals of nothing, of a reversal, or not the exact negation of their entry."""
    broken = await JOURNAL.broken_reversals(
        session,
        ["village_id", "kind", "elder_id"],
        scope=lambda entry: entry.c.village_id == village_id,
    )
    return [FundProblem("fund_verify_broken_reversal", r.id, f"→{r.reverses_id}") for r in broken]


def _link_problems(entries: dict[int, FundEntry]) -> list[FundProblem]:
    problems: list[FundProblem] = []
    for entry in entries.values():
        if entry.reverses_id is None and entry.amount_fen <= 0:
            problems.append(FundProblem("fund_verify_bad_amount", entry.id, str(entry.amount_fen)))
        if entry.kind == Kind.SUBSIDY and entry.source_id is not None:
            source = entries.get(entry.source_id)
            if source is None or source.kind != Kind.CONTRIBUTION:
                problems.append(
                    FundProblem("fund_verify_broken_subsidy", entry.id, f"→{entry.source_id}")
                )
    return problems


async def verify_fund(session: AsyncSession, village: Village) -> list[FundProblem]:
    """Recompute the balance, the pool and each elder's share from the entries, in order."""
    entries = {
        row_id(e.id): e
        for e in await session.scalars(
            select(FundEntry)
            .where(FundEntry.village_id == row_id(village.id))
            .order_by(col(FundEntry.id))
        )
    }
    problems = await _reversal_problems(session, row_id(village.id)) + _link_problems(entries)
    balance = pool = 0
    owed: dict[int, int] = defaultdict(int)
    for entry_id, entry in entries.items():
        moved = effect(entry.kind, entry.amount_fen)
        balance, pool = balance + moved.balance, pool + moved.pool
        if entry.elder_id is not None and entry.kind != Kind.DONATION:
            owed[entry.elder_id] += moved.owed
            if owed[entry.elder_id] < 0:
                problems.append(
                    FundProblem("fund_verify_negative_owed", entry_id, f"elder={entry.elder_id}")
                )
        if balance < 0 or pool < 0:
            problems.append(
                FundProblem("fund_verify_negative", entry_id, f"balance={balance} pool={pool}")
            )
    stored = await fund_balances(session, village)
    if (stored.balance_fen, stored.pool_fen) != (balance, pool):
        detail = (
            f"stored={stored.balance_fen}/{stored.pool_fen} sum={balance}/{pool} (balance/pool)"
        )
        problems.append(FundProblem("fund_verify_mismatch", None, detail))
    return problems
