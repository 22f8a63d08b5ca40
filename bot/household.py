"""What a household can ask, answered the same way in its Telegram chat and by SMS.

Each command calls one domain function and renders its answer; an SMS answer
is the compact rendering (a basic phone, paid per segment). A phone number may
belong to several households (a shared phone in the family): each is answered,
except a 求助, which is reported once, for the first of them (one family, one
hardship; the committee sees the household and calls back).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.keywords import Command, Parsed, parse
from care.hardship import kind_text
from care.hardship_alert import report_hardship
from core.catalogue import text
from notifications.inbound import subscribe
from notifications.models import ChannelName
from points import household_view
from points.messages import send_receipts
from points.supermarket import confirm_by_code, list_items
from village.models import Household, Village

MAX_HOUSEHOLDS = 3  # answered per message; more on one phone is a roster problem


async def answer(
    session: AsyncSession,
    households: Sequence[Household],
    parsed: Parsed,
    now: datetime,
    *,
    channel: ChannelName,
) -> str:
    sms = channel is ChannelName.SMS
    homes = list(households)[:MAX_HOUSEHOLDS]
    match parsed.command:
        case Command.HELP:
            return text("household_help_sms" if sms else "household_help")
        case Command.POINTS:
            points = [await household_view.points_summary(session, h, now) for h in homes]
            return "\n\n".join(household_view.render_points(p, sms=sms) for p in points)
        case Command.STARS:
            stars = [await household_view.stars_summary(session, h, now) for h in homes]
            return "\n\n".join(household_view.render_stars(s, sms=sms) for s in stars)
        case Command.SHOP:
            village = await session.get(Village, homes[0].village_id)
            assert village is not None
            items = await list_items(session, village)
            return household_view.render_catalogue(items, village, sms=sms)
        case Command.OPT_OUT | Command.OPT_IN:
            opted_out = parsed.command is Command.OPT_OUT
            return await subscribe(
                session, homes, opted_out, parsed.command.value, now, channel=channel
            )
        case Command.CODE:
            confirmation = await confirm_by_code(session, homes, parsed.argument, now)
            if confirmation is None:
                return text("household_nothing_to_confirm")
            if not confirmation.ok:
                return confirmation.message
            await send_receipts(session, confirmation, now, to_household=False)
            assert confirmation.receipt is not None
            return confirmation.receipt.text
        case Command.HARDSHIP:
            report = await report_hardship(session, homes[0], parsed.argument, channel.value, now)
            return text("care_hardship_received", kind=kind_text(report.kind))
    return (
        text("household_unknown", text=parsed.argument[:20])
        + "\n"
        + text("household_help_sms" if sms else "household_help")
    )


async def answer_sms(
    session: AsyncSession, households: Sequence[Household], body: str, now: datetime
) -> str:
    """The SMS conversation the outreach engine hands inbound texts to."""
    return await answer(session, households, parse(body), now, channel=ChannelName.SMS)
