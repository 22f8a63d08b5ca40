"""退订 / 订阅: a household stops (or restarts) policy broadcasts.

Only broadcasts stop: the household's own receipts, confirmation codes and
replies still go, since it asked for those. Each change is recorded, and
broadcast messages already queued for the household are cancelled.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from core.clock import utcnow
from notifications.models import MessageStatus, OptOutEvent, OutboxMessage, Priority
from village.models import Household

OPT_OUT_WORDS = frozenset({"退订", "TD", "STOP"})
OPT_IN_WORDS = frozenset({"订阅", "DY"})


def keyword(body: str) -> str:
    """The keyword in a reply: trimmed, upper-case, without trailing punctuation."""
    return body.strip().strip("。.!！?？ ").upper()


async def set_opt_out(
    session: AsyncSession,
    household: Household,
    opted_out: bool,
    *,
    channel: str,
    word: str,
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    assert household.id is not None
    household.opted_out_at = now if opted_out else None
    session.add(
        OptOutEvent(
            household_id=household.id,
            opted_out=opted_out,
            channel=channel,
            keyword=word[:20],
            created_at=now,
        )
    )
    if opted_out:
        await session.execute(
            update(OutboxMessage)
            .where(
                col(OutboxMessage.household_id) == household.id,
                col(OutboxMessage.status) == MessageStatus.QUEUED.value,
                col(OutboxMessage.priority) == Priority.BULK.value,
            )
            .values(status=MessageStatus.CANCELLED.value, finished_at=now, last_error=word)
        )
