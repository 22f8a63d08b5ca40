"""The service's clock: one APScheduler (3.x, asyncio) whose jobs are sweeps.

A sweep reads what is due from the database; there is never one scheduler job
per household, so nothing is lost when the process restarts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.clock import SHANGHAI

Sweep = Callable[[], Awaitable[object]]


def build_scheduler(interval_sweeps: dict[str, tuple[Sweep, int]]) -> AsyncIOScheduler:
    """A scheduler running each ``name: (sweep, seconds)`` every ``seconds``.

    ``coalesce`` and ``max_instances=1`` keep a slow sweep from piling up runs.
    """
    scheduler = AsyncIOScheduler(timezone=SHANGHAI)
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
