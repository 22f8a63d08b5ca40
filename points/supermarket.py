"""The 扶贫超市: catalogue, stock, and redemptions the household confirms.

A redemption happens in two steps so that a shopkeeper can never spend a
household's points alone: the shopkeeper *starts* it (items, quantities), the
household receives a one-time code, and the redemption is *confirmed* by the
household: with the code it tells the shopkeeper at the counter, by texting
that code back, or by pressing 确认 in its own bound Telegram chat (the binding
is the proof). There is no other way to complete one. Only then, in one transaction,
do the points go down (through :mod:`points.ledger`), the stock goes down
(with a :class:`StockMovement` per item) and a receipt is written. Either
everything changes or nothing does. A 退货 (:func:`return_redemption`) undoes
both together, once: a reversal entry and the stock back.

The code is kept only as an HMAC keyed with the server secret
(:mod:`core.server_secret`), so a copy of the database cannot try the million codes.

Lock order, everywhere in this module: redemption row → catalogue items (in
id order) → points account (taken by :func:`points.ledger.post`). Keeping one
order means two counters never deadlock on PostgreSQL; on SQLite the whole
transaction holds the write lock from its start.

Errors follow :mod:`core.errors`: a raised :class:`DomainError` means nothing
was changed. A wrong or expired code *does* change something (the attempt is
counted, the redemption may close), so :func:`confirm_redemption` reports those
outcomes in its return value and the caller commits them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import SHANGHAI, local_text, to_local, utcnow
from core.errors import Conflict, DomainError, NotFound
from core.models import Role
from core.server_secret import server_secret
from core.settings import get_settings
from points import ledger
from points.models import (
    CatalogueItem,
    EntryKind,
    LedgerEntry,
    PriceChange,
    Receipt,
    Redemption,
    RedemptionLine,
    RedemptionStatus,
    StockMovement,
)
from village.access import require_role
from village.models import Household, StaffMember, Village
from village.registry import find_household

SHOP_ROLES = (Role.SHOPKEEPER, Role.COMMITTEE)
MAX_QUANTITY = 9999
MAX_KEY_LENGTH = 100
RECEIPT_MAX = 2000

# ---------------------------------------------------------------------------
# Catalogue and stock
# ---------------------------------------------------------------------------


def yuan(village: Village, points: int) -> Decimal:
    """What ``points`` are worth in money, so people see what they are spending."""
    return (Decimal(points) * Decimal(village.point_value_yuan)).quantize(Decimal("0.01"))


def _clean_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 64:
        raise DomainError("item_name_invalid", name=name)
    return cleaned


def _check_price(price: int) -> None:
    if price <= 0:
        raise DomainError("item_price_invalid", price=price)


async def find_item(session: AsyncSession, village: Village, ref: str | int) -> CatalogueItem:
    """An item of ``village`` by name (what people type) or by id."""
    item: CatalogueItem | None = None
    if isinstance(ref, str):
        item = await session.scalar(
            select(CatalogueItem).where(
                CatalogueItem.village_id == village.id, CatalogueItem.name == ref.strip()
            )
        )
    if item is None and (isinstance(ref, int) or ref.strip().isdigit()):
        found = await session.get(CatalogueItem, int(ref))
        if found is not None and found.village_id == village.id:
            item = found
    if item is None:
        raise NotFound("item_not_found", name=ref, village=village.name)
    return item


async def list_items(
    session: AsyncSession, village: Village, *, include_inactive: bool = False
) -> list[CatalogueItem]:
    query = select(CatalogueItem).where(CatalogueItem.village_id == village.id)
    if not include_inactive:
        query = query.where(col(CatalogueItem.active).is_(True))
    return list(await session.scalars(query.order_by(col(CatalogueItem.id))))


async def add_item(
    session: AsyncSession,
    village: Village,
    name: str,
    price_points: int,
    actor: StaffMember,
    *,
    unit: str = "件",
    stock: int = 0,
    now: datetime | None = None,
) -> CatalogueItem:
    """Put an item on the shelf; its opening stock is recorded as the first movement."""
    require_role(actor, village, *SHOP_ROLES)
    now = now or utcnow()
    name = _clean_name(name)
    _check_price(price_points)
    if stock < 0:
        raise DomainError("stock_change_invalid", delta=stock)
    unit = unit.strip() or "件"
    if len(unit) > 16:
        raise DomainError("item_unit_invalid", unit=unit)
    duplicate = await session.scalar(
        select(CatalogueItem.id).where(
            CatalogueItem.village_id == village.id, CatalogueItem.name == name
        )
    )
    if duplicate is not None:
        raise Conflict("item_exists", name=name, village=village.name)
    item = CatalogueItem(
        village_id=village.id or 0,
        name=name,
        unit=unit,
        price_points=price_points,
        stock=stock,
        created_at=now,
    )
    session.add(item)
    try:
        await session.flush()
    except IntegrityError as error:  # the same name added at the same moment elsewhere
        raise Conflict("item_exists", name=name, village=village.name) from error
    if stock:
        session.add(
            StockMovement(
                item_id=item.id or 0,
                delta=stock,
                stock_after=stock,
                reason=text("stock_reason_opening"),
                actor_id=actor.id or 0,
                at=now,
            )
        )
        await session.flush()
    return item


async def _lock_item(session: AsyncSession, item_id: int) -> CatalogueItem:
    item = await session.scalar(
        select(CatalogueItem)
        .where(CatalogueItem.id == item_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert item is not None
    return item


async def adjust_stock(
    session: AsyncSession,
    village: Village,
    ref: str | int,
    delta: int,
    actor: StaffMember,
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> StockMovement:
    """Restock (positive) or write off (negative, e.g. 报损); stock never goes below zero."""
    require_role(actor, village, *SHOP_ROLES)
    now = now or utcnow()
    if delta == 0:
        raise DomainError("stock_change_invalid", delta=delta)
    found = await find_item(session, village, ref)
    item = await _lock_item(session, found.id or 0)
    if item.stock + delta < 0:
        raise DomainError(
            "insufficient_stock", item=item.name, stock=item.stock, unit=item.unit, needed=-delta
        )
    item.stock += delta
    why = (reason or "").strip() or text(
        "stock_reason_restock" if delta > 0 else "stock_reason_off"
    )
    movement = StockMovement(
        item_id=item.id or 0,
        delta=delta,
        stock_after=item.stock,
        reason=why[:200],
        actor_id=actor.id or 0,
        at=now,
    )
    session.add(movement)
    await session.flush()
    return movement


async def restock(
    session: AsyncSession,
    village: Village,
    ref: str | int,
    quantity: int,
    actor: StaffMember,
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> StockMovement:
    if quantity <= 0:
        raise DomainError("stock_change_invalid", delta=quantity)
    return await adjust_stock(session, village, ref, quantity, actor, reason=reason, now=now)


async def write_off(
    session: AsyncSession,
    village: Village,
    ref: str | int,
    quantity: int,
    actor: StaffMember,
    reason: str,
    *,
    now: datetime | None = None,
) -> StockMovement:
    """报损: goods leave the shelf without a redemption, so the reason is required (the
    村务监督委员会 reads why stock went missing); never below zero."""
    if quantity <= 0:
        raise DomainError("stock_change_invalid", delta=quantity)
    if not reason.strip():
        raise DomainError("write_off_no_reason")
    return await adjust_stock(session, village, ref, -quantity, actor, reason=reason, now=now)


async def set_price(
    session: AsyncSession, village: Village, ref: str | int, price_points: int, actor: StaffMember
) -> CatalogueItem:
    """A new price applies to redemptions started from now on; pending ones keep theirs.

    Each change is recorded with who made it (:func:`price_history`); the same
    price again changes and records nothing.
    """
    require_role(actor, village, *SHOP_ROLES)
    _check_price(price_points)
    found = await find_item(session, village, ref)
    item = await _lock_item(session, found.id or 0)
    if item.price_points != price_points:
        session.add(
            PriceChange(
                item_id=item.id or 0,
                old_points=item.price_points,
                new_points=price_points,
                actor_id=actor.id or 0,
            )
        )
        item.price_points = price_points
    await session.flush()
    return item


async def price_history(
    session: AsyncSession, village: Village, ref: str | int, limit: int = 20
) -> list[PriceChange]:
    item = await find_item(session, village, ref)
    return list(
        await session.scalars(
            select(PriceChange)
            .where(PriceChange.item_id == item.id)
            .order_by(col(PriceChange.id).desc())
            .limit(limit)
        )
    )


async def stock_history(
    session: AsyncSession, village: Village, ref: str | int, limit: int = 20
) -> list[StockMovement]:
    item = await find_item(session, village, ref)
    return list(
        await session.scalars(
            select(StockMovement)
            .where(StockMovement.item_id == item.id)
            .order_by(col(StockMovement.id).desc())
            .limit(limit)
        )
    )


# ---------------------------------------------------------------------------
# Redemptions
# ---------------------------------------------------------------------------


class ConfirmOutcome(StrEnum):
    COMPLETED = "completed"
    ALREADY_COMPLETED = "already_completed"
    WRONG_CODE = "wrong_code"
    LOCKED_OUT = "locked_out"  # too many wrong codes: the redemption is cancelled
    EXPIRED = "expired"


@dataclass(frozen=True)
class Started:
    """What :func:`start_redemption` hands back.

    ``code`` is the plain one-time code, present only when this call issued it;
    it exists nowhere else (the row keeps a hash), so the caller delivers it to
    the household and forgets it. A replay of the same key gives ``code=None``.
    """

    redemption: Redemption
    lines: list[RedemptionLine]
    household: Household
    code: str | None
    created: bool


@dataclass(frozen=True)
class Confirmation:
    """The result of entering a code; the caller commits it whatever the outcome."""

    outcome: ConfirmOutcome
    redemption: Redemption
    receipt: Receipt | None
    attempts_left: int

    @property
    def ok(self) -> bool:
        return self.receipt is not None

    @property
    def message(self) -> str:
        """Why it did not go through, in Chinese (empty when it did)."""
        if self.outcome == ConfirmOutcome.WRONG_CODE:
            return text("redemption_code_wrong", left=self.attempts_left)
        if self.outcome == ConfirmOutcome.LOCKED_OUT:
            return text("redemption_code_locked_out", id=self.redemption.id)
        if self.outcome == ConfirmOutcome.EXPIRED:
            return text("redemption_code_expired", id=self.redemption.id)
        return ""


@dataclass(frozen=True)
class RedemptionView:
    redemption: Redemption
    household: Household
    lines: list[RedemptionLine]

    @property
    def summary(self) -> str:
        return summarize(self.lines)


def summarize(lines: Sequence[RedemptionLine]) -> str:
    """大米 2袋、食用油 1瓶: how the items read in a reason, a list or an SMS."""
    return "、".join(f"{line.item_name} {line.quantity}{line.unit}" for line in lines)


def _hash_code(redemption: Redemption, code: str) -> str:
    """HMAC keyed with the server secret, over the row (id and key) and the code.

    The secret lives outside the database, so a copy of the database cannot try
    the million codes; the row makes equal codes give unequal hashes. Pending
    redemptions hashed before the secret existed no longer match and simply expire.
    """
    secret = server_secret(get_settings().secret_file)
    message = f"xiangxin:redemption:{redemption.id}:{redemption.idempotency_key}:{code}"
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _normalize_code(code: str) -> str:
    """Full-width digits and spaces (typed on a Chinese IME) are accepted."""
    cleaned = unicodedata.normalize("NFKC", code).replace(" ", "").strip()
    if len(cleaned) != 6 or not cleaned.isascii() or not cleaned.isdigit():
        raise DomainError("redemption_code_format")
    return cleaned


def _merge_lines(lines: Sequence[tuple[str | int, int]]) -> list[tuple[str | int, int]]:
    if not lines:
        raise DomainError("redemption_empty")
    merged: dict[str | int, int] = {}
    for ref, quantity in lines:
        if quantity <= 0 or quantity > MAX_QUANTITY:
            raise DomainError("quantity_invalid", item=ref, quantity=quantity, max=MAX_QUANTITY)
        key: str | int = ref.strip() if isinstance(ref, str) else ref
        merged[key] = merged.get(key, 0) + quantity
    return list(merged.items())


def _same_request(
    existing: Redemption, lines: list[RedemptionLine], household_id: int, wanted: dict[int, int]
) -> bool:
    return (
        existing.household_id == household_id
        and {line.item_id: line.quantity for line in lines} == wanted
    )


async def _lines_of(session: AsyncSession, redemption_id: int) -> list[RedemptionLine]:
    return list(
        await session.scalars(
            select(RedemptionLine)
            .where(RedemptionLine.redemption_id == redemption_id)
            .order_by(col(RedemptionLine.id))
        )
    )


def _refuse_own_household(actor: StaffMember, household_id: int) -> None:
    """Nobody serves their own household at the counter: a colleague does."""
    if actor.role != Role.COUNTY_ADMIN and actor.household_id == household_id:
        raise DomainError("redemption_own_household", actor=actor.name)


async def start_redemption(
    session: AsyncSession,
    village: Village,
    household: Household | str,
    lines: Sequence[tuple[str | int, int]],
    actor: StaffMember,
    idempotency_key: str,
    now: datetime | None = None,
) -> Started:
    """Open a pending redemption and issue the household a one-time code.

    ``lines`` are (item name or id, quantity). Points and stock are checked now
    for early feedback and again at confirmation; nothing is reserved. The
    same ``idempotency_key`` again returns the first redemption (and no new
    code); the same key for different content is refused.
    """
    require_role(actor, village, *SHOP_ROLES)
    now = now or utcnow()
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError("redemption_key_invalid", max=MAX_KEY_LENGTH)
    stored_key = f"v{village.id}:{key}"

    if isinstance(household, Household):
        if household.village_id != village.id:
            raise NotFound("household_not_found", ref=household.number)
        home = household
    else:
        home = await find_household(session, household, village.id)
    household_id = home.id or 0
    _refuse_own_household(actor, household_id)

    items: list[tuple[CatalogueItem, int]] = []
    for ref, quantity in _merge_lines(lines):
        items.append((await find_item(session, village, ref), quantity))
    wanted: dict[int, int] = {}
    for item, quantity in items:
        wanted[item.id or 0] = wanted.get(item.id or 0, 0) + quantity

    existing = await session.scalar(
        select(Redemption).where(Redemption.idempotency_key == stored_key)
    )
    if existing is not None:
        existing_lines = await _lines_of(session, existing.id or 0)
        if not _same_request(existing, existing_lines, household_id, wanted):
            raise Conflict("redemption_key_conflict", key=key)
        return Started(existing, existing_lines, home, code=None, created=False)

    total = 0
    for item, quantity in items:
        if not item.active:
            raise DomainError("item_inactive", item=item.name)
        if item.stock < quantity:
            raise DomainError(
                "insufficient_stock",
                item=item.name,
                stock=item.stock,
                unit=item.unit,
                needed=quantity,
            )
        total += item.price_points * quantity
    available = await ledger.balance(session, household_id)
    if available < total:
        raise DomainError("insufficient_points", balance=available, needed=total)

    redemption = Redemption(
        village_id=village.id or 0,
        household_id=household_id,
        shopkeeper_id=actor.id or 0,
        idempotency_key=stored_key,
        status=RedemptionStatus.PENDING.value,
        total_points=total,
        code_hash="",
        code_expires_at=now + timedelta(minutes=get_settings().redemption_code_minutes),
        created_at=now,
    )
    session.add(redemption)
    try:
        await session.flush()
    except IntegrityError as error:  # the same key is being started at this moment elsewhere
        raise Conflict("redemption_key_race", key=key) from error
    code = _new_code()
    redemption.code_hash = _hash_code(redemption, code)
    new_lines = [
        RedemptionLine(
            redemption_id=redemption.id or 0,
            item_id=item.id or 0,
            item_name=item.name,
            unit=item.unit,
            quantity=quantity,
            price_points=item.price_points,
        )
        for item, quantity in items
    ]
    session.add_all(new_lines)
    await session.flush()
    return Started(redemption, new_lines, home, code=code, created=True)


async def _load_locked(session: AsyncSession, village: Village, redemption_id: int) -> Redemption:
    """The redemption row, locked so two confirmations of it queue one behind the other."""
    redemption = await session.scalar(
        select(Redemption)
        .where(Redemption.id == redemption_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if redemption is None or redemption.village_id != village.id:
        raise NotFound("redemption_not_found", id=redemption_id)
    return redemption


async def receipt_of(session: AsyncSession, redemption_id: int) -> Receipt | None:
    return await session.scalar(select(Receipt).where(Receipt.redemption_id == redemption_id))


def _close(redemption: Redemption, status: RedemptionStatus, now: datetime) -> None:
    redemption.status = status.value
    redemption.closed_at = now


def _receipt_text(
    village: Village,
    household: Household,
    redemption: Redemption,
    lines: Sequence[RedemptionLine],
    balance_after: int,
    actor: StaffMember,
    now: datetime,
) -> str:
    head = [
        text("receipt_title", shop=village.name),
        text("receipt_number", id=redemption.id),
        text("receipt_household", name=household.head_name, number=household.number),
    ]
    body = [
        text(
            "receipt_line",
            item=line.item_name,
            quantity=line.quantity,
            unit=line.unit,
            price=line.price_points,
            subtotal=line.price_points * line.quantity,
        )
        for line in lines
    ]
    tail = [
        text(
            "receipt_total",
            total=redemption.total_points,
            yuan=yuan(village, redemption.total_points),
        ),
        text("receipt_balance", balance=balance_after, yuan=yuan(village, balance_after)),
        text("receipt_operator", name=actor.name),
        text("receipt_time", time=local_text(now)),
    ]
    room = RECEIPT_MAX - len("\n".join(head + tail)) - 10
    shown: list[str] = []
    for index, line_text in enumerate(body):
        if len("\n".join([*shown, line_text])) > room:
            shown.append(text("receipt_more", count=len(body) - index))
            break
        shown.append(line_text)
    return "\n".join(head + shown + tail)[:RECEIPT_MAX]


async def confirm_redemption(
    session: AsyncSession,
    village: Village,
    redemption_id: int,
    code: str,
    actor: StaffMember,
    now: datetime | None = None,
) -> Confirmation:
    """Check the household's code and, if right, complete the redemption atomically.

    Raises (changing nothing) when the redemption is closed, the code is
    malformed, or points or stock do not suffice. Returns a wrong, expired or
    locked-out code as an outcome, because counting the attempt or closing the
    redemption must be committed. Confirming a completed redemption returns
    its receipt again.
    """
    require_role(actor, village, *SHOP_ROLES)
    now = now or utcnow()
    redemption = await _load_locked(session, village, redemption_id)
    if redemption.status == RedemptionStatus.COMPLETED.value:
        return await _already_completed(session, redemption)
    _require_pending(redemption)
    _refuse_own_household(actor, redemption.household_id)
    entered = _normalize_code(code)

    if now >= redemption.code_expires_at:
        return await _expire(session, redemption, now)
    if not _code_matches(redemption, entered):
        return await _wrong_code(session, redemption, now)
    return await _complete(session, village, redemption, actor, now)


def _require_pending(redemption: Redemption) -> None:
    if redemption.status != RedemptionStatus.PENDING.value:
        raise Conflict(f"redemption_is_{redemption.status}", id=redemption.id)


def _code_matches(redemption: Redemption, entered: str) -> bool:
    return hmac.compare_digest(_hash_code(redemption, entered), redemption.code_hash)


async def _already_completed(session: AsyncSession, redemption: Redemption) -> Confirmation:
    receipt = await receipt_of(session, redemption.id or 0)
    return Confirmation(ConfirmOutcome.ALREADY_COMPLETED, redemption, receipt, 0)


async def _expire(session: AsyncSession, redemption: Redemption, now: datetime) -> Confirmation:
    _close(redemption, RedemptionStatus.EXPIRED, now)
    await session.flush()
    return Confirmation(ConfirmOutcome.EXPIRED, redemption, None, 0)


async def _wrong_code(session: AsyncSession, redemption: Redemption, now: datetime) -> Confirmation:
    """Count a wrong code; the last allowed one cancels the redemption (locked out)."""
    redemption.attempts += 1
    left = max(get_settings().redemption_code_attempts - redemption.attempts, 0)
    outcome = ConfirmOutcome.WRONG_CODE
    if left == 0:
        _close(redemption, RedemptionStatus.CANCELLED, now)
        outcome = ConfirmOutcome.LOCKED_OUT
    await session.flush()
    return Confirmation(outcome, redemption, None, left)


async def _complete(
    session: AsyncSession,
    village: Village,
    redemption: Redemption,
    actor: StaffMember,
    now: datetime,
) -> Confirmation:
    """The household has agreed (code or bound chat): points, stock and receipt, all at once.

    ``redemption`` is locked and pending; ``actor`` is the shopkeeper named on
    the ledger entry and the stock movements.
    """
    redemption_id = redemption.id or 0
    lines = await _lines_of(session, redemption_id)
    household = await session.get(Household, redemption.household_id)
    assert household is not None
    locked: dict[int, CatalogueItem] = {}
    for item_id in sorted({line.item_id for line in lines}):
        locked[item_id] = await _lock_item(session, item_id)
    needed: dict[int, int] = {}
    for line in lines:
        needed[line.item_id] = needed.get(line.item_id, 0) + line.quantity
    for item_id, quantity in needed.items():
        item = locked[item_id]
        if item.stock < quantity:
            raise DomainError(
                "insufficient_stock",
                item=item.name,
                stock=item.stock,
                unit=item.unit,
                needed=quantity,
            )

    entry = await ledger.post(
        session,
        ledger.Posting(
            household_id=redemption.household_id,
            village_id=redemption.village_id,
            amount=-redemption.total_points,
            kind=EntryKind.REDEMPTION,
            reason=text("redemption_reason", items=summarize(lines)),
            actor_id=actor.id or 0,
            idempotency_key=f"redemption:{redemption_id}",
            ref_type="redemption",
            ref_id=redemption_id,
        ),
        now,
    )

    why = text("stock_reason_redemption", id=redemption_id)
    for item_id, quantity in needed.items():
        item = locked[item_id]
        item.stock -= quantity
        session.add(
            StockMovement(
                item_id=item_id,
                delta=-quantity,
                stock_after=item.stock,
                reason=why,
                redemption_id=redemption_id,
                actor_id=actor.id or 0,
                at=now,
            )
        )
    _close(redemption, RedemptionStatus.COMPLETED, now)
    redemption.ledger_entry_id = entry.id
    receipt = Receipt(
        redemption_id=redemption_id,
        household_id=redemption.household_id,
        total_points=redemption.total_points,
        balance_after=entry.balance_after,
        text=_receipt_text(village, household, redemption, lines, entry.balance_after, actor, now),
        created_at=now,
    )
    session.add(receipt)
    await session.flush()
    left = get_settings().redemption_code_attempts - redemption.attempts
    return Confirmation(ConfirmOutcome.COMPLETED, redemption, receipt, left)


async def cancel_redemption(
    session: AsyncSession,
    village: Village,
    redemption_id: int,
    actor: StaffMember,
    now: datetime | None = None,
) -> Redemption:
    """Cancel a pending redemption (the household changed its mind); cancelling twice is fine."""
    require_role(actor, village, *SHOP_ROLES)
    now = now or utcnow()
    redemption = await _load_locked(session, village, redemption_id)
    if redemption.status == RedemptionStatus.CANCELLED.value:
        return redemption
    if redemption.status != RedemptionStatus.PENDING.value:
        raise Conflict(f"redemption_is_{redemption.status}", id=redemption_id)
    _close(redemption, RedemptionStatus.CANCELLED, now)
    await session.flush()
    return redemption


@dataclass(frozen=True)
class Returned:
    """What :func:`return_redemption` did; ``created`` is False when it was returned before."""

    redemption: Redemption
    lines: list[RedemptionLine]
    household: Household
    entry: LedgerEntry  # the reversal that gave the points back
    created: bool


async def _reversal_of(session: AsyncSession, redemption: Redemption) -> LedgerEntry | None:
    return await ledger.JOURNAL.reversal_of(session, redemption.ledger_entry_id or 0)


async def return_redemption(
    session: AsyncSession,
    village: Village,
    redemption_id: int,
    actor: StaffMember,
    reason: str = "",
    now: datetime | None = None,
) -> Returned:
    """退货: the goods come back, so the points and the stock go back together, once.

    Only a completed redemption can be returned. The points come back as the
    reversal of its ledger entry (one already posted by hand with ``ledger
    reverse`` is kept, not doubled), the stock as one movement per item, and
    the redemption ends as returned. Returning it again changes nothing
    (``created=False``), so a repeated command or a double tap is harmless.
    """
    require_role(actor, village, *SHOP_ROLES)
    now = now or utcnow()
    redemption = await _load_locked(session, village, redemption_id)
    lines = await _lines_of(session, redemption_id)
    household = await session.get(Household, redemption.household_id)
    assert household is not None
    if redemption.status == RedemptionStatus.RETURNED.value:
        done = await _reversal_of(session, redemption)
        assert done is not None
        return Returned(redemption, lines, household, done, created=False)
    if redemption.status != RedemptionStatus.COMPLETED.value:
        status = text(f"redemption_status_{redemption.status}")
        raise Conflict("redemption_return_not_completed", id=redemption_id, status=status)
    _refuse_own_household(actor, redemption.household_id)
    assert redemption.ledger_entry_id is not None

    back: dict[int, int] = {}
    for line in lines:
        back[line.item_id] = back.get(line.item_id, 0) + line.quantity
    locked = {item_id: await _lock_item(session, item_id) for item_id in sorted(back)}
    entry = await _reversal_of(session, redemption)
    if entry is None:
        why = reason.strip()[:100]
        entry = await ledger.post(
            session,
            ledger.Posting(
                household_id=redemption.household_id,
                village_id=redemption.village_id,
                amount=redemption.total_points,
                kind=EntryKind.REVERSAL,
                reason=text("redemption_return_reason", id=redemption_id, items=summarize(lines))
                + (text("redemption_return_why", why=why) if why else ""),
                actor_id=actor.id or 0,
                idempotency_key=f"redemption:{redemption_id}:return",
                ref_type="redemption",
                ref_id=redemption_id,
                reverses_id=redemption.ledger_entry_id,
            ),
            now,
        )
    movement_reason = text("stock_reason_return", id=redemption_id)
    for item_id, quantity in back.items():
        item = locked[item_id]
        item.stock += quantity
        session.add(
            StockMovement(
                item_id=item_id,
                delta=quantity,
                stock_after=item.stock,
                reason=movement_reason,
                redemption_id=redemption_id,
                actor_id=actor.id or 0,
                at=now,
            )
        )
    redemption.status = RedemptionStatus.RETURNED.value
    await session.flush()
    return Returned(redemption, lines, household, entry, created=True)


async def expire_pending(session: AsyncSession, now: datetime | None = None) -> int:
    """Close every pending redemption whose code has run out; returns how many.

    The scheduler calls this every minute. A confirmation that holds the row's
    lock finishes first; the update then skips the row, now no longer pending.
    """
    now = now or utcnow()
    result = await session.execute(
        update(Redemption)
        .where(
            col(Redemption.status) == RedemptionStatus.PENDING.value,
            col(Redemption.code_expires_at) <= now,
        )
        .values(status=RedemptionStatus.EXPIRED.value, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(cast(CursorResult[Any], result).rowcount or 0)


# ---------------------------------------------------------------------------
# The household's side: confirm or refuse from its own bound chat or phone
# ---------------------------------------------------------------------------


async def _load_own(session: AsyncSession, household: Household, redemption_id: int) -> Redemption:
    """The household's own redemption, locked; anyone else's is simply not found."""
    redemption = await session.scalar(
        select(Redemption)
        .where(Redemption.id == redemption_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if (
        redemption is None
        or household.id is None
        or redemption.household_id != household.id
        or redemption.village_id != household.village_id
    ):
        raise NotFound("redemption_not_found", id=redemption_id)
    return redemption


async def _complete_for_household(
    session: AsyncSession, redemption: Redemption, now: datetime
) -> Confirmation:
    """Complete with the shopkeeper who started it as the actor on every record."""
    village = await session.get(Village, redemption.village_id)
    shopkeeper = await session.get(StaffMember, redemption.shopkeeper_id)
    assert village is not None and shopkeeper is not None
    return await _complete(session, village, redemption, shopkeeper, now)


async def confirm_for_household(
    session: AsyncSession,
    household: Household,
    redemption_id: int,
    now: datetime | None = None,
) -> Confirmation:
    """The household presses 确认 in its bound chat: the binding is the proof, no code.

    Only the household's own redemption (another's is :class:`NotFound`). A
    completed one returns its receipt again; a pending one past its time is
    closed as expired (an outcome, to be committed); a cancelled or expired one
    is refused.
    """
    now = now or utcnow()
    redemption = await _load_own(session, household, redemption_id)
    if redemption.status == RedemptionStatus.COMPLETED.value:
        return await _already_completed(session, redemption)
    _require_pending(redemption)
    if now >= redemption.code_expires_at:
        return await _expire(session, redemption, now)
    return await _complete_for_household(session, redemption, now)


async def refuse_for_household(
    session: AsyncSession,
    household: Household,
    redemption_id: int,
    now: datetime | None = None,
) -> Redemption:
    """The household declines: the redemption is cancelled (refusing twice is fine)."""
    now = now or utcnow()
    redemption = await _load_own(session, household, redemption_id)
    if redemption.status == RedemptionStatus.CANCELLED.value:
        return redemption
    _require_pending(redemption)
    _close(redemption, RedemptionStatus.CANCELLED, now)
    await session.flush()
    return redemption


async def confirm_by_code(
    session: AsyncSession,
    households: Sequence[Household],
    code: str,
    now: datetime | None = None,
) -> Confirmation | None:
    """The household texts back its 6-digit code (the phone may serve several households).

    Their pending redemptions are locked; those past their time are closed as
    expired. The one whose code matches is completed (or reported expired). A
    code matching none counts a wrong attempt against the newest live one, with
    the counter's lock-out rule. ``None`` when none of them has anything pending.
    """
    entered = _normalize_code(code)
    now = now or utcnow()
    ids = sorted({h.id for h in households if h.id is not None})
    if not ids:
        return None
    # Locked in id order, like every multi-row lock here, so two replies never deadlock.
    pending = list(
        await session.scalars(
            select(Redemption)
            .where(
                col(Redemption.household_id).in_(ids),
                Redemption.status == RedemptionStatus.PENDING.value,
            )
            .order_by(col(Redemption.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    if not pending:
        return None
    pending.reverse()  # newest first
    expired = [r for r in pending if now >= r.code_expires_at]
    live = [r for r in pending if now < r.code_expires_at]
    for redemption in expired:
        _close(redemption, RedemptionStatus.EXPIRED, now)
    if expired:
        await session.flush()

    for redemption in live:
        if _code_matches(redemption, entered):
            return await _complete_for_household(session, redemption, now)
    for redemption in expired:
        if _code_matches(redemption, entered):
            return Confirmation(ConfirmOutcome.EXPIRED, redemption, None, 0)
    if live:
        return await _wrong_code(session, live[0], now)
    return Confirmation(ConfirmOutcome.EXPIRED, expired[0], None, 0)


async def pending_for_household(
    session: AsyncSession, household: Household, now: datetime | None = None
) -> list[RedemptionView]:
    """The household's redemptions waiting for its answer (not yet expired), newest first."""
    now = now or utcnow()
    redemptions = list(
        await session.scalars(
            select(Redemption)
            .where(
                Redemption.household_id == household.id,
                Redemption.status == RedemptionStatus.PENDING.value,
                col(Redemption.code_expires_at) > now,
            )
            .order_by(col(Redemption.id).desc())
        )
    )
    return await _views(session, redemptions, {household.id or 0: household})


async def _views(
    session: AsyncSession,
    redemptions: list[Redemption],
    homes: dict[int, Household] | None = None,
) -> list[RedemptionView]:
    """Redemptions with their lines and households: one query each, whatever the count."""
    if not redemptions:
        return []
    ids = [r.id or 0 for r in redemptions]
    by_redemption: dict[int, list[RedemptionLine]] = {i: [] for i in ids}
    for line in await session.scalars(
        select(RedemptionLine)
        .where(col(RedemptionLine.redemption_id).in_(ids))
        .order_by(col(RedemptionLine.id))
    ):
        by_redemption[line.redemption_id].append(line)
    known = dict(homes or {})
    missing = {r.household_id for r in redemptions} - set(known)
    if missing:
        known.update(
            {
                h.id or 0: h
                for h in await session.scalars(
                    select(Household).where(col(Household.id).in_(missing))
                )
            }
        )
    return [RedemptionView(r, known[r.household_id], by_redemption[r.id or 0]) for r in redemptions]


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """A Beijing calendar day as a UTC interval [start, end)."""
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


async def list_redemptions(
    session: AsyncSession,
    village: Village,
    *,
    day: date | None = None,
    status: RedemptionStatus | None = None,
    limit: int = 100,
) -> list[RedemptionView]:
    """A village's redemptions, newest first; ``day`` is a Beijing calendar day."""
    query = select(Redemption).where(Redemption.village_id == village.id)
    if day is not None:
        start, end = local_day_bounds(day)
        query = query.where(col(Redemption.created_at) >= start, col(Redemption.created_at) < end)
    if status is not None:
        query = query.where(Redemption.status == status.value)
    redemptions = list(
        await session.scalars(query.order_by(col(Redemption.id).desc()).limit(limit))
    )
    return await _views(session, redemptions)


async def todays_redemptions(
    session: AsyncSession, village: Village, now: datetime | None = None
) -> list[RedemptionView]:
    return await list_redemptions(session, village, day=to_local(now or utcnow()).date())


async def get_redemption(
    session: AsyncSession, village: Village, redemption_id: int
) -> RedemptionView:
    redemption = await session.get(Redemption, redemption_id)
    if redemption is None or redemption.village_id != village.id:
        raise NotFound("redemption_not_found", id=redemption_id)
    household = await session.get(Household, redemption.household_id)
    assert household is not None
    return RedemptionView(redemption, household, await _lines_of(session, redemption_id))
