"""Tables of home visits (走访) and 防返贫 monitoring: helpers, visits, checklists, follow-ups.

They live apart from the registry so that :mod:`village` never imports care;
care points at the registry's tables by foreign key only.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models import created_at_field


class HelperAssignment(SQLModel, table=True):
    """The helper cadre (帮扶责任人) responsible for a household: one per household."""

    __tablename__ = "helper_assignment"

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", unique=True)
    helper_id: int = Field(foreign_key="staff_member.id", index=True)
    every_days: int | None = None  # the household's visit plan; None: the configured default
    created_at: datetime = created_at_field()


class Visit(SQLModel, table=True):
    """A home visit (走访) as the helper logged it."""

    __tablename__ = "visit"

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    helper_id: int = Field(foreign_key="staff_member.id", index=True)
    visited_on: date
    method: str = Field(max_length=20)  # in_person | phone
    note: str = Field(default="", max_length=500)
    created_at: datetime = created_at_field()


class ChecklistItem(StrEnum):
    """两不愁三保障: what every visit looks at."""

    FOOD_CLOTHING = "food_clothing"  # 吃穿不愁
    EDUCATION = "education"  # 义务教育有保障
    MEDICAL = "medical"  # 基本医疗有保障
    HOUSING = "housing"  # 住房安全有保障
    WATER = "water"  # 饮水安全有保障


class VisitCheck(SQLModel, table=True):
    """One checklist item of a visit: fine, or a problem (which opens a follow-up)."""

    __tablename__ = "visit_check"
    __table_args__ = (UniqueConstraint("visit_id", "item"),)

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="visit.id", index=True)
    item: str = Field(max_length=20)  # ChecklistItem
    ok: bool = True
    note: str = Field(default="", max_length=200)


class HardshipKind(StrEnum):
    ILLNESS = "illness"  # 因病
    DISASTER = "disaster"  # 因灾
    UNEMPLOYMENT = "unemployment"  # 失业
    OTHER = "other"  # 其他


class HardshipReport(SQLModel, table=True):
    """A household's own report of hardship (求助), for 防返贫 monitoring."""

    __tablename__ = "hardship_report"

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    kind: str = Field(max_length=20)  # HardshipKind
    text: str = Field(default="", max_length=500)
    channel: str = Field(default="", max_length=20)  # telegram | sms | cli
    reported_at: datetime = created_at_field()


class FollowUp(SQLModel, table=True):
    """Something the committee must act on: a checklist problem or a hardship report."""

    __tablename__ = "follow_up"

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    household_id: int = Field(foreign_key="household.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visit.id")
    hardship_id: int | None = Field(default=None, foreign_key="hardship_report.id")
    item: str = Field(max_length=20)  # a ChecklistItem or a HardshipKind
    note: str = Field(default="", max_length=500)
    opened_at: datetime = created_at_field()
    closed_at: datetime | None = None
    closed_by: int | None = Field(default=None, foreign_key="staff_member.id")
    resolution: str = Field(default="", max_length=500)
