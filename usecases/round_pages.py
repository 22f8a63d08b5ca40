"""The rating round (星级评定) in the console: what a page shows and what its buttons do.

Every rule stays in :mod:`points.rounds` (who may review what, the order of the
stages, the 公示 period); which buttons a person gets comes from
:mod:`usecases.round_steps`, the same answer the bot and the CLI give, so that a
person is not offered an act the domain would refuse. Reading a page writes
nothing (the village's default stars are offered by name until the first
nomination installs them). Each act passes ``await principal.staff(session)`` as the actor, so the
round's record names the person, and returns a one-line Chinese result.

The committee (and a county administrator) act; the 村务监督委员会 and the
孝善基金 council read; a shopkeeper or a helper has no business here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import local_date_text, local_text
from core.errors import NotFound
from core.models import Role
from points import notice, rounds
from points.categories import DEFAULT_CATEGORIES, DEFAULT_POINTS
from points.models import (
    Award,
    AwardStatus,
    Objection,
    ObjectionStatus,
    RatingRound,
    RoundStatus,
    StarCategory,
)
from usecases import round_steps
from usecases.principal import Principal, require_roles, village_for
from usecases.round_steps import RoundSteps, Step
from village.models import Household, Village
from village.search import normalize_query, search_households

READERS = (Role.COMMITTEE, Role.SUPERVISOR, Role.FUND_COUNCIL)
PICKER_SIZE = 20


# ---------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Nomination:
    household_number: str
    category: str  # a star's id, or its name (see :class:`CategoryChoice`)
    reason: str


@dataclass(frozen=True)
class Reopening:
    reason: str


@dataclass(frozen=True)
class Review:
    award_id: int
    approve: bool
    note: str


@dataclass(frozen=True)
class ObjectionInput:
    award_id: int
    name: str
    contact: str
    reason: str


@dataclass(frozen=True)
class Resolution:
    objection_id: int
    uphold: bool
    note: str


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class RoundListLine:
    id: int
    name: str
    year: int
    status: str
    counts: str  # "待评议 2、评议通过 1"
    total: int


@dataclass(frozen=True)
class RoundsView:
    village: Village
    lines: list[RoundListLine]
    may_act: bool
    quarter: str  # this quarter's round name
    quarter_exists: bool
    working: RatingRound | None  # no new round until this one is published


@dataclass(frozen=True)
class AwardRow:
    line: rounds.AwardLine
    status: str
    may_review: bool
    may_withdraw: bool
    held: str  # why this principal must leave it to others, and to whom ("" when not)


@dataclass(frozen=True)
class ObjectionRow:
    line: rounds.ObjectionLine
    status: str
    may_resolve: bool


@dataclass(frozen=True)
class CategoryChoice:
    """A star in the nomination form: its id, or its name while the defaults are not installed."""

    value: str
    name: str
    points: int


@dataclass(frozen=True)
class EventRow:
    at: str
    who: str
    action: str
    detail: str


@dataclass(frozen=True)
class RoundView:
    village: Village
    round: RatingRound
    status: str
    period: str
    effective_at: str
    awards: list[AwardRow]
    objections: list[ObjectionRow]
    events: list[EventRow]
    categories: list[CategoryChoice]
    steps: RoundSteps

    def _in(self, *statuses: RoundStatus) -> bool:
        return self.round.status in {s.value for s in statuses}

    @property
    def may_act(self) -> bool:
        return self.steps.acts

    @property
    def may_nominate(self) -> bool:
        return self.steps.may(Step.NOMINATE)

    @property
    def may_submit(self) -> bool:
        return self.steps.may(Step.SUBMIT)

    @property
    def may_publish(self) -> bool:
        return self.steps.may(Step.PUBLISH)

    @property
    def may_approve_all(self) -> bool:
        return self.steps.may(Step.APPROVE)

    @property
    def may_reopen(self) -> bool:
        return self.steps.may(Step.REOPEN)

    @property
    def may_take_effect(self) -> bool:
        return self.steps.may(Step.EFFECT)

    @property
    def may_lodge(self) -> bool:
        """Record an objection: in the 公示, against an award on the notice."""
        return self.steps.may(Step.OBJECTIONS) and self.in_publicity and bool(self.objectable)

    @property
    def in_publicity(self) -> bool:
        return self._in(RoundStatus.PUBLICITY)

    @property
    def has_notice(self) -> bool:
        return self._in(RoundStatus.PUBLICITY, RoundStatus.EFFECTIVE)

    @property
    def objectable(self) -> list[rounds.AwardLine]:
        """The awards one may object to: those on the notice, not yet credited."""
        return [a.line for a in self.awards if a.line.award.status == AwardStatus.APPROVED.value]


# ---------------------------------------------------------------- reading


def _may_act(principal: Principal) -> bool:
    return round_steps.acts_on_rounds(principal)


async def _round(
    session: AsyncSession, principal: Principal, village_id: int, round_id: int
) -> tuple[Village, RatingRound]:
    village = await village_for(session, principal, village_id, *READERS)
    return village, await rounds.find_round(session, round_id, village)


def _counts(counts: dict[str, int]) -> str:
    order = [s.value for s in AwardStatus]
    return "、".join(
        f"{rounds.award_status_text(status)} {counts[status]}"
        for status in sorted(counts, key=order.index)
    )


async def rounds_page(
    session: AsyncSession, principal: Principal, village_id: int, now: datetime
) -> RoundsView:
    village = await village_for(session, principal, village_id, *READERS)
    summaries = await rounds.list_rounds(session, village)
    quarter = rounds.quarter_name(now)
    lines = [
        RoundListLine(
            id=s.round.id or 0,
            name=s.round.name,
            year=s.round.year,
            status=rounds.status_text(s.round.status),
            counts=_counts(s.counts),
            total=s.total,
        )
        for s in summaries
    ]
    return RoundsView(
        village=village,
        lines=lines,
        may_act=_may_act(principal),
        quarter=quarter,
        quarter_exists=any(s.round.name == quarter for s in summaries),
        working=await rounds.open_round(session, village),
    )


def _held_text(held: rounds.HeldAward | None) -> str:
    if held is None:
        return ""
    hold = rounds.hold_text(held.hold)
    if held.reviewers:
        return text("console_rounds_held", hold=hold, reviewers="、".join(held.reviewers))
    return text("console_rounds_stuck", hold=hold)


def _award_rows(steps: RoundSteps, lines: list[rounds.AwardLine]) -> list[AwardRow]:
    """Each award with the buttons this principal gets (see :mod:`usecases.round_steps`)."""
    return [
        AwardRow(
            line=line,
            status=rounds.award_status_text(line.award.status),
            may_review=steps.may_review(line.award.id or 0),
            may_withdraw=(line.award.id or 0) in steps.withdrawable,
            held=_held_text(steps.held_for(line.award.id or 0)),
        )
        for line in lines
    ]


async def _objection_rows(
    session: AsyncSession,
    principal: Principal,
    steps: RoundSteps,
    lines: list[rounds.ObjectionLine],
) -> list[ObjectionRow]:
    """Open objections get buttons, except for one's own household (the domain's hold)."""
    settles = steps.may(Step.OBJECTIONS)
    actor = await principal.staff(session) if settles else None
    rows = []
    for line in lines:
        award = await session.get(Award, line.objection.award_id)
        may = (
            actor is not None
            and settles
            and award is not None
            and line.objection.status == ObjectionStatus.OPEN.value
            and rounds.review_hold(actor, award) != rounds.Hold.OWN_HOUSEHOLD
        )
        rows.append(ObjectionRow(line, rounds.objection_status_text(line.objection.status), may))
    return rows


def _period(rnd: RatingRound) -> str:
    last_day = rounds.publicity_last_day(rnd)
    if rnd.published_at is None or last_day is None:
        return ""
    return text(
        "console_rounds_period_value",
        start=local_date_text(rnd.published_at),
        end=rounds.publicity_deadline_text(rnd),
        days=rnd.publicity_days,
    )


async def _categories(session: AsyncSession, village: Village) -> list[CategoryChoice]:
    """The active stars, read only; a village that never had any is offered the defaults by name.

    Installing the defaults is a write, left to the first nomination
    (:func:`points.rounds.propose_awards`), which finds the star by that name.
    """
    village_id = village.id or 0
    rows = list(
        await session.scalars(
            select(StarCategory)
            .where(col(StarCategory.village_id) == village_id)
            .order_by(col(StarCategory.sort_order), col(StarCategory.id))
        )
    )
    if not rows:
        return [CategoryChoice(name, name, DEFAULT_POINTS) for name in DEFAULT_CATEGORIES]
    return [CategoryChoice(str(c.id), c.name, c.points) for c in rows if c.active]


async def round_page(
    session: AsyncSession, principal: Principal, village_id: int, round_id: int
) -> RoundView:
    """The whole round with this principal's buttons; it only reads."""
    village, rnd = await _round(session, principal, village_id, round_id)
    detail = await rounds.round_detail(session, rnd.id or 0)
    steps = await round_steps.steps_for(session, principal, detail)
    return RoundView(
        village=village,
        round=rnd,
        status=rounds.status_text(rnd.status),
        period=_period(rnd),
        effective_at=local_text(rnd.effective_at) if rnd.effective_at else "",
        awards=_award_rows(steps, detail.awards),
        objections=await _objection_rows(session, principal, steps, detail.objections),
        events=[
            EventRow(local_text(e.at), e.actor_name, rounds.event_text(e.action), e.detail)
            for e in detail.events
        ],
        categories=await _categories(session, village),
        steps=steps,
    )


async def household_choices(
    session: AsyncSession, principal: Principal, village_id: int, query: str
) -> list[Household]:
    """Households for the nomination picker: the best matches, or the first by 户编号."""
    village = await village_for(session, principal, village_id, *READERS)
    if normalize_query(query):
        return await search_households(session, village, query, limit=PICKER_SIZE)
    return list(
        await session.scalars(
            select(Household)
            .where(col(Household.village_id) == village_id)
            .order_by(col(Household.number))
            .limit(PICKER_SIZE)
        )
    )


async def printable_notice(
    session: AsyncSession, principal: Principal, village_id: int, round_id: int
) -> notice.NoticeData:
    """The 公示 as pinned on the board (the domain refuses a round not yet published)."""
    _, rnd = await _round(session, principal, village_id, round_id)
    return await notice.gather_notice(session, rnd.id or 0)


# ---------------------------------------------------------------- acting


@dataclass(frozen=True)
class Started:
    """What 新建 did: the new round's id (None when none was made) and the result line."""

    round_id: int | None
    message: str


async def start_round(
    session: AsyncSession, principal: Principal, village_id: int, extra: bool, now: datetime
) -> Started:
    village = await village_for(session, principal, village_id, *READERS)
    result = await rounds.new_quarter_round(
        session, village, await principal.staff(session), extra=extra, now=now
    )
    if result.created is not None:
        rnd = result.created
        return Started(
            rnd.id,
            text("round_created", name=rnd.name, id=rnd.id, year=rnd.year),
        )
    if result.working is not None:
        status = rounds.status_text(result.working.status)
        return Started(None, text("bot_round_working", name=result.working.name, status=status))
    assert result.existing is not None
    return Started(None, text("console_rounds_quarter_exists", name=result.existing.name))


async def nominate(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    round_id: int,
    nomination: Nomination,
    now: datetime,
) -> str:
    _, rnd = await _round(session, principal, village_id, round_id)
    award = await rounds.propose_award(
        session,
        rnd.id or 0,
        await principal.staff(session),
        nomination.household_number,
        nomination.category,
        nomination.reason,
        now,
    )
    line = next(a for a in await rounds.award_lines(session, rnd.id or 0) if a.award.id == award.id)
    message = text(
        "award_proposed",
        id=award.id,
        number=line.household_number,
        name=line.head_name,
        category=line.category_name,
        points=award.points,
    )
    if not (await rounds.award_reviewers(session, rnd.village_id, [award]))[award.id or 0]:
        message += "。" + text("console_rounds_no_reviewer")
    return message


async def _award_of(session: AsyncSession, rnd: RatingRound, award_id: int) -> Award:
    """The award, when it belongs to this round (the address names both)."""
    award = await session.get(Award, award_id)
    if award is None or award.round_id != rnd.id:
        raise NotFound("award_not_found", award_id=award_id)
    return award


async def review(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    round_id: int,
    decision: Review,
    now: datetime,
) -> str:
    _, rnd = await _round(session, principal, village_id, round_id)
    award = await _award_of(session, rnd, decision.award_id)
    actor = await principal.staff(session)
    if decision.approve:
        await rounds.approve_award(session, award.id or 0, actor, decision.note, now)
        return text("award_approved", id=award.id)
    await rounds.reject_award(session, award.id or 0, actor, decision.note, now)
    return text("award_rejected", id=award.id)


async def approve_all(
    session: AsyncSession, principal: Principal, village_id: int, round_id: int, now: datetime
) -> str:
    _, rnd = await _round(session, principal, village_id, round_id)
    plan = await rounds.approve_reviewable(
        session, rnd.id or 0, await principal.staff(session), now=now
    )
    return text("console_rounds_approved_all", count=len(plan.reviewable), held=len(plan.held))


async def withdraw(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    round_id: int,
    award_id: int,
    now: datetime,
) -> str:
    _, rnd = await _round(session, principal, village_id, round_id)
    award = await _award_of(session, rnd, award_id)
    line = await rounds.withdraw_award(session, award.id or 0, await principal.staff(session), now)
    return text(
        "award_withdrawn",
        id=award_id,
        number=line.household_number,
        name=line.head_name,
        category=line.category_name,
    )


async def submit(
    session: AsyncSession, principal: Principal, village_id: int, round_id: int, now: datetime
) -> str:
    _, rnd = await _round(session, principal, village_id, round_id)
    await rounds.submit_for_review(session, rnd.id or 0, await principal.staff(session), now)
    return text("round_submitted", name=rnd.name)


async def publish(
    session: AsyncSession, principal: Principal, village_id: int, round_id: int, now: datetime
) -> str:
    _, rnd = await _round(session, principal, village_id, round_id)
    rnd = await rounds.publish(session, rnd.id or 0, await principal.staff(session), now)
    assert rnd.published_at is not None
    return text(
        "round_published",
        name=rnd.name,
        start=local_date_text(rnd.published_at),
        end=rounds.publicity_deadline_text(rnd),
    )


async def reopen(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    round_id: int,
    reopening: Reopening,
    now: datetime,
) -> str:
    """退回评议: the notice is withdrawn; publishing again starts a whole new period."""
    _, rnd = await _round(session, principal, village_id, round_id)
    rnd = await rounds.reopen(
        session, rnd.id or 0, await principal.staff(session), reopening.reason, now
    )
    return text("round_reopened", name=rnd.name)


async def take_effect(
    session: AsyncSession, principal: Principal, village_id: int, round_id: int, now: datetime
) -> str:
    _, rnd = await _round(session, principal, village_id, round_id)
    result = await rounds.take_effect(session, rnd.id or 0, await principal.staff(session), now)
    return text(
        "round_effective",
        name=rnd.name,
        count=result.credited,
        households=result.households,
        total=result.total_points,
    )


async def lodge_objection(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    round_id: int,
    objection: ObjectionInput,
    now: datetime,
) -> str:
    """A committee member records an objection someone raised (at the office, on the phone).

    The domain takes an objection from anyone; the console only lets the
    committee type one in, so the record is theirs to vouch for.
    """
    _, rnd = await _round(session, principal, village_id, round_id)
    require_roles(principal, Role.COMMITTEE)
    await principal.staff(session)  # an inactive login records nothing
    award = await _award_of(session, rnd, objection.award_id)
    made = await rounds.lodge_objection(
        session, award.id or 0, objection.name, objection.contact, objection.reason, now
    )
    return text("objection_lodged", id=made.id)


async def resolve_objection(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    round_id: int,
    resolution: Resolution,
    now: datetime,
) -> str:
    _, rnd = await _round(session, principal, village_id, round_id)
    found = await session.get(Objection, resolution.objection_id)
    if found is None or found.round_id != rnd.id:
        raise NotFound("objection_not_found", objection_id=resolution.objection_id)
    done = await rounds.resolve_objection(
        session,
        resolution.objection_id,
        await principal.staff(session),
        uphold=resolution.uphold,
        note=resolution.note,
        now=now,
    )
    code = "objection_upheld" if resolution.uphold else "objection_rejected"
    return text(code, id=done.id, award_id=done.award_id)
