"""``make bench``: every benchmark, one JSON line per figure.

``python -m bench [name …]`` runs only the named ones.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable

from bench import (
    balance_lookup,
    bot_update_rate,
    broadcast_rate,
    console_page,
    enqueue_rate,
    ledger_award_rate,
    reminder_sweep,
    round_take_effect,
    sms_segments,
)

BENCHMARKS: dict[str, list[Callable[[], Awaitable[None]]]] = {
    "ledger_award_rate": [lambda: ledger_award_rate.run("sqlite")],
    "round_take_effect": [
        lambda: round_take_effect.run("sqlite"),
        lambda: round_take_effect.run("postgresql"),
    ],
    "balance_lookup": [
        lambda: balance_lookup.run("sqlite"),
        lambda: balance_lookup.run("postgresql"),
    ],
    "broadcast_rate": [
        broadcast_rate.run_ptb_loop,
        lambda: broadcast_rate.run_sender("sqlite"),
        lambda: broadcast_rate.run_sender("postgresql"),
    ],
    "reminder_sweep": [
        lambda: reminder_sweep.run("sqlite"),
        lambda: reminder_sweep.run("postgresql"),
    ],
    "enqueue_rate": [
        lambda: enqueue_rate.run("sqlite"),
        lambda: enqueue_rate.run("postgresql"),
    ],
    "sms_segments": [sms_segments.run],
    "bot_update_rate": [
        lambda: bot_update_rate.run("sqlite"),
        lambda: bot_update_rate.run("postgresql"),
    ],
    "console_page": [
        lambda: console_page.run("sqlite"),
        lambda: console_page.run("postgresql"),
    ],
}


async def main(names: list[str]) -> None:
    for name in names or list(BENCHMARKS):
        for bench in BENCHMARKS[name]:
            await bench()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
