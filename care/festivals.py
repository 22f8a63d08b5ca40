"""The festival home visits (春节, 中秋) a village may switch on.

Both are lunar dates (正月初一, 八月十五), turned into the Gregorian date of a
year by ``lunardate`` (1900–2099).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from enum import StrEnum

from lunardate import LunarDate

from core.catalogue import text
from core.errors import DomainError


class Festival(StrEnum):
    SPRING_FESTIVAL = "spring_festival"  # 春节, 正月初一
    MID_AUTUMN = "mid_autumn"  # 中秋, 八月十五


_LUNAR = {Festival.SPRING_FESTIVAL: (1, 1), Festival.MID_AUTUMN: (8, 15)}


def festival_date(festival: Festival, year: int) -> date:
    """The Gregorian date of ``festival`` in ``year``."""
    month, day = _LUNAR[festival]
    solar: date = LunarDate(year, month, day).to_solar_date()
    return solar


def festival_name(festival: str) -> str:
    return text(f"festival_{festival}") if festival in set(Festival) else festival


def parse_festival(value: str) -> Festival:
    """``spring_festival`` / ``mid_autumn`` or 春节 / 中秋."""
    key = unicodedata.normalize("NFKC", value).strip().lower()
    for festival in Festival:
        if key in (festival.value, text(f"festival_{festival.value}")):
            return festival
    choices = "、".join(festival_name(f) for f in Festival)
    raise DomainError("festival_unknown", value=value, choices=choices)


def village_festivals(stored: str) -> list[Festival]:
    """The festivals switched on, from the village's ``festival_visits`` column."""
    return [Festival(part) for part in stored.split(",") if part in set(Festival)]


def stored_festivals(festivals: list[Festival]) -> str:
    return ",".join(f.value for f in Festival if f in festivals)
