"""Time: UTC in the database, Asia/Shanghai for people.

Domain functions take ``now`` as an argument (defaulting to :func:`utcnow`) so that
tests and the demo can move time forward, e.g. past the end of a 公示 period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Aware UTC: SQLModel's datetime columns refuse naive values."""
    return datetime.now(UTC)


def to_local(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(SHANGHAI)


def local_text(moment: datetime | None) -> str:
    """How a moment is shown to people: Beijing time, to the minute."""
    if moment is None:
        return "—"
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def local_date_text(moment: datetime) -> str:
    return to_local(moment).strftime("%Y年%m月%d日")


def local_today(now: datetime | None = None) -> date:
    """Today in Asia/Shanghai."""
    return to_local(now or utcnow()).date()
