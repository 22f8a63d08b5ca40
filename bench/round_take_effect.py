"""``round_take_effect``: a round of 10,000 households × 3 approved awards takes effect.

The round is built in bulk and put into 公示 with its period already over, so
the timed part is exactly :func:`points.rounds.take_effect`: 30,000 ledger
entries, their balances and the award statuses, in one transaction.
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, insert, update
from sqlmodel import col, select

from bench.setup import BATCH, bulk_village, emit, fresh_database
from core.clock import utcnow
from points import ledger
from points.categories import list_categories
from points.models import Award, AwardStatus, LedgerEntry, RatingRound, RoundStatus
from points.rounds import create_round, take_effect
from village.models import StaffMember, Village

HOUSEHOLDS = 10_000
STARS_EACH = 3


async def run(kind: str = "sqlite") -> None:
    async with fresh_database(kind) as database:
        village_id, households, proposer_id, approver_id = await bulk_village(database, HOUSEHOLDS)
        now = utcnow()
        async with database.transaction() as session:
            village = await session.get(Village, village_id)
            proposer = await session.get(StaffMember, proposer_id)
            assert village is not None and proposer is not None
            categories = (await list_categories(session, village))[:STARS_EACH]
            rnd = await create_round(session, village, proposer, "2026年第4季度", 2026)
            rows = [
                {
                    "round_id": rnd.id,
                    "household_id": household,
                    "category_id": category.id,
                    "points": category.points,
                    "reason": "基准测试",
                    "status": AwardStatus.APPROVED.value,
                    "proposed_by": proposer_id,
                    "proposed_at": now,
                    "reviewed_by": approver_id,
                    "reviewed_at": now,
                    "review_note": "",
                }
                for household in households
                for category in categories
            ]
            for start in range(0, len(rows), BATCH):
                await session.execute(insert(Award), rows[start : start + BATCH])
            await session.execute(
                update(RatingRound)
                .where(col(RatingRound.id) == rnd.id)
                .values(
                    status=RoundStatus.PUBLICITY.value,
                    published_at=now - timedelta(days=6),
                    publicity_ends_at=now - timedelta(days=1),
                )
            )
            round_id = rnd.id or 0

        started = time.perf_counter()
        async with database.transaction() as session:
            approver = await session.get(StaffMember, approver_id)
            assert approver is not None
            result = await take_effect(session, round_id, approver)
        seconds = time.perf_counter() - started

        async with database.session() as session:
            entries = await session.scalar(select(func.count()).select_from(LedgerEntry))
            assert result.credited == entries == HOUSEHOLDS * STARS_EACH
            assert await ledger.verify(session) == []
        emit(
            "round_take_effect",
            kind,
            seconds=round(seconds, 2),
            awards=HOUSEHOLDS * STARS_EACH,
            households=HOUSEHOLDS,
            target_s=5,
            ratio=round(5 / seconds, 2),
        )
