"""A household's chat: the same commands as by SMS, plus the redemption buttons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import household
from bot.keywords import Command, Parsed, parse
from bot.telegram.turn import Reply, Turn
from core.catalogue import text
from core.errors import DomainError
from notifications.models import ChannelName
from points.messages import (
    CONFIRM,
    REFUSE,
    answer_chat_confirmation,
    tell_refused,
)
from points.supermarket import confirm_for_household, refuse_for_household
from village.binding import Identity

WITH_MENU = frozenset({Command.HELP, Command.UNKNOWN})


async def answer_text(session: AsyncSession, who: Identity, parsed: Parsed, now: datetime) -> Reply:
    assert who.household is not None
    body = await household.answer(
        session, [who.household], parsed, now, channel=ChannelName.TELEGRAM
    )
    return Reply(body, menu=parsed.command in WITH_MENU)


class Household:
    MENU = ("menu_points", "menu_stars", "menu_shop", "menu_help", "menu_opt_out", "menu_opt_in")

    async def on_text(self, turn: Turn, body: str) -> list[Reply]:
        return [await answer_text(turn.session, turn.who, parse(body), turn.now)]

    async def on_button(self, turn: Turn, data: str) -> list[Reply]:
        home = turn.who.household
        assert home is not None
        action, _, ref = data.rpartition(":")
        if not ref.isdigit() or action not in (CONFIRM, REFUSE):
            raise DomainError("bot_button_stale")
        if action == CONFIRM:
            confirmation = await confirm_for_household(turn.session, home, int(ref), turn.now)
            if confirmation.receipt is None:
                return [Reply(confirmation.message)]
            return [Reply(await answer_chat_confirmation(turn.session, confirmation, turn.now))]
        redemption = await refuse_for_household(turn.session, home, int(ref), turn.now)
        await tell_refused(turn.session, redemption.shopkeeper_id, redemption.id or 0, turn.now)
        return [Reply(text("household_refused", id=redemption.id))]
