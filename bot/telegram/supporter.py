"""A 孝善 supporter's chat: 我的承诺, 缴费记录, 帮助. Read-only; paying goes through the council."""

from __future__ import annotations

from bot.telegram.turn import Reply, Turn
from core.catalogue import text
from core.clock import local_today
from core.errors import DomainError
from fund.supporter_view import supporter_payments, supporter_summary
from village.models import Supporter as SupporterRow


def _supporter(turn: Turn) -> SupporterRow:
    supporter = turn.who.supporter
    assert supporter is not None
    return supporter


def help_reply(turn: Turn) -> Reply:
    return Reply(
        text("supporter_help", name=turn.who.name, village=turn.who.village.name), menu=True
    )


class Supporter:
    MENU = ("supporter_menu_pledges", "supporter_menu_payments", "menu_help")

    async def on_text(self, turn: Turn, body: str) -> list[Reply]:
        body = body.strip()
        if body == text("supporter_menu_pledges"):
            summary = await supporter_summary(turn.session, _supporter(turn), local_today(turn.now))
            return [Reply(summary)]
        if body == text("supporter_menu_payments"):
            return [Reply(await supporter_payments(turn.session, _supporter(turn)))]
        return [help_reply(turn)]

    async def on_button(self, turn: Turn, data: str) -> list[Reply]:
        raise DomainError("bot_button_stale")
