"""Texts people send us: recorded first, then answered through the outbox.

The answer comes from a conversation the front-end supplies (the chat bot's
command layer, so SMS and Telegram answer alike); without one, only the
subscription keywords (退订/TD, 订阅/DY) are understood and the rest get a short
help. A conversation that fails on a rule is answered with the rule's message;
the text itself is kept either way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import to_local, utcnow
from core.errors import DomainError
from fund.supporter_view import supporter_sms
from notifications import outbox
from notifications.models import ChannelName, InboundMessage, Priority
from notifications.subscription import OPT_IN_WORDS, OPT_OUT_WORDS, keyword, set_opt_out
from village.models import Household, Supporter

#: (session, the households registered with the sender's phone, the text, now) → the reply.
Conversation = Callable[[AsyncSession, Sequence[Household], str, datetime], Awaitable[str]]


async def subscription_only(
    session: AsyncSession, households: Sequence[Household], body: str, now: datetime
) -> str:
    word = keyword(body)
    if word in OPT_OUT_WORDS or word in OPT_IN_WORDS:
        return await subscribe(session, households, word in OPT_OUT_WORDS, word, now)
    return text("inbound_help")


async def subscribe(
    session: AsyncSession,
    households: Sequence[Household],
    opted_out: bool,
    word: str,
    now: datetime,
    channel: ChannelName = ChannelName.SMS,
) -> str:
    for household in households:
        await set_opt_out(session, household, opted_out, channel=channel.value, word=word, now=now)
    return text("opt_out_done" if opted_out else "opt_in_done")


async def households_by_phone(session: AsyncSession, phone: str) -> list[Household]:
    return list(
        await session.scalars(
            select(Household).where(Household.phone == phone).order_by(col(Household.id))
        )
    )


async def receive_sms(
    session: AsyncSession,
    phone: str,
    body: str,
    *,
    provider_id: str | None = None,
    now: datetime | None = None,
    conversation: Conversation = subscription_only,
) -> str:
    """Record an inbound SMS, answer it, queue the reply; returns the reply text."""
    now = now or utcnow()
    households = await households_by_phone(session, phone)
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
    if not households:
        reply = await _not_a_household(session, phone, now)
    else:
        try:
            async with session.begin_nested():  # a refused request leaves only the record
                reply = await conversation(session, households, body, now)
        except DomainError as error:
            reply = error.message
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


async def _not_a_household(session: AsyncSession, phone: str, now: datetime) -> str:
    """A 孝善 supporter (often living elsewhere) hears of their pledges; anyone else is unknown."""
    supporters = list(
        await session.scalars(
            select(Supporter).where(Supporter.phone == phone).order_by(col(Supporter.id)).limit(3)
        )
    )
    if not supporters:
        return text("inbound_unknown_sender")
    today = to_local(now).date()
    return "\n".join([await supporter_sms(session, s, today) for s in supporters])
