"""The sweeps the scheduler runs, each in its own transaction.

A failing sweep is logged and tried again at its next run; it never stops the
service.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import time

from core.catalogue import text
from core.db import Database
from core.settings import Settings
from notifications.broadcast import fire_due
from notifications.reminders import sweep_reminders
from notifications.scheduler import Sweep
from points.supermarket import expire_pending

log = logging.getLogger("xiangxin.jobs")


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
