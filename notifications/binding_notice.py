"""Tell a person by SMS when a Telegram chat has just been bound to them.

A binding code passes through other hands (the committee member who printed or
issued it), so the phone in the roster hears of every new binding: whoever
bound a chat that is not theirs is found out at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.catalogue import text
from core.clock import local_text
from notifications import outbox
from notifications.models import ChannelName, Priority
from village.binding import Identity


async def tell_new_binding(
    session: AsyncSession, who: Identity, chat_id: str, now: datetime
) -> bool:
    """Queue the SMS; False when the person has no phone in the roster."""
    person = who.household or who.staff or who.supporter
    phone = person.phone if person is not None else None
    if not phone:
        return False
    await outbox.queue(
        session,
        key=f"binding:{chat_id}:{now.isoformat()}",
        channel=ChannelName.SMS,
        address=phone,
        body=text("binding_told", name=who.name, time=local_text(now)),
        priority=Priority.PERSONAL,
        household_id=who.household.id if who.household is not None else None,
        staff_id=who.staff.id if who.staff is not None else None,
        now=now,
    )
    return True
