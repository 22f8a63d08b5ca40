"""``round_take_effect``: a round of 10,000 households × 3 approved awards takes effect.

Two rounds are built in bulk and put into 公示 with their period already over.
The timed part of the first is exactly :func:`points.rounds.take_effect`
(30,000 ledger entries, their balances and the award statuses, in one
transaction); the second takes effect through hand-written SQL doing the same
work (key check, balances locked and read, entries inserted, balances and
statuses updated), which is the baseline.
"""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import bindparam, func, insert, text, update
from sqlmodel import col, select

from bench.setup import BATCH, bulk_village, emit, fresh_database
from core.clock import utcnow
from core.db import Database
from points import ledger
from points.categories import list_categories
from points.models import Award, AwardStatus, LedgerEntry, RatingRound, RoundStatus
from points.rounds import create_round, take_effect
from village.models import StaffMember, Village

HOUSEHOLDS = 10_000
STARS_EACH = 3
CHUNK = 500


async def _round_in_publicity(
    database: Database,
    village_id: int,
    households: list[int],
    staff: tuple[int, int],
    name: str,
    first_category: int,
) -> int:
    """A round whose awards are all approved and whose 公示 period is over."""
    proposer_id, approver_id = staff
    now = utcnow()
    async with database.transaction() as session:
        village = await session.get(Village, village_id)
        proposer = await session.get(StaffMember, proposer_id)
        assert village is not None and proposer is not None
        categories = (await list_categories(session, village))[
            first_category : first_category + STARS_EACH
        ]
        rnd = await create_round(session, village, proposer, name, 2026)
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
        return rnd.id or 0


async def _raw_take_effect(database: Database, round_id: int, village_id: int, actor: int) -> None:
    """The same crediting as :func:`take_effect`, by hand-written SQL."""
    lock = " FOR UPDATE" if database.dialect == "postgresql" else ""
    now = utcnow()
    async with database.engine.begin() as conn:
        awards = (
            await conn.execute(
                text(
                    "SELECT a.id, a.household_id, a.points, a.reason, c.name FROM award a"
                    " JOIN star_category c ON c.id = a.category_id"
                    " WHERE a.round_id = :r AND a.status = 'approved' ORDER BY a.id"
                ),
                {"r": round_id},
            )
        ).all()
        keys = [f"award:{award.id}" for award in awards]
        for start in range(0, len(keys), CHUNK):
            found = await conn.execute(
                text("SELECT 1 FROM ledger_entry WHERE idempotency_key IN :keys").bindparams(
                    bindparam("keys", expanding=True)
                ),
                {"keys": keys[start : start + CHUNK]},
            )
            assert found.first() is None
        rows = (
            await conn.execute(
                text(
                    "SELECT household_id, balance FROM points_account WHERE village_id = :v"
                    f" ORDER BY household_id{lock}"
                ),
                {"v": village_id},
            )
        ).all()
        balances: dict[int, int] = {household: balance for household, balance in rows}
        entries = []
        for award in awards:
            balances[award.household_id] += award.points
            entries.append(
                {
                    "h": award.household_id,
                    "v": village_id,
                    "amount": award.points,
                    "after": balances[award.household_id],
                    "reason": f"2026年第3季度 {award.name}：{award.reason}",
                    "ref": award.id,
                    "actor": actor,
                    "key": f"award:{award.id}",
                    "now": now,
                }
            )
        await conn.execute(
            text(
                "INSERT INTO ledger_entry (household_id, village_id, amount, balance_after, kind,"
                " reason, ref_type, ref_id, actor_id, idempotency_key, created_at) VALUES (:h, :v,"
                " :amount, :after, 'award', :reason, 'award', :ref, :actor, :key, :now)"
            ),
            entries,
        )
        await conn.execute(
            text(
                "UPDATE points_account SET balance = :b, updated_at = :now WHERE household_id = :h"
            ),
            [{"b": b, "now": now, "h": h} for h, b in balances.items()],
        )
        await conn.execute(
            text(
                "UPDATE award SET status = 'credited' WHERE round_id = :r AND status = 'approved'"
            ),
            {"r": round_id},
        )
        await conn.execute(
            text("UPDATE rating_round SET status = 'effective', effective_at = :now WHERE id = :r"),
            {"r": round_id, "now": now},
        )


async def run(kind: str = "sqlite") -> None:
    async with fresh_database(kind) as database:
        village_id, households, proposer_id, approver_id = await bulk_village(database, HOUSEHOLDS)
        staff = (proposer_id, approver_id)
        domain_round = await _round_in_publicity(
            database, village_id, households, staff, "2026年第4季度", 0
        )
        raw_round = await _round_in_publicity(
            database, village_id, households, staff, "2026年第3季度", STARS_EACH
        )

        started = time.perf_counter()
        async with database.transaction() as session:
            approver = await session.get(StaffMember, approver_id)
            assert approver is not None
            result = await take_effect(session, domain_round, approver)
        seconds = time.perf_counter() - started

        started = time.perf_counter()
        await _raw_take_effect(database, raw_round, village_id, approver_id)
        baseline = time.perf_counter() - started

        async with database.session() as session:
            entries = await session.scalar(select(func.count()).select_from(LedgerEntry))
            assert result.credited == HOUSEHOLDS * STARS_EACH
            assert entries == 2 * HOUSEHOLDS * STARS_EACH
            assert await ledger.verify(session) == []
        emit(
            "round_take_effect",
            kind,
            seconds=round(seconds, 2),
            baseline=round(baseline, 2),
            ratio=round(baseline / seconds, 2),
            awards=HOUSEHOLDS * STARS_EACH,
            target_s=5,
        )
