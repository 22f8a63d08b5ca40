"""The sweeps the scheduler runs, each in its own transaction.

A failing sweep is logged and tried again at its next run; it never stops the
service. This is the one place where delivery meets the domain packages' rules
(visit and pledge reminders, expiring redemptions, due policy notices): they import
:mod:`notifications`, so only this wiring imports them back.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time

from care.reminders import VisitReminders
from core.catalogue import text
from core.db import Database
from core.settings import Settings
from fund.reminders import PledgeReminders
from notifications.reminders import Family, SweepResult, sweep_villages
from notifications.scheduler import Sweep
from outreach.notices import fire_due
from points.supermarket import expire_pending

log = logging.getLogger("xiangxin.jobs")


def reminder_families(settings: Settings) -> list[Family]:
    """Every family of reminder rules the daily sweep runs."""
    return [VisitReminders(settings), PledgeReminders(settings)]


async def sweep_reminders(
    database: Database, settings: Settings, now: datetime | None = None
) -> SweepResult:
    """The daily reminder sweep over every village, with every family of rules."""
    return await sweep_villages(database, settings, reminder_families(settings), now)


def _guarded(name: str, work: Callable[[], Awaitable[None]]) -> Sweep:
    async def sweep() -> None:
        try:
            await work()
        except Exception as error:  # a sweep must never take the service down
            log.exception(text("sweep_failed", name=name, error=error))

    return sweep


def scheduled_sweeps(database: Database) -> dict[str, tuple[Sweep, int]]:
    async def expire_redemptions() -> None:
        async with database.transaction() as session:
            count = await expire_pending(session)
        if count:
            log.info(text("sweep_expired", count=count))

    async def fire_notices() -> None:
        async with database.transaction() as session:
            fired = await fire_due(session)
        for occurrence in fired:
            log.info(
                text("sweep_notice_fired", id=occurrence.notice_id, count=occurrence.recipients)
            )

    return {
        "expire_redemptions": (_guarded("expire_redemptions", expire_redemptions), 60),
        "fire_notices": (_guarded("fire_notices", fire_notices), 30),
    }


def daily_sweeps(database: Database, settings: Settings) -> dict[str, tuple[Sweep, time]]:
    """The reminder sweep (visits, 孝善 pledges), once a day at ``reminder_time``."""

    async def reminders() -> None:
        await sweep_reminders(database, settings)

    return {"reminders": (_guarded("reminders", reminders), settings.reminder_time)}
