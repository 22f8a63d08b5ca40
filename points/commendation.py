"""The yearly commendation (年度表彰): rank households by stars, reward the top ones.

Stars are the awards credited in the village's effective rounds of that year;
an award whose ledger entry was reversed (a star taken back after the fact)
does not count. Equal stars share a rank (1, 1, 3), so a tie at the boundary
commends everyone on it rather than choosing among equals arbitrarily.

A village commends a year exactly once: the ``commendation`` row is unique per
village and year and is written before any points, so a second run (also one
racing the first) is refused and credits nothing; the ledger's idempotency keys
are a second guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from core.catalogue import text
from core.clock import local_date_text, to_local, utcnow
from core.errors import Conflict, DomainError, NotFound
from core.models import Role
from points import ledger
from points.models import (
    Award,
    AwardStatus,
    Commendation,
    CommendationWinner,
    EntryKind,
    LedgerEntry,
    RatingRound,
    RoundStatus,
)
from village.access import require_role
from village.models import Household, StaffMember, Village

FIRST_YEAR = 2000


@dataclass(frozen=True)
class Ranked:
    household_id: int
    number: str
    head_name: str
    stars: int
    rank: int
    winner: bool


@dataclass(frozen=True)
class Plan:
    """What a run would do: the ranking under the village's current rules."""

    village: Village
    year: int
    title: str
    bonus: int
    top_n: int
    ranking: list[Ranked]

    @property
    def winners(self) -> list[Ranked]:
        return [r for r in self.ranking if r.winner]


@dataclass(frozen=True)
class Honoured:
    """One commended household as recorded (rank and stars as they were on the day)."""

    household_id: int
    number: str
    head_name: str
    rank: int
    stars: int
    bonus: int
    ledger_entry_id: int


@dataclass(frozen=True)
class Outcome:
    commendation: Commendation
    winners: list[Honoured]


def _check_year(year: int, now: datetime) -> None:
    if year < FIRST_YEAR or year > to_local(now).year:
        raise DomainError("commendation_year_invalid", year=year)


async def star_counts(session: AsyncSession, village: Village, year: int) -> dict[int, int]:
    """Stars per household in ``year``: credited awards of effective rounds, not reversed."""
    original = aliased(LedgerEntry)
    reversal = aliased(LedgerEntry)
    reversed_awards = (
        select(original.ref_id)
        .join(reversal, col(reversal.reverses_id) == col(original.id))
        .where(original.ref_type == "award", col(original.ref_id).is_not(None))
    )
    rows = await session.execute(
        select(Award.household_id, func.count(col(Award.id)))
        .join(RatingRound, col(RatingRound.id) == col(Award.round_id))
        .join(Household, col(Household.id) == col(Award.household_id))
        .where(
            RatingRound.village_id == village.id,
            RatingRound.year == year,
            RatingRound.status == RoundStatus.EFFECTIVE.value,
            Award.status == AwardStatus.CREDITED.value,
            Household.village_id == village.id,
            col(Award.id).not_in(reversed_awards),
        )
        .group_by(col(Award.household_id))
    )
    return {household_id: int(count) for household_id, count in rows}


def rank(stars: dict[int, int], top_n: int) -> dict[int, tuple[int, bool]]:
    """Competition ranking (1, 1, 3): ``{household: (rank, commended)}``."""
    ranks: dict[int, tuple[int, bool]] = {}
    ordered = sorted(stars.items(), key=lambda pair: -pair[1])
    for position, (household_id, count) in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        place = ranks[previous[0]][0] if previous and previous[1] == count else position
        ranks[household_id] = (place, place <= top_n and count > 0)
    return ranks


async def preview(session: AsyncSession, village: Village, year: int) -> Plan:
    """The ranking for ``year`` without writing anything (for the committee to check first)."""
    stars = {h: n for h, n in (await star_counts(session, village, year)).items() if n > 0}
    places = rank(stars, village.commendation_top_n)
    homes = {
        h.id: h
        for h in await session.scalars(select(Household).where(col(Household.id).in_(list(stars))))
    }
    ranking = sorted(
        (
            Ranked(
                household_id=household_id,
                number=homes[household_id].number,
                head_name=homes[household_id].head_name,
                stars=count,
                rank=places[household_id][0],
                winner=places[household_id][1],
            )
            for household_id, count in stars.items()
        ),
        key=lambda r: (r.rank, r.number),
    )
    return Plan(
        village=village,
        year=year,
        title=village.commendation_title,
        bonus=village.commendation_bonus,
        top_n=village.commendation_top_n,
        ranking=ranking,
    )


async def _existing(session: AsyncSession, village: Village, year: int) -> Commendation | None:
    return await session.scalar(
        select(Commendation).where(Commendation.village_id == village.id, Commendation.year == year)
    )


def _already(found: Commendation, village: Village) -> Conflict:
    return Conflict(
        "commendation_exists",
        village=village.name,
        year=found.year,
        date=local_date_text(found.created_at),
    )


async def run_commendation(
    session: AsyncSession,
    village: Village,
    year: int,
    actor: StaffMember,
    now: datetime | None = None,
) -> Outcome:
    """Commend the top households of ``year`` and credit their bonus; once per village and year."""
    require_role(actor, village, Role.COMMITTEE)
    now = now or utcnow()
    _check_year(year, now)
    found = await _existing(session, village, year)
    if found is not None:
        raise _already(found, village)
    plan = await preview(session, village, year)
    if not plan.winners:
        raise DomainError("commendation_no_stars", village=village.name, year=year)
    if plan.bonus < 0:
        raise DomainError("commendation_bonus_invalid", bonus=plan.bonus)

    commendation = Commendation(
        village_id=village.id or 0,
        year=year,
        title=plan.title,
        bonus_points=plan.bonus,
        top_n=plan.top_n,
        actor_id=actor.id or 0,
        created_at=now,
    )
    session.add(commendation)
    try:
        await session.flush()
    except IntegrityError as error:  # another run for this year committed first
        raise Conflict("commendation_race", village=village.name, year=year) from error

    entries = await ledger.post_many(
        session,
        [
            ledger.Posting(
                household_id=w.household_id,
                village_id=village.id or 0,
                amount=plan.bonus,
                kind=EntryKind.COMMENDATION,
                reason=text(
                    "commendation_reason", year=year, title=plan.title, rank=w.rank, stars=w.stars
                ),
                actor_id=actor.id or 0,
                idempotency_key=f"commendation:{village.id}:{year}:{w.household_id}",
                ref_type="commendation",
                ref_id=commendation.id,
            )
            for w in plan.winners
        ],
        now,
    )
    honoured: list[Honoured] = []
    for winner, entry in zip(plan.winners, entries, strict=True):
        session.add(
            CommendationWinner(
                commendation_id=commendation.id or 0,
                household_id=winner.household_id,
                rank=winner.rank,
                stars=winner.stars,
                ledger_entry_id=entry.id or 0,
            )
        )
        honoured.append(
            Honoured(
                household_id=winner.household_id,
                number=winner.number,
                head_name=winner.head_name,
                rank=winner.rank,
                stars=winner.stars,
                bonus=entry.amount,
                ledger_entry_id=entry.id or 0,
            )
        )
    await session.flush()
    return Outcome(commendation, honoured)


async def show_commendation(session: AsyncSession, village: Village, year: int) -> Outcome:
    """The commendation as it was recorded (the honour roll to print or read out)."""
    found = await _existing(session, village, year)
    if found is None:
        raise NotFound("commendation_not_found", village=village.name, year=year)
    rows = await session.execute(
        select(CommendationWinner, Household, LedgerEntry)
        .join(Household, col(Household.id) == col(CommendationWinner.household_id))
        .join(LedgerEntry, col(LedgerEntry.id) == col(CommendationWinner.ledger_entry_id))
        .where(CommendationWinner.commendation_id == found.id)
        .order_by(col(CommendationWinner.rank), col(Household.number))
    )
    return Outcome(
        found,
        [
            Honoured(
                household_id=home.id or 0,
                number=home.number,
                head_name=home.head_name,
                rank=winner.rank,
                stars=winner.stars,
                bonus=entry.amount,
                ledger_entry_id=entry.id or 0,
            )
            for winner, home, entry in rows
        ],
    )


async def commendations_of(session: AsyncSession, household_id: int) -> list[Commendation]:
    """The titles a household has received, newest first (for its own chat view)."""
    return list(
        await session.scalars(
            select(Commendation)
            .join(
                CommendationWinner,
                col(CommendationWinner.commendation_id) == col(Commendation.id),
            )
            .where(CommendationWinner.household_id == household_id)
            .order_by(col(Commendation.year).desc())
        )
    )
