"""Column helpers shared by every table module."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlmodel import Field

from core.clock import utcnow


def created_at_field() -> Any:
    """A UTC timestamp column filled when the row is made (``Field`` is typed loosely)."""
    return Field(default_factory=utcnow, nullable=False)


class Role(StrEnum):
    COUNTY_ADMIN = "county_admin"
    COMMITTEE = "committee"
    SHOPKEEPER = "shopkeeper"
    HELPER = "helper"
    FUND_COUNCIL = "fund_council"
    SUPERVISOR = "supervisor"  # 村务监督委员会: reads everything in its village, changes nothing
