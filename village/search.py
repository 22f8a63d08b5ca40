"""Find a household of one village by 户编号, head's name or 拼音首字母.

What a committee member types at the counter or in the chat: ``012`` (part of
a 户编号), ``三丰`` (part of the name), ``zsf`` or ``ZS`` (the first letters of
the name's pinyin; full-width letters too). Matches are ranked: the exact
户编号, the exact name, the initials (whole, then as a prefix) or the name's
beginning, then everything else that contains the query.

One indexed query per search. ``%`` and ``_`` typed by a person are literal
(SQL ``LIKE`` with an escape character). Only the given village is searched.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import ColumnElement, case, false, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.errors import DomainError
from village.models import Household, Village

MAX_QUERY = 64
DEFAULT_LIMIT = 8
_LETTERS = re.compile(r"[a-z]+")


def normalize_query(query: str) -> str:
    """NFKC (full-width ＺＳ → ZS, ０１２ → 012) without surrounding blanks."""
    return unicodedata.normalize("NFKC", query).strip()


def initials_query(query: str) -> str | None:
    """The query as 拼音首字母 ("Z S" → "zs"), or None when it is not only Latin letters."""
    letters = re.sub(r"\s+", "", normalize_query(query)).lower()
    return letters if _LETTERS.fullmatch(letters) else None


async def search_households(
    session: AsyncSession, village: Village, query: str, limit: int = DEFAULT_LIMIT
) -> list[Household]:
    """At most ``limit`` households of ``village`` matching ``query``, best first."""
    wanted = normalize_query(query)
    if not wanted:
        raise DomainError("search_empty")
    if len(wanted) > MAX_QUERY:
        raise DomainError("search_too_long", limit=MAX_QUERY)
    letters = initials_query(wanted)

    number = col(Household.number)
    name = col(Household.head_name)
    initials = col(Household.initials)
    # 户编号 letters in either case (SQLite's LIKE ignores ASCII case; PostgreSQL's does not)
    spellings = list(dict.fromkeys((wanted, wanted.upper())))
    matches: list[ColumnElement[bool]] = [
        or_(*(number.contains(v, autoescape=True) for v in spellings))
    ]
    by_name = name.startswith(wanted, autoescape=True)
    matches.append(name.contains(wanted, autoescape=True))
    by_initials: ColumnElement[bool] = false()
    exact_initials: ColumnElement[bool] = false()
    if letters:
        by_initials = initials.startswith(letters, autoescape=True)  # uses the index
        exact_initials = initials == letters
        matches.append(by_initials)
    rank = case(
        (number.in_(spellings), 0),
        (name == wanted, 1),
        (exact_initials, 2),
        (or_(by_initials, by_name), 3),
        else_=4,
    )
    statement = (
        select(Household)
        .where(Household.village_id == village.id, or_(*matches))
        .order_by(rank, number)
        .limit(max(limit, 1))
    )
    return list(await session.scalars(statement))
