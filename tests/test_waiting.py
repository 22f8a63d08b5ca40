"""The tests' waits fail on a stall, not on a slow machine (tests/workers.py)."""

from __future__ import annotations

import time

import pytest

from tests.workers import async_wait_until, wait_until


class Ticker:
    """Work that moves one step every ``step`` seconds and is done at ``steps``."""

    def __init__(self, step: float, steps: int, stall_after: int | None = None) -> None:
        self.started, self.step, self.steps, self.stall_after = (
            time.monotonic(),
            step,
            steps,
            stall_after,
        )

    def count(self) -> int:
        done = int((time.monotonic() - self.started) / self.step)
        return min(done, self.stall_after if self.stall_after is not None else self.steps)

    def finished(self) -> bool:
        return self.count() >= self.steps


def test_slow_but_steady_work_is_waited_for() -> None:
    work = Ticker(step=0.1, steps=8)  # 0.8 s in all, longer than the 0.3 s window
    took = wait_until(work.finished, 0.3, "the work", progress=work.count)
    assert took >= 0.7


def test_work_that_stops_fails_after_the_window() -> None:
    work = Ticker(step=0.05, steps=100, stall_after=3)
    started = time.monotonic()
    with pytest.raises(AssertionError, match=r"no progress for 0\.3 s waiting for the work"):
        wait_until(work.finished, 0.3, "the work", progress=work.count)
    assert time.monotonic() - started < 2


async def test_the_async_wait_also_follows_progress() -> None:
    work = Ticker(step=0.1, steps=6)

    async def finished() -> bool:
        return work.finished()

    async def count() -> int:
        return work.count()

    assert await async_wait_until(finished, 0.3, "the work", count) >= 0.5
