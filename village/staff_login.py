"""Console passwords and logins of staff members: argon2 hashes, a throttle, an audit.

Only an argon2id hash of a password is kept (argon2-cffi's defaults, rehashed
when those defaults grow). Every login tried is a :class:`LoginAttempt` row, so
that every process serving the same database counts the same wrong passwords:
after ``attempts`` failures for one account (village + name) or from one
address within ``window``, further tries are refused until the window has
passed, even with the right password. A successful row is the session the
console keeps in its cookie; logging out sets its ``ended_at``.

Whoever logs in then acts as themselves: the console passes the logged-in
staff row (``await principal.staff(session)``) as the actor to the domain
functions, which record it on everything they change.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from core.clock import utcnow
from core.errors import DomainError, Forbidden
from village.models import LoginAttempt, StaffMember, Village

MIN_PASSWORD = 8
PEER_LIMIT = 64
DEFAULT_ATTEMPTS = 5
DEFAULT_WINDOW = timedelta(minutes=15)

hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _stand_in_hash() -> str:
    """A hash to verify against when there is no account, so a miss takes as long as a hit."""
    return hasher.hash("no such account, no such password")


def check_password(password: str) -> None:
    """Refuse a password too short to stand a guess (blank counts as empty)."""
    if len(password) < MIN_PASSWORD or not password.strip():
        raise DomainError("password_too_short", size=MIN_PASSWORD)


async def set_password(
    session: AsyncSession, staff: StaffMember, password: str, now: datetime | None = None
) -> None:
    """Give ``staff`` a console password; the logins opened before it are over."""
    check_password(password)
    staff.password_hash = hasher.hash(password)
    staff.password_set_at = now or utcnow()
    session.add(staff)
    await session.flush()


def _matches(staff: StaffMember | None, password: str) -> bool:
    stored = staff.password_hash if staff is not None else None
    try:
        return hasher.verify(stored or _stand_in_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


async def _staff_named(session: AsyncSession, village_name: str, name: str) -> StaffMember | None:
    """The account: a name in a village, or a county administrator's name with no village."""
    query = select(StaffMember).where(StaffMember.name == name)
    if village_name:
        query = query.join(Village, col(Village.id) == col(StaffMember.village_id)).where(
            Village.name == village_name
        )
    else:
        query = query.where(col(StaffMember.village_id).is_(None))
    return (await session.scalars(query)).first()


async def _wait_minutes(
    session: AsyncSession,
    village_name: str,
    name: str,
    peer: str,
    now: datetime,
    attempts: int,
    window: timedelta,
) -> int:
    """Minutes until another try is allowed: 0 unless the account or the address is throttled.

    The account and the address are counted apart, each against ``attempts``:
    one guesser trying many names, or many guessers trying one name.
    """
    since = now - window
    failed = select(func.min(LoginAttempt.at), func.count()).where(
        col(LoginAttempt.ok).is_(False), col(LoginAttempt.at) > since
    )
    account = (LoginAttempt.village == village_name) & (LoginAttempt.name == name)
    wait = timedelta(0)
    for who in (account, LoginAttempt.peer == peer) if peer else (account,):
        first, count = (await session.execute(failed.where(who))).one()
        if count >= attempts and first is not None:
            wait = max(wait, first + window - now)
    return math.ceil(wait.total_seconds() / 60) if wait > timedelta(0) else 0


async def log_in(
    session: AsyncSession,
    village_name: str,
    name: str,
    password: str,
    peer: str,
    now: datetime | None = None,
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    window: timedelta = DEFAULT_WINDOW,
) -> tuple[StaffMember, LoginAttempt]:
    """The staff member whose password this is, and the login row that is their session.

    Wrong village, name or password all get one message, so a guesser learns
    nothing about which names exist. The failed attempt is added to ``session``
    before the error is raised: catch the error inside the transaction so that
    it is committed, or the throttle never counts it.
    """
    now = now or utcnow()
    village_name, name, peer = village_name.strip(), name.strip(), peer[:PEER_LIMIT]
    minutes = await _wait_minutes(session, village_name, name, peer, now, attempts, window)
    if minutes:
        raise Forbidden("login_throttled", minutes=minutes)
    staff = await _staff_named(session, village_name, name)
    ok = _matches(staff, password)
    attempt = LoginAttempt(at=now, village=village_name[:64], name=name[:64], peer=peer)
    if staff is not None and ok:
        attempt.staff_id = staff.id
        attempt.ok = staff.active
        if staff.active and hasher.check_needs_rehash(staff.password_hash or ""):
            staff.password_hash = hasher.hash(password)  # same password: earlier logins stay
            session.add(staff)
    session.add(attempt)
    await session.flush()
    if staff is None or not ok:
        raise Forbidden("login_wrong")
    if not staff.active:
        raise Forbidden("login_inactive", name=staff.name)
    return staff, attempt


async def logged_in_staff(
    session: AsyncSession, login_id: int, password_set_at: float | None
) -> StaffMember | None:
    """The staff member of a login still open: not logged out, active, password unchanged."""
    attempt = await session.get(LoginAttempt, login_id)
    if attempt is None or not attempt.ok or attempt.ended_at is not None:
        return None
    staff = await session.get(StaffMember, attempt.staff_id) if attempt.staff_id else None
    if staff is None or not staff.active or staff.password_set_at is None:
        return None
    if password_set_at != staff.password_set_at.timestamp():
        return None
    return staff


async def log_out(session: AsyncSession, login_id: int, now: datetime | None = None) -> None:
    """End the login: its cookie, even kept somewhere, no longer logs anyone in."""
    attempt = await session.get(LoginAttempt, login_id)
    if attempt is not None and attempt.ended_at is None:
        attempt.ended_at = now or utcnow()
        session.add(attempt)
        await session.flush()
