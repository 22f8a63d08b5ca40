"""Column helpers shared by every table module."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field

from core.clock import utcnow


def created_at_field() -> datetime:
    return Field(default_factory=utcnow, nullable=False)


class Role(StrEnum):
    COUNTY_ADMIN = "county_admin"
    COMMITTEE = "committee"
    SHOPKEEPER = "shopkeeper"
    HELPER = "helper"
    FUND_COUNCIL = "fund_council"
