"""拼音首字母 of a head of household's name, so that "zsf" finds 张三丰.

The formula is the one migration 0003 used to back-fill ``household.initials``;
change both together. Characters that are not Chinese (Latin letters, digits)
are left out, and a 多音字 takes pypinyin's most common reading (曾 → c).

Every write of a household sets ``initials`` explicitly (the roster's bulk
inserts bypass the ORM); the ORM events below are a safety net for ORM writes
that forget to.
"""

from __future__ import annotations

from typing import Any

from pypinyin import Style, lazy_pinyin
from sqlalchemy import event, inspect

from village.models import Household

MAX_LENGTH = 64  # household.initials is VARCHAR(64)


def initials(name: str) -> str:
    """张三丰 → "zsf": lower-case, at most 64 letters, non-Chinese characters dropped."""
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(letters).lower()[:MAX_LENGTH]


@event.listens_for(Household, "before_insert")
def _initials_on_insert(_mapper: Any, _connection: Any, household: Household) -> None:
    household.initials = initials(household.head_name or "")


@event.listens_for(Household, "before_update")
def _initials_on_update(_mapper: Any, _connection: Any, household: Household) -> None:
    if inspect(household).attrs.head_name.history.has_changes():
        household.initials = initials(household.head_name or "")
