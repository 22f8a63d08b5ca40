"""The service's clock: one APScheduler (3.x, asyncio) whose jobs are sweeps.

A sweep reads what is due from the database; there is never one scheduler job
per household, so nothing is lost when the process restarts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import time

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.clock import SHANGHAI

Sweep = Callable[[], Awaitable[object]]


def build_scheduler(
    interval_sweeps: dict[str, tuple[Sweep, int]],
    daily_sweeps: dict[str, tuple[Sweep, time]] | None = None,
) -> AsyncIOScheduler:
    """A scheduler running each ``name: (sweep, seconds)`` every ``seconds``, and each
    ``name: (sweep, at)`` once a day at ``at`` (Asia/Shanghai).

    ``coalesce`` and ``max_instances=1`` keep a slow sweep from piling up runs; a
    daily sweep missed while the service was down runs when it is back the same
    day (the sweep itself catches up on reminders a few days late).
    """
    scheduler = AsyncIOScheduler(timezone=SHANGHAI)
    for name, (sweep, at) in (daily_sweeps or {}).items():
        scheduler.add_job(
            sweep,
            "cron",
            hour=at.hour,
            minute=at.minute,
            id=name,
            name=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=12 * 3600,
        )
    for name, (sweep, seconds) in interval_sweeps.items():
        scheduler.add_job(
            sweep,
            "interval",
            seconds=seconds,
            id=name,
            name=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=seconds,
        )
    return scheduler
