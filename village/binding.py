"""One-time binding codes: how a Telegram chat becomes a household's, a staff member's or a 孝善
supporter's.

Nobody is bound by a typed name or phone number: the committee prints a card
(or hands a staff member a code) and the person sends ``/start <code>`` from
their own Telegram account (or just sends the code). The code is 8 characters
from an alphabet without look-alikes (no 0/O, 1/I/L); people who copy it by
hand type those all the same, so each is read as the characters of the
alphabet it is taken for (:func:`code_readings`). Only its SHA-256 is stored, so the plain code
exists on the card and nowhere else. A supporter (the adult child of an elder,
often living elsewhere) gets a code from the fund council or the committee.

A code binds once: :func:`bind_chat` marks it used with an ``UPDATE … WHERE
used_at IS NULL`` and checks the row count, so two chats racing with the same
code never both win. Issuing a new code for a person revokes their earlier
unused codes (a reprinted card voids the lost one). Every code typed is
recorded as a :class:`BindingAttempt`; a chat that types too many wrong codes
within the window is refused without its code even being looked at. Because
that record must be committed whatever happens, :func:`bind_chat` returns the
outcome instead of raising.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any, TypeVar, cast
from urllib.parse import quote

from sqlalchemy import CursorResult, bindparam, func, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import local_date_text, to_local, utcnow
from core.errors import DomainError, Forbidden
from core.models import Role
from core.settings import get_settings
from village.access import require_fund_role, require_role
from village.models import (
    BindingAttempt,
    BindingCode,
    ChatBinding,
    Household,
    StaffMember,
    Supporter,
    Village,
)

T = TypeVar("T")

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
HOUSEHOLD_ROLE = "household"
SUPPORTER_ROLE = "supporter"
_CHUNK = 500  # ids per IN (…) list: well inside SQLite's and asyncpg's parameter limits
_IGNORED = frozenset(" -_.·‐‑‒–—―−\t\r\n\u3000")
#: Characters the alphabet leaves out, and those of the alphabet they are typed for
#: (a round letter read as O or 0, an upright stroke read as 1, I or l).
LOOK_ALIKES = {"0": "DQ", "O": "DQ", "1": "JT7", "I": "JT7", "L": "JT7"}
#: More look-alikes than this and the text is not taken for a code: each one
#: multiplies the codes a single attempt tries.
MAX_LOOK_ALIKES = 2


# ---------------------------------------------------------------------------
# Codes
# ---------------------------------------------------------------------------


def new_code() -> str:
    """A fresh plain code (8 characters of :data:`ALPHABET`)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _cleaned(entered: str) -> str:
    folded = unicodedata.normalize("NFKC", entered).upper()
    return "".join(ch for ch in folded if ch not in _IGNORED and not ch.isspace())


def code_readings(entered: str) -> list[str]:
    """Every code the person may have meant; empty when the text cannot be a code.

    Full-width characters (a Chinese IME), lower case, spaces and dashes are
    accepted: ``ａｂｃｄ－２３４５`` and ``abcd 2345`` both read as ``ABCD2345``.
    A look-alike outside the alphabet (``O``, ``0``, ``1``, ``I``, ``l``)
    stands for each character of the alphabet it is taken for: ``K7MO-23QZ``
    reads as ``K7MD23QZ`` and ``K7MQ23QZ``.
    """
    cleaned = _cleaned(entered)
    choices = [LOOK_ALIKES.get(ch, ch) for ch in cleaned]
    if (
        len(cleaned) != CODE_LENGTH
        or any(ch not in ALPHABET and ch not in LOOK_ALIKES for ch in cleaned)
        or sum(ch in LOOK_ALIKES for ch in cleaned) > MAX_LOOK_ALIKES
    ):
        return []
    return ["".join(reading) for reading in itertools.product(*choices)]


def format_code(code: str) -> str:
    """How a code is printed: ``ABCD-2345`` (the dash is ignored when typed back)."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def hash_code(code: str) -> str:
    return hashlib.sha256(f"xiangxin:binding:{code}".encode()).hexdigest()


def deep_link(bot_username: str, code: str) -> str:
    """The t.me link that opens the bot and sends ``/start <code>`` when Start is pressed."""
    bot = bot_username.strip().lstrip("@")
    return f"https://t.me/{quote(bot)}?start={quote(code)}"


def expiry(now: datetime | None = None) -> datetime:
    """When codes issued at ``now`` stop working: the end of the Beijing day, N days on."""
    now = now or utcnow()
    last_day = to_local(now).date() + timedelta(days=get_settings().binding_code_days)
    end = datetime.combine(last_day, time(23, 59, 59), tzinfo=to_local(now).tzinfo)
    return end.astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _chunks(values: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


async def _fresh_codes(session: AsyncSession, count: int) -> list[str]:
    """``count`` distinct codes whose hashes are not in the table yet."""
    codes: list[str] = []
    taken: set[str] = set()
    while len(codes) < count:
        batch: dict[str, str] = {}
        while len(batch) < count - len(codes):
            code = new_code()
            digest = hash_code(code)
            if digest not in taken and digest not in batch:
                batch[digest] = code
        digests = list(batch)
        for part in _chunks(digests):
            clashes = await session.scalars(
                select(BindingCode.code_hash).where(col(BindingCode.code_hash).in_(part))
            )
            for clash in clashes:
                del batch[clash]
        taken.update(batch)
        codes.extend(batch.values())
    return codes


async def _revoke_unused(
    session: AsyncSession,
    now: datetime,
    *,
    household_ids: Sequence[int] = (),
    staff_ids: Sequence[int] = (),
    supporter_ids: Sequence[int] = (),
) -> int:
    revoked = 0
    for column, ids in (
        (col(BindingCode.household_id), household_ids),
        (col(BindingCode.staff_id), staff_ids),
        (col(BindingCode.supporter_id), supporter_ids),
    ):
        for part in _chunks(ids):
            result = await session.execute(
                update(BindingCode)
                .where(
                    column.in_(part),
                    col(BindingCode.used_at).is_(None),
                    col(BindingCode.revoked_at).is_(None),
                )
                .values(revoked_at=now)
                .execution_options(synchronize_session=False)
            )
            revoked += int(cast(CursorResult[Any], result).rowcount or 0)
    return revoked


async def _insert_codes(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        await session.execute(insert(BindingCode), rows[start : start + _CHUNK])


# ---------------------------------------------------------------------------
# Issuing
# ---------------------------------------------------------------------------


async def issue_code(
    session: AsyncSession,
    actor: StaffMember,
    *,
    household: Household | None = None,
    staff: StaffMember | None = None,
    now: datetime | None = None,
) -> str:
    """A new one-time code for ``household`` or ``staff`` (exactly one); returns it in plain.

    Only a committee member of that village (or a county admin) may issue it.
    The person's earlier unused codes are revoked.
    """
    if (household is None) == (staff is None):
        raise DomainError("binding_no_target")
    now = now or utcnow()
    if household is not None:
        village_id: int | None = household.village_id
    else:
        assert staff is not None
        if not staff.active:
            raise DomainError("binding_staff_inactive", name=staff.name)
        village_id = staff.village_id
        if village_id is None:
            raise DomainError("binding_staff_no_village", name=staff.name)
    village = await session.get(Village, village_id)
    assert village is not None
    require_role(actor, village, Role.COMMITTEE)

    household_ids = [household.id or 0] if household is not None else []
    staff_ids = [staff.id or 0] if staff is not None else []
    await _revoke_unused(session, now, household_ids=household_ids, staff_ids=staff_ids)
    (code,) = await _fresh_codes(session, 1)
    await _insert_codes(
        session,
        [
            {
                "code_hash": hash_code(code),
                "village_id": village.id,
                "household_id": household.id if household is not None else None,
                "staff_id": staff.id if staff is not None else None,
                "issued_by": actor.id,
                "created_at": now,
                "expires_at": expiry(now),
            }
        ],
    )
    return code


async def issue_household_codes(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    households: Sequence[Household],
    now: datetime | None = None,
) -> list[tuple[Household, str]]:
    """Fresh codes for many households of ``village`` at once (printing cards).

    Revokes their earlier unused codes and inserts the new ones in bulk: a few
    statements per 500 households, not one per household.
    """
    require_role(actor, village, Role.COMMITTEE)
    now = now or utcnow()
    for household in households:
        if household.village_id != village.id:
            raise Forbidden(
                "binding_household_other_village", number=household.number, village=village.name
            )
    unique = list({household.id: household for household in households}.values())
    if not unique:
        return []
    await _revoke_unused(session, now, household_ids=[h.id or 0 for h in unique])
    codes = await _fresh_codes(session, len(unique))
    expires_at = expiry(now)
    await _insert_codes(
        session,
        [
            {
                "code_hash": hash_code(code),
                "village_id": village.id,
                "household_id": household.id,
                "staff_id": None,
                "issued_by": actor.id,
                "created_at": now,
                "expires_at": expires_at,
            }
            for household, code in zip(unique, codes, strict=True)
        ],
    )
    return list(zip(unique, codes, strict=True))


async def issue_supporter_code(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    supporter: Supporter,
    now: datetime | None = None,
) -> str:
    """A new one-time code for a 孝善 ``supporter`` of ``village``; returns it in plain.

    The fund council or the committee of that village (or a county admin) may
    issue it; the supporter's earlier unused codes are revoked.
    """
    require_fund_role(actor, village)
    if supporter.village_id != village.id:
        raise Forbidden("supporter_other_village", name=supporter.name, village=village.name)
    now = now or utcnow()
    await _revoke_unused(session, now, supporter_ids=[supporter.id or 0])
    (code,) = await _fresh_codes(session, 1)
    await _insert_codes(
        session,
        [
            {
                "code_hash": hash_code(code),
                "village_id": village.id,
                "household_id": None,
                "staff_id": None,
                "supporter_id": supporter.id,
                "issued_by": actor.id,
                "created_at": now,
                "expires_at": expiry(now),
            }
        ],
    )
    return code


# ---------------------------------------------------------------------------
# Who a chat is
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """Who is behind a bound chat: a household, a staff member or a 孝善 supporter of a village."""

    household: Household | None
    staff: StaffMember | None
    village: Village
    supporter: Supporter | None = None

    @property
    def is_staff(self) -> bool:
        return self.staff is not None

    @property
    def role(self) -> str:
        """``"household"``, ``"supporter"`` or the staff member's role (``committee`` …)."""
        if self.staff is not None:
            return self.staff.role
        return SUPPORTER_ROLE if self.supporter is not None else HOUSEHOLD_ROLE

    @property
    def name(self) -> str:
        if self.staff is not None:
            return self.staff.name
        if self.supporter is not None:
            return self.supporter.name
        assert self.household is not None
        return self.household.head_name

    @property
    def role_text(self) -> str:
        """The role as people read it (村两委, 超市店主 …; 农户, 赡养人)."""
        if self.supporter is not None:
            return text("supporter_role")
        if self.staff is None:
            return text("binding_role_household")
        return text(f"role_{self.staff.role}")

    @property
    def label(self) -> str:
        """``户主名（户编号）`` or ``姓名（角色，村）``: how the person is named in chats."""
        if self.staff is not None or self.supporter is not None:
            return text(
                "binding_label_staff",
                name=self.name,
                role=self.role_text,
                village=self.village.name,
            )
        assert self.household is not None
        return text(
            "binding_label_household",
            name=self.household.head_name,
            number=self.household.number,
        )


#: Built once: it runs on every chat update, and building a statement costs more
#: than SQLite takes to answer it.
_IDENTIFY = (
    select(Household, StaffMember, Supporter, Village)
    .select_from(ChatBinding)
    .outerjoin(Household, col(Household.id) == col(ChatBinding.household_id))
    .outerjoin(StaffMember, col(StaffMember.id) == col(ChatBinding.staff_id))
    .outerjoin(Supporter, col(Supporter.id) == col(ChatBinding.supporter_id))
    .join(
        Village,
        col(Village.id)
        == func.coalesce(
            col(Household.village_id), col(StaffMember.village_id), col(Supporter.village_id)
        ),
    )
    .where(col(ChatBinding.chat_id) == bindparam("chat_id"), col(ChatBinding.active).is_(True))
)


async def identify(session: AsyncSession, chat_id: str | int) -> Identity | None:
    """The active binding of ``chat_id`` (one query); ``None`` if unbound or staff inactive."""
    row = (await session.execute(_IDENTIFY, {"chat_id": str(chat_id)})).first()
    if row is None:
        return None
    household, staff, supporter, village = row
    if staff is not None and not staff.active:
        return None
    return Identity(household=household, staff=staff, village=village, supporter=supporter)


async def unbind(session: AsyncSession, chat_id: str | int) -> bool:
    """Stop treating ``chat_id`` as anyone; ``False`` if it was not bound."""
    result = await session.execute(
        update(ChatBinding)
        .where(col(ChatBinding.chat_id) == str(chat_id), col(ChatBinding.active).is_(True))
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    return bool(cast(CursorResult[Any], result).rowcount)


# ---------------------------------------------------------------------------
# Binding
# ---------------------------------------------------------------------------


class BindOutcome(StrEnum):
    BOUND = "bound"
    WRONG = "wrong"  # no such code
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"  # a newer card was printed, or the staff member was deactivated
    RATE_LIMITED = "rate_limited"
    BAD_FORMAT = "bad_format"


@dataclass(frozen=True)
class BindResult:
    """The outcome of a code typed in a chat; the caller commits it whatever it is."""

    outcome: BindOutcome
    identity: Identity | None = None
    attempts_left: int = 0
    expires_at: datetime | None = None
    window_minutes: int = 0
    used_here: bool = False  # the code was used by this very chat (Start pressed twice)

    @property
    def ok(self) -> bool:
        return self.outcome == BindOutcome.BOUND

    @property
    def message(self) -> str:
        """What the chat is told, in Chinese."""
        if self.outcome == BindOutcome.BOUND:
            assert self.identity is not None
            return text("binding_bound", label=self.identity.label)
        if self.outcome == BindOutcome.WRONG and self.attempts_left == 0:
            return text("binding_wrong_last", minutes=self.window_minutes)
        if self.outcome == BindOutcome.WRONG:
            return text("binding_wrong", left=self.attempts_left)
        if self.outcome == BindOutcome.USED and self.used_here:
            return text("binding_used_here")
        if self.outcome == BindOutcome.EXPIRED:
            moment = self.expires_at or utcnow()
            return text("binding_expired", date=local_date_text(moment))
        if self.outcome == BindOutcome.RATE_LIMITED:
            return text("binding_rate_limited", minutes=self.window_minutes)
        return text(f"binding_{self.outcome.value}")


async def _recent_failures(session: AsyncSession, chat_id: str, now: datetime) -> int:
    since = now - timedelta(minutes=get_settings().binding_window_minutes)
    count = await session.scalar(
        select(func.count())
        .select_from(BindingAttempt)
        .where(
            col(BindingAttempt.chat_id) == chat_id,
            col(BindingAttempt.ok).is_(False),
            col(BindingAttempt.at) > since,
        )
    )
    return int(count or 0)


async def _upsert_binding(
    session: AsyncSession, chat_id: str, code: BindingCode, now: datetime
) -> None:
    """Point ``chat_id`` at the code's person, replacing whoever it was bound to."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    factory = pg_insert if dialect == "postgresql" else sqlite_insert
    values = {
        "household_id": code.household_id,
        "staff_id": code.staff_id,
        "supporter_id": code.supporter_id,
        "active": True,
        "created_at": now,
    }
    stmt = factory(ChatBinding).values(chat_id=chat_id, **values)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["chat_id"], set_=values),
        execution_options={"synchronize_session": False},
    )


async def _target(session: AsyncSession, code: BindingCode) -> Identity | None:
    if code.supporter_id is not None:
        supporter = await session.get(Supporter, code.supporter_id)
        if supporter is None:
            return None
        village = await session.get(Village, supporter.village_id)
        if village is None:
            return None
        return Identity(household=None, staff=None, village=village, supporter=supporter)
    household = staff = None
    if code.household_id is not None:
        household = await session.get(Household, code.household_id)
        village_id = household.village_id if household is not None else None
    else:
        staff = await session.get(StaffMember, code.staff_id)
        if staff is None or not staff.active:
            return None
        village_id = staff.village_id
    village = await session.get(Village, village_id) if village_id is not None else None
    if village is None or (household is None and staff is None):
        return None
    return Identity(household=household, staff=staff, village=village)


@dataclass(frozen=True)
class _Tried:
    outcome: BindOutcome
    identity: Identity | None = None
    expires_at: datetime | None = None
    used_here: bool = False


async def _try(session: AsyncSession, chat_id: str, entered: str, now: datetime) -> _Tried:
    readings = code_readings(entered)
    if not readings:
        return _Tried(BindOutcome.BAD_FORMAT)
    hashes = [hash_code(reading) for reading in readings]
    found = await session.scalars(select(BindingCode).where(col(BindingCode.code_hash).in_(hashes)))
    # Two readings that are both codes is all but impossible; should it happen, an open one wins.
    code = min(found, key=lambda c: (c.used_at is not None, c.revoked_at is not None), default=None)
    if code is None:
        return _Tried(BindOutcome.WRONG)
    if code.used_at is not None:
        return _Tried(BindOutcome.USED, used_here=code.used_by_chat == chat_id)
    if code.revoked_at is not None:
        return _Tried(BindOutcome.REVOKED)
    if _aware(code.expires_at) < now:
        return _Tried(BindOutcome.EXPIRED, expires_at=code.expires_at)
    identity = await _target(session, code)
    if identity is None:
        return _Tried(BindOutcome.REVOKED)
    claimed = await session.execute(
        update(BindingCode)
        .where(
            col(BindingCode.id) == code.id,
            col(BindingCode.used_at).is_(None),
            col(BindingCode.revoked_at).is_(None),
        )
        .values(used_at=now, used_by_chat=chat_id)
        .execution_options(synchronize_session=False)
    )
    if not cast(CursorResult[Any], claimed).rowcount:
        return _Tried(BindOutcome.USED)  # another chat took it a moment ago
    await _upsert_binding(session, chat_id, code, now)
    return _Tried(BindOutcome.BOUND, identity)


async def bind_chat(
    session: AsyncSession, chat_id: str | int, code: str, now: datetime | None = None
) -> BindResult:
    """Bind ``chat_id`` with the one-time ``code`` typed in it (``/start <code>`` or alone).

    Never raises for a bad code: the attempt is recorded and must be committed,
    so the outcome is returned (``result.ok``, ``result.message``).
    """
    now = now or utcnow()
    chat = str(chat_id).strip()
    settings = get_settings()
    failures = await _recent_failures(session, chat, now)
    if failures >= settings.binding_attempts:
        result = BindResult(
            BindOutcome.RATE_LIMITED, window_minutes=settings.binding_window_minutes
        )
    else:
        tried = await _try(session, chat, code, now)
        left = settings.binding_attempts - failures - (tried.outcome != BindOutcome.BOUND)
        result = BindResult(
            tried.outcome,
            tried.identity,
            attempts_left=max(left, 0),
            expires_at=tried.expires_at,
            window_minutes=settings.binding_window_minutes,
            used_here=tried.used_here,
        )
    session.add(BindingAttempt(chat_id=chat, ok=result.ok, at=now))
    await session.flush()
    return result
