"""What a household means by a short text: the same words in Telegram and by SMS.

Elderly people on basic phones type pinyin initials (JF) or the Chinese word
(查积分), in either case, often with a stray full stop or full-width letters; a
six-digit number is the redemption code the shopkeeper's counter sent them.
A text starting with 求助 / QZ is a hardship report; what follows is its argument.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from notifications.subscription import OPT_IN_WORDS, OPT_OUT_WORDS


class Command(StrEnum):
    HELP = "help"
    POINTS = "points"
    STARS = "stars"
    SHOP = "shop"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    CODE = "code"  # a redemption's six-digit confirmation code
    HARDSHIP = "hardship"  # 求助 / QZ + what happened
    UNKNOWN = "unknown"


WORDS: dict[Command, frozenset[str]] = {
    Command.HELP: frozenset({"帮助", "BZ", "菜单", "CD", "HELP", "H", "?", "？", "/HELP", "/MENU"}),
    Command.POINTS: frozenset({"查积分", "积分", "JF", "CJF", "/POINTS"}),
    Command.STARS: frozenset({"星级", "查星级", "XJ", "/STARS"}),
    Command.SHOP: frozenset({"超市", "CS", "商品", "/SHOP"}),
    Command.OPT_OUT: OPT_OUT_WORDS,
    Command.OPT_IN: OPT_IN_WORDS,
}
_CODE = re.compile(r"^(?:确认|QR)?\s*(\d{6})$")
# 求助 or QZ, also full-width (not the start of a longer Latin word), then the
# household's own words, kept as they were typed.
_HARDSHIP = re.compile(
    r"^(?:求助|[QＱ][ZＺ](?![A-ZＡ-Ｚ]))[\s:：,，、.。!！\-－]*(.*)$", re.IGNORECASE | re.DOTALL
)


@dataclass(frozen=True)
class Parsed:
    command: Command
    argument: str = ""


def normalize(body: str) -> str:
    """Full-width to half-width, trimmed, upper-case, trailing punctuation dropped."""
    cleaned = unicodedata.normalize("NFKC", body).strip().upper()
    return cleaned.rstrip("。.!！ ") or cleaned


def parse(body: str) -> Parsed:
    hardship = _HARDSHIP.match(body.strip())
    if hardship:
        return Parsed(Command.HARDSHIP, hardship.group(1).strip())
    word = normalize(body)
    compact = word.replace(" ", "")
    for command, words in WORDS.items():
        if word in words or compact in words:
            return Parsed(command)
    code = _CODE.match(compact)
    if code:
        return Parsed(Command.CODE, code.group(1))
    return Parsed(Command.UNKNOWN, body.strip())
