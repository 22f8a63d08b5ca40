"""The 孝善理事会's chat: 欠缴名单, 本月收支, 基金余额, 帮助.

Read-only: recording money and pledges stays in the CLI (``xiangxin fund …``),
where every entry is typed with its date, method and reference. Access is
checked again by each domain function.
"""

from __future__ import annotations

from bot.telegram.turn import Reply, Turn
from core.catalogue import text
from core.clock import local_today
from core.errors import DomainError
from fund.supporter_view import council_arrears, council_balance, council_month
from village.models import StaffMember


def _council(turn: Turn) -> StaffMember:
    staff = turn.who.staff
    assert staff is not None
    return staff


class FundCouncil:
    MENU = ("council_menu_arrears", "council_menu_month", "council_menu_balance", "menu_help")

    async def on_text(self, turn: Turn, body: str) -> list[Reply]:
        body = body.strip()
        actor, village = _council(turn), turn.who.village
        if body == text("council_menu_arrears"):
            today = local_today(turn.now)
            return [Reply(await council_arrears(turn.session, actor, village, today))]
        if body == text("council_menu_month"):
            return [Reply(await council_month(turn.session, actor, village, turn.now))]
        if body == text("council_menu_balance"):
            return [Reply(await council_balance(turn.session, actor, village))]
        return [Reply(text("council_help", name=turn.who.name), menu=True)]

    async def on_button(self, turn: Turn, data: str) -> list[Reply]:
        raise DomainError("bot_button_stale")
