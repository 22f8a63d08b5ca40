from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from core.db import Database
from core.errors import Conflict, DomainError, Forbidden, NotFound
from points import commendation, ledger
from points.models import (
    Award,
    AwardStatus,
    Commendation,
    CommendationWinner,
    EntryKind,
    LedgerEntry,
    RatingRound,
    RoundStatus,
    StarCategory,
)
from tests.factories import Town, make_town
from village.registry import add_staff, update_village

NOW = datetime(2026, 12, 20, 2, 0, tzinfo=UTC)
STAR_POINTS = 10


async def give_stars(
    db: Database,
    town: Town,
    name: str,
    stars: dict[int, int],
    *,
    year: int = 2026,
    round_status: RoundStatus = RoundStatus.EFFECTIVE,
    award_status: AwardStatus = AwardStatus.CREDITED,
) -> dict[int, list[LedgerEntry]]:
    """A rating round with credited awards and their ledger entries, as the rounds module makes."""
    entries: dict[int, list[LedgerEntry]] = {}
    async with db.transaction() as s:
        categories = list(
            await s.scalars(select(StarCategory).where(StarCategory.village_id == town.village.id))
        )
        while len(categories) < max(stars.values(), default=0):
            category = StarCategory(
                village_id=town.village.id or 0,
                name=f"第{len(categories) + 1}星",
                points=STAR_POINTS,
            )
            s.add(category)
            await s.flush()
            categories.append(category)
        rating = RatingRound(
            village_id=town.village.id or 0,
            name=name,
            year=year,
            status=round_status.value,
            created_by=town.secretary.id or 0,
        )
        s.add(rating)
        await s.flush()
        for home_id, count in stars.items():
            for category in categories[:count]:
                award = Award(
                    round_id=rating.id or 0,
                    household_id=home_id,
                    category_id=category.id or 0,
                    points=STAR_POINTS,
                    reason="评议通过",
                    status=award_status.value,
                    proposed_by=town.secretary.id or 0,
                )
                s.add(award)
                await s.flush()
                if award_status == AwardStatus.CREDITED:
                    entry = await ledger.post(
                        s,
                        ledger.Posting(
                            household_id=home_id,
                            village_id=town.village.id or 0,
                            amount=STAR_POINTS,
                            kind=EntryKind.AWARD,
                            reason=f"{name} {category.name}",
                            actor_id=town.director.id or 0,
                            idempotency_key=f"award:{award.id}",
                            ref_type="award",
                            ref_id=award.id,
                        ),
                    )
                    entries.setdefault(home_id, []).append(entry)
    return entries


async def counted(db: Database) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(LedgerEntry)) or 0


async def test_ranking_with_ties_and_what_counts(db: Database) -> None:
    town = await make_town(db, households=6)
    a, b, c, d, e, f = town.households
    await give_stars(
        db, town, "2026年第1季度", {a.id or 0: 2, b.id or 0: 3, c.id or 0: 1, d.id or 0: 1}
    )
    await give_stars(db, town, "2026年第2季度", {a.id or 0: 1, c.id or 0: 1})
    # None of these count: a round not yet effective, an award not credited, another year.
    await give_stars(db, town, "2026年第3季度", {e.id or 0: 5}, round_status=RoundStatus.PUBLICITY)
    await give_stars(db, town, "2026年第4季度", {e.id or 0: 5}, award_status=AwardStatus.WITHDRAWN)
    await give_stars(db, town, "2025年第4季度", {f.id or 0: 9}, year=2025)
    # Another village's stars stay there.
    other = await make_town(db, name="光明村")
    await give_stars(db, other, "2026年第1季度", {other.households[0].id or 0: 8})

    async with db.transaction() as s:
        await update_village(s, town.village, town.director, commendation_top_n=2)
    before = await counted(db)
    async with db.session() as s:
        plan = await commendation.preview(s, town.village, 2026)
    assert [(r.number, r.stars, r.rank, r.winner) for r in plan.ranking] == [
        (a.number, 3, 1, True),
        (b.number, 3, 1, True),
        (c.number, 2, 3, False),
        (d.number, 1, 4, False),
    ]
    assert (plan.title, plan.bonus, plan.top_n) == ("年度星级示范户", 100, 2)
    async with db.session() as s:
        last_year = await commendation.preview(s, town.village, 2025)
        assert [(r.number, r.stars, r.winner) for r in last_year.ranking] == [(f.number, 9, True)]
    # A tie at the boundary commends everyone on it.
    async with db.transaction() as s:
        await update_village(s, town.village, town.director, commendation_top_n=3)
        plan = await commendation.preview(s, town.village, 2026)
    assert [r.number for r in plan.winners] == [a.number, b.number, c.number]
    async with db.transaction() as s:
        await update_village(s, town.village, town.director, commendation_top_n=4)
        plan = await commendation.preview(s, town.village, 2026)
    assert len(plan.winners) == 4
    assert await counted(db) == before  # preview writes nothing
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Commendation)) == 0


def test_rank_is_competition_ranking() -> None:
    places = commendation.rank({1: 5, 2: 7, 3: 5, 4: 2, 5: 7, 6: 0}, top_n=3)
    assert places == {
        2: (1, True),
        5: (1, True),
        1: (3, True),
        3: (3, True),
        4: (5, False),
        6: (6, False),
    }
    assert commendation.rank({}, 10) == {}


async def test_reversed_award_is_not_counted(db: Database) -> None:
    town = await make_town(db)
    a, b = town.households[1], town.households[2]
    entries = await give_stars(db, town, "2026年第1季度", {a.id or 0: 3, b.id or 0: 2})
    async with db.transaction() as s:
        await update_village(s, town.village, town.director, commendation_top_n=1)
        plan = await commendation.preview(s, town.village, 2026)
    assert [(r.number, r.stars) for r in plan.winners] == [(a.number, 3)]
    async with db.transaction() as s:
        for entry in entries[a.id or 0][:2]:
            await ledger.reverse(s, entry.id or 0, town.director, "经核实不符合条件")
    async with db.session() as s:
        plan = await commendation.preview(s, town.village, 2026)
    assert [(r.number, r.stars, r.rank) for r in plan.ranking] == [
        (b.number, 2, 1),
        (a.number, 1, 2),
    ]
    assert [r.number for r in plan.winners] == [b.number]


async def test_run_credits_once_per_year(db: Database) -> None:
    town = await make_town(db)
    a, b, c = town.households[1], town.households[2], town.households[3]
    await give_stars(db, town, "2026年第1季度", {a.id or 0: 4, b.id or 0: 4, c.id or 0: 1})
    async with db.transaction() as s:
        await update_village(
            s, town.village, town.director, commendation_top_n=2, commendation_bonus=50
        )
    async with db.transaction() as s:
        outcome = await commendation.run_commendation(s, town.village, 2026, town.director, NOW)
    assert [(w.number, w.rank, w.stars, w.bonus) for w in outcome.winners] == [
        (a.number, 1, 4, 50),
        (b.number, 1, 4, 50),
    ]
    assert outcome.commendation.title == "年度星级示范户"
    async with db.session() as s:
        assert await ledger.balance(s, a.id or 0) == 40 + 50
        assert await ledger.balance(s, c.id or 0) == 10
        bonus = await s.scalar(
            select(LedgerEntry).where(
                LedgerEntry.kind == "commendation", LedgerEntry.household_id == a.id
            )
        )
        assert bonus is not None
        assert bonus.reason == "2026年度年度星级示范户（第1名，4颗星）"
        assert bonus.idempotency_key == f"commendation:{town.village.id}:2026:{a.id}"
        assert (bonus.ref_type, bonus.ref_id) == ("commendation", outcome.commendation.id)
        assert bonus.actor_id == town.director.id and bonus.created_at == NOW
        assert await s.scalar(select(func.count()).select_from(CommendationWinner)) == 2
        assert [c.year for c in await commendation.commendations_of(s, a.id or 0)] == [2026]
        assert await commendation.commendations_of(s, c.id or 0) == []

    # More stars arrive later; the year is still commended only once.
    await give_stars(db, town, "2026年第4季度", {c.id or 0: 9})
    before = await counted(db)
    with pytest.raises(Conflict) as again:
        async with db.transaction() as s:
            await commendation.run_commendation(s, town.village, 2026, town.secretary, NOW)
    assert again.value.code == "commendation_exists"
    assert "每年只表彰一次" in again.value.message and "2026年12月20日" in again.value.message
    assert await counted(db) == before

    async with db.session() as s:
        shown = await commendation.show_commendation(s, town.village, 2026)
        assert [(w.number, w.rank, w.stars, w.bonus) for w in shown.winners] == [
            (a.number, 1, 4, 50),
            (b.number, 1, 4, 50),
        ]
        with pytest.raises(NotFound):
            await commendation.show_commendation(s, town.village, 2025)
        assert await ledger.verify(s) == []


async def test_concurrent_runs_credit_once(db: Database) -> None:
    town = await make_town(db)
    await give_stars(
        db, town, "2026年第1季度", {h.id or 0: i + 1 for i, h in enumerate(town.households)}
    )
    before = await counted(db)

    async def attempt() -> str:
        try:
            async with db.transaction() as s:
                await commendation.run_commendation(s, town.village, 2026, town.director, NOW)
            return "ok"
        except Conflict as error:
            return error.code

    results = await asyncio.gather(*(attempt() for _ in range(4)))
    assert results.count("ok") == 1, results
    assert set(results) - {"ok"} <= {"commendation_exists", "commendation_race"}
    assert await counted(db) == before + len(town.households)
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Commendation)) == 1
        assert await ledger.verify(s) == []


async def test_who_may_run_and_bad_years(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, name="光明村")
    await give_stars(db, town, "2026年第1季度", {town.households[1].id or 0: 1})
    async with db.transaction() as s:
        county = await add_staff(s, None, "县管理员", "county_admin")
    for actor in (town.shopkeeper, other.director):
        with pytest.raises(Forbidden):
            async with db.transaction() as s:
                await commendation.run_commendation(s, town.village, 2026, actor, NOW)
    for year, code in ((2027, "commendation_year_invalid"), (2024, "commendation_no_stars")):
        with pytest.raises(DomainError) as caught:
            async with db.transaction() as s:
                await commendation.run_commendation(s, town.village, year, town.director, NOW)
        assert caught.value.code == code
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Commendation)) == 0
    async with db.transaction() as s:
        outcome = await commendation.run_commendation(s, town.village, 2026, county, NOW)
    assert len(outcome.winners) == 1 and outcome.commendation.actor_id == county.id
