"""The township (or county) page: every village the principal may see, side by side.

Each row is the village dashboard's own figures (:func:`usecases.dashboard.figures_of`),
so the two pages never disagree. A village committee sees its own row only; a
county administrator sees every village and drills down to each dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from usecases.dashboard import VillageFigures, figures_of
from usecases.principal import Principal, visible_villages


@dataclass(frozen=True)
class TownshipView:
    today: date
    rows: list[VillageFigures]  # by township, then village name


async def township_overview(
    session: AsyncSession, principal: Principal, today: date
) -> TownshipView:
    """One row of figures per village the principal may see."""
    villages = await visible_villages(session, principal)
    rows = await figures_of(session, villages, today)
    rows.sort(key=lambda row: (row.township, row.name))
    return TownshipView(today, rows)
