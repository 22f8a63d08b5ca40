"""Who a notice is for: a segment of the registry, stored with the notice as JSON.

Every condition given must hold (they narrow the audience); an empty audience
is every household of the notice's village (or of all villages for a
county-wide notice). Ages are whole years on the day the notice fires.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, and_, exists
from sqlmodel import col

from core.catalogue import text
from village.models import Household, HouseholdType, Member

ELDER_AGE = 60
SCHOOL_AGES = (6, 15)  # 义务教育: from 6 to 15 years old


class Audience(BaseModel):
    model_config = ConfigDict(frozen=True)

    household_types: tuple[HouseholdType, ...] = ()
    with_elder: bool = False
    with_school_age_child: bool = False
    with_chronic_illness: bool = False
    households: tuple[str, ...] = ()  # an explicit list of 户编号

    def describe(self) -> str:
        parts = [text(f"audience_type_{t.value}") for t in self.household_types]
        if self.with_elder:
            parts.append(text("audience_elder", age=ELDER_AGE))
        if self.with_school_age_child:
            parts.append(text("audience_school_child"))
        if self.with_chronic_illness:
            parts.append(text("audience_chronic"))
        if self.households:
            parts.append(text("audience_list", count=len(self.households)))
        return "；".join(parts) if parts else text("audience_everyone")


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _has_member(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(
        col(Member.household_id) == Household.id, col(Member.active).is_(True), *conditions
    )


def conditions(
    audience: Audience, village_id: int | None, today: date
) -> list[ColumnElement[bool]]:
    """SQL conditions on ``Household`` selecting the audience."""
    found: list[ColumnElement[bool]] = []
    if village_id is not None:
        found.append(col(Household.village_id) == village_id)
    if audience.household_types:
        found.append(col(Household.household_type).in_([t.value for t in audience.household_types]))
    if audience.households:
        found.append(col(Household.number).in_(audience.households))
    if audience.with_elder:
        found.append(_has_member(col(Member.birth_date) <= _years_before(today, ELDER_AGE)))
    if audience.with_school_age_child:
        youngest, oldest = SCHOOL_AGES
        found.append(
            _has_member(
                col(Member.birth_date) <= _years_before(today, youngest),
                col(Member.birth_date) > _years_before(today, oldest + 1),
            )
        )
    if audience.with_chronic_illness:
        found.append(_has_member(col(Member.chronic_illness).is_(True)))
    return found


def matches(audience: Audience, village_id: int | None, today: date) -> ColumnElement[bool]:
    return and_(*conditions(audience, village_id, today))
