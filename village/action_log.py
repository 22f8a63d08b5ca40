"""Who did what: one line per act whose own rows do not name the person who did it.

Ledger entries, stock movements, visits and the like carry their actor in
their own rows. A few acts only change a setting or a link (a household moved
to another helper, a visit plan, a supporter's corrected number, a cancelled
notice); :func:`record` writes one :class:`~village.models.ActionLog` line for
them in the act's own transaction, so the act and its record stand or fall
together. The sentence is rendered from the catalogue entry ``action_<code>``
when written and kept as it was said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from village.models import ActionLog, StaffMember, Village

DETAIL_LIMIT = 500
ACTION_LIMIT = 32


@dataclass(frozen=True)
class ActionLine:
    at: datetime  # UTC
    village: str  # "" for a county-level act
    actor: str  # the staff member's name
    detail: str  # the sentence as recorded


async def record(
    session: AsyncSession,
    actor: StaffMember,
    village: Village | None,
    action: str,
    **params: Any,
) -> ActionLog:
    """Add the line ``action_<action>`` (with ``params``) for ``actor``; the caller commits."""
    if len(action) > ACTION_LIMIT:
        raise ValueError(f"action code longer than {ACTION_LIMIT}: {action!r}")
    detail = text(f"action_{action}", **params)
    if len(detail) > DETAIL_LIMIT:
        detail = detail[: DETAIL_LIMIT - 1] + "…"
    assert actor.id is not None, "an actor is a stored staff member"
    row = ActionLog(
        village_id=village.id if village else None,
        actor_id=actor.id,
        action=action,
        detail=detail,
    )
    session.add(row)
    await session.flush()
    return row


async def recent(session: AsyncSession, village_id: int | None, limit: int) -> list[ActionLine]:
    """The latest ``limit`` lines, newest first: one village's, or every one's (None)."""
    query = (
        select(ActionLog, StaffMember.name, Village.name)
        .join(StaffMember, col(StaffMember.id) == col(ActionLog.actor_id))
        .outerjoin(Village, col(Village.id) == col(ActionLog.village_id))
        .order_by(col(ActionLog.id).desc())
        .limit(limit)
    )
    if village_id is not None:
        query = query.where(col(ActionLog.village_id) == village_id)
    rows = await session.execute(query)
    return [
        ActionLine(at=log.at, village=village or "", actor=actor, detail=log.detail)
        for log, actor, village in rows
    ]
