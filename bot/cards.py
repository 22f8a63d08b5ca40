"""Printable binding cards: one small page per household with its one-time code and a QR code.

The committee prints the page from a browser and hands each household its
card. The QR code is the ``t.me`` deep link, so scanning it and pressing Start
in Telegram sends ``/start <code>``; the code is also printed in large letters
for typing by hand. The card also says how to use SMS without Telegram.

The plain codes exist only in the rendered HTML: whoever holds the file can
bind as those households, so it is printed and then deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import segno
from markupsafe import Markup
from telegram import Bot
from telegram.error import TelegramError

from core.catalogue import text
from core.clock import local_date_text
from core.errors import DomainError
from core.pages import page_environment
from core.settings import Settings, get_settings
from village.binding import deep_link, format_code
from village.models import Household, Village

QR_SCALE = 4

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Card:
    """What one printed card shows."""

    village: str
    head_name: str
    number: str
    group: str
    code: str  # as printed: ABCD-2345
    link: str
    qr_svg: Markup
    expires: str  # Beijing date
    manual: str  # "或在 Telegram 搜索 @bot，发送：/start ABCD-2345"


def qr_svg(url: str) -> Markup:
    """The link as an inline SVG QR code (segno's output holds no user text but the URL)."""
    svg = segno.make(url, error="m").svg_inline(scale=QR_SCALE, border=4, omitsize=True)
    return Markup(svg)


def make_card(
    village: Village, household: Household, code: str, *, bot_username: str, expires_at: datetime
) -> Card:
    link = deep_link(bot_username, code)
    printed = format_code(code)
    return Card(
        village=village.name,
        head_name=household.head_name,
        number=household.number,
        group=household.group_name,
        code=printed,
        link=link,
        qr_svg=qr_svg(link),
        expires=local_date_text(expires_at),
        manual=text("card_manual", bot=bot_username.lstrip("@"), code=printed),
    )


def render_cards(
    village: Village,
    issued: Sequence[tuple[Household, str]],
    *,
    bot_username: str,
    expires_at: datetime,
    progress: Progress | None = None,
) -> str:
    """One self-contained HTML document, one card per page (A6), for the browser's print."""
    cards: list[Card] = []
    for done, (household, code) in enumerate(issued, start=1):
        cards.append(
            make_card(village, household, code, bot_username=bot_username, expires_at=expires_at)
        )
        if progress is not None and (done % 50 == 0 or done == len(issued)):
            progress(done, len(issued))
    labels = {
        code: text(code)
        for code in (
            "card_heading",
            "card_head",
            "card_number",
            "card_group",
            "card_code",
            "card_scan",
            "card_once",
            "card_sms",
            "cards_print",
        )
    }
    template = page_environment().get_template("cards.html")
    return template.render(
        title=text("cards_title", village=village.name),
        cards=cards,
        labels=labels,
        expires_label=lambda date: text("card_expires", date=date),
    )


def write_cards(html: str, path: Path) -> Path:
    """Write the page (folders made as needed); returns the path written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


async def resolve_bot_username(settings: Settings | None = None) -> str:
    """The bot's @username (without @): from settings, else asked of Telegram (getMe).

    Raises :class:`DomainError` with a Chinese message when neither works.
    """
    settings = settings or get_settings()
    configured = settings.telegram_bot_username.strip().lstrip("@")
    if configured:
        return configured
    if not settings.telegram_token:
        raise DomainError("cards_no_bot")
    if settings.telegram_base_url:
        bot = Bot(settings.telegram_token, base_url=settings.telegram_base_url)
    else:
        bot = Bot(settings.telegram_token)
    try:
        async with bot:
            me = await bot.get_me()
    except (TelegramError, OSError) as error:
        raise DomainError(
            "cards_bot_lookup_failed", error=str(error) or type(error).__name__
        ) from None
    if not me.username:
        raise DomainError("cards_no_bot")
    return me.username
