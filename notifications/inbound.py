"""Texts people send us: recorded first, then answered through the outbox.

For now the answers are the subscription keywords (退订/TD, 订阅/DY) and a short
help; the chat front-end's command layer takes over the rest of the keywords.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import utcnow
from notifications import outbox
from notifications.models import ChannelName, InboundMessage, Priority
from notifications.subscription import OPT_IN_WORDS, OPT_OUT_WORDS, keyword, set_opt_out
from village.models import Household


async def receive_sms(
    session: AsyncSession,
    phone: str,
    body: str,
    *,
    provider_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """Record an inbound SMS, act on it, queue the reply; returns the reply text."""
    now = now or utcnow()
    households = list(
        await session.scalars(
            select(Household).where(Household.phone == phone).order_by(col(Household.id))
        )
    )
    inbound = InboundMessage(
        channel=ChannelName.SMS.value,
        sender=phone,
        body=body[:1000],
        provider_id=provider_id,
        household_id=households[0].id if households else None,
        created_at=now,
    )
    session.add(inbound)
    await session.flush()
    word = keyword(body)
    if not households:
        reply = text("inbound_unknown_sender")
    elif word in OPT_OUT_WORDS or word in OPT_IN_WORDS:
        opted_out = word in OPT_OUT_WORDS
        for household in households:
            await set_opt_out(
                session, household, opted_out, channel=ChannelName.SMS.value, word=word, now=now
            )
        reply = text("opt_out_done" if opted_out else "opt_in_done")
    else:
        reply = text("inbound_help")
    await outbox.queue(
        session,
        key=f"reply:{inbound.id}",
        channel=ChannelName.SMS,
        address=phone,
        body=reply,
        priority=Priority.PERSONAL,
        household_id=households[0].id if households else None,
        now=now,
    )
    return reply
