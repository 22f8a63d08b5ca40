"""When a 孝善 pledge falls due: pure date arithmetic, shared by the fund and its reminders.

A monthly pledge has one period per month; a quarterly one has a period every
three months from its start month, covering three months and due in the first.
The due day is the pledge's day of the month, or the month's last day when the
month is shorter (a due day of 31 falls on 30 April and 28/29 February: it is
never skipped).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date
from typing import Protocol

from fund.models import PledgeFrequency


class Schedule(Protocol):
    """What the schedule needs of a pledge (the table row, or a plain tuple in a bench)."""

    @property
    def due_day(self) -> int: ...
    @property
    def start_month(self) -> date: ...
    @property
    def frequency(self) -> str: ...
    @property
    def end_month(self) -> date | None: ...
    @property
    def monthly_fen(self) -> int: ...


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month``'s."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """Whole months from ``first``'s month to ``last``'s (0 for the same month)."""
    return (last.year - first.year) * 12 + last.month - first.month


def due_date(due_day: int, month: date) -> date:
    """The due day in ``month``, moved back to the month's last day when it is shorter."""
    if due_day <= 28:
        return month.replace(day=due_day)
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=min(due_day, last))


def step(pledge: Schedule) -> int:
    """Months per period: 1 (monthly) or 3 (quarterly)."""
    return 3 if pledge.frequency == PledgeFrequency.QUARTERLY.value else 1


def period_amount(pledge: Schedule) -> int:
    """Fen due per period."""
    return pledge.monthly_fen * step(pledge)


def period_of(pledge: Schedule, month: date) -> date | None:
    """The start month of the period that covers ``month``; None outside the pledge."""
    month = month_start(month)
    if month < pledge.start_month or (pledge.end_month and month > pledge.end_month):
        return None
    offset = months_between(pledge.start_month, month)
    return add_months(pledge.start_month, offset - offset % step(pledge))


def periods(pledge: Schedule, first: date, last: date) -> Iterator[date]:
    """The start months of the periods that begin between ``first`` and ``last``'s months."""
    size = step(pledge)
    begin = max(month_start(first), pledge.start_month)
    offset = months_between(pledge.start_month, begin)
    month = add_months(pledge.start_month, -(-offset // size) * size)  # round up to a period start
    end = month_start(last)
    if pledge.end_month is not None:
        end = min(end, pledge.end_month)
    while month <= end:
        yield month
        month = add_months(month, size)


def period_due(pledge: Schedule, period: date) -> date:
    """The date a period's money is due."""
    return due_date(pledge.due_day, period)


def periods_due_between(pledge: Schedule, first: date, last: date) -> Iterator[tuple[date, date]]:
    """``(period, due date)`` for each period whose due date lies in ``[first, last]``."""
    for period in periods(pledge, first, last):
        due = period_due(pledge, period)
        if first <= due <= last:
            yield period, due
