"""Who logged in to the console, from where, and who tried and failed: the login audit.

Every try is a :class:`~village.models.LoginAttempt` row already (the throttle
counts them), so the audit is only a reading of those rows. A village's page
lists the tries typed with its name and the logins of its staff; the 村两委
and the 村务监督委员会 read it (watching who acts is the supervisors' job),
and a county administrator reads every village's and the county's own.
Under the logins, the same readers see the action log (:mod:`village.action_log`):
who assigned a helper, set a plan, corrected a supporter, cancelled a notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import local_text
from core.models import Role
from usecases.principal import Principal, require_roles, village_for
from village.action_log import recent
from village.models import LoginAttempt, StaffMember, Village

SHOWN = 200
READERS = (Role.COMMITTEE, Role.SUPERVISOR)


@dataclass(frozen=True)
class LoginLine:
    at: str  # Beijing time
    village: str  # as typed
    name: str  # as typed
    peer: str
    result: str  # 登录成功 / 账号已停用 / 密码不对或无此账号
    ok: bool
    ended: str  # Beijing time of the logout, or ""


@dataclass(frozen=True)
class ActionRow:
    at: str  # Beijing time
    village: str  # "" for a county-level act
    actor: str
    detail: str


@dataclass(frozen=True)
class LoginAuditView:
    village: Village | None  # None: the county's page, every village
    lines: list[LoginLine]
    failed_day: int  # failed tries in the last 24 hours
    peers_failed_day: int  # from how many addresses
    actions: list[ActionRow]  # the latest acts, newest first


def _result(attempt: LoginAttempt) -> str:
    if attempt.ok:
        return text("console_audit_ok")
    if attempt.staff_id is not None:  # right password, the account is switched off
        return text("console_audit_inactive")
    return text("console_audit_wrong")


def _line(attempt: LoginAttempt) -> LoginLine:
    return LoginLine(
        at=local_text(attempt.at),
        village=attempt.village or text("console_audit_county"),
        name=attempt.name,
        peer=attempt.peer or "—",
        result=_result(attempt),
        ok=attempt.ok,
        ended=local_text(attempt.ended_at) if attempt.ended_at else "",
    )


async def login_audit(
    session: AsyncSession, principal: Principal, village_id: int | None, now: datetime
) -> LoginAuditView:
    """The latest tries of one village (``village_id``), or of the whole county (None)."""
    mine: ColumnElement[bool] = true()
    village: Village | None = None
    if village_id is None:
        require_roles(principal, Role.COUNTY_ADMIN)
    else:
        village = await village_for(session, principal, village_id, *READERS)
        staff = select(col(StaffMember.id)).where(col(StaffMember.village_id) == village_id)
        mine = or_(col(LoginAttempt.village) == village.name, col(LoginAttempt.staff_id).in_(staff))
    attempts = await session.scalars(
        select(LoginAttempt).where(mine).order_by(col(LoginAttempt.id).desc()).limit(SHOWN)
    )
    failed, peers = (
        await session.execute(
            select(func.count(), func.count(func.distinct(col(LoginAttempt.peer)))).where(
                mine,
                col(LoginAttempt.ok).is_(False),
                col(LoginAttempt.at) > now - timedelta(days=1),
            )
        )
    ).one()
    return LoginAuditView(
        village=village,
        lines=[_line(a) for a in attempts],
        failed_day=int(failed),
        peers_failed_day=int(peers),
        actions=[
            ActionRow(local_text(a.at), a.village, a.actor, a.detail)
            for a in await recent(session, village_id, SHOWN)
        ],
    )
