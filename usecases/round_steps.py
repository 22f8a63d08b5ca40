"""What a person may do next in a rating round: one answer for the bot, the console and the CLI.

Every rule stays in :mod:`points.rounds`; this module reads a round and says
which acts to offer a :class:`Principal`, so that no front-end offers what the
domain would refuse for a reason already in sight: nothing to submit,
nominations still undecided before 发布公示, open objections before 生效, an
award of one's own household or one's own proposal to review. The end of the
公示 period is left to the domain: its refusal names the date, which tells more
than a missing button.

Only the committee (and a county administrator) acts on a round; the
村务监督委员会, the 孝善基金 council, a shopkeeper or a helper get no step.
Nothing here writes, so a page may call it in a read-only session.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from core.catalogue import text
from core.errors import Forbidden
from core.models import Role
from points import rounds
from points.models import AwardStatus, ObjectionStatus, RatingRound, RoundStatus
from usecases.principal import Principal
from village.models import Village


class Step(StrEnum):
    """An act on a round; ``round_steps_step_<value>`` is its label."""

    NOMINATE = "nominate"  # 提名 (草稿, 评议)
    SUBMIT = "submit"  # 提交评议
    APPROVE = "approve"  # 评议: approve what one may review
    PUBLISH = "publish"  # 发布公示
    REOPEN = "reopen"  # 退回评议 (with a reason)
    EFFECT = "effect"  # 公示期满生效
    OBJECTIONS = "objections"  # record and settle objections


@dataclass(frozen=True)
class AwardCounts:
    """A round's awards by status, and its objections."""

    proposed: int = 0
    approved: int = 0  # approved or credited: the awards on the notice
    rejected: int = 0
    withdrawn: int = 0  # an objection was upheld
    objections: int = 0
    open_objections: int = 0

    @property
    def total(self) -> int:
        return self.proposed + self.approved + self.rejected + self.withdrawn

    @classmethod
    def of(cls, detail: rounds.RoundDetail) -> AwardCounts:
        awards = Counter(line.award.status for line in detail.awards)
        return cls(
            proposed=awards[AwardStatus.PROPOSED.value],
            approved=awards[AwardStatus.APPROVED.value] + awards[AwardStatus.CREDITED.value],
            rejected=awards[AwardStatus.REJECTED.value],
            withdrawn=awards[AwardStatus.WITHDRAWN.value],
            objections=len(detail.objections),
            open_objections=sum(
                1 for o in detail.objections if o.objection.status == ObjectionStatus.OPEN.value
            ),
        )


@dataclass(frozen=True)
class RoundSteps:
    """One round as one principal finds it: the counts, their next steps, what they review."""

    round: RatingRound
    counts: AwardCounts
    acts: bool  # whether the principal acts on rounds at all (else: reads)
    steps: tuple[Step, ...] = ()
    reviewable: tuple[rounds.AwardLine, ...] = ()
    held: tuple[rounds.HeldAward, ...] = ()  # proposed awards left to others, with why
    withdrawable: frozenset[int] = frozenset()  # ids of the principal's own undecided nominations

    def may(self, step: Step) -> bool:
        return step in self.steps

    def may_review(self, award_id: int) -> bool:
        return any(line.award.id == award_id for line in self.reviewable)

    def held_for(self, award_id: int) -> rounds.HeldAward | None:
        return next((h for h in self.held if h.line.award.id == award_id), None)

    @property
    def stuck(self) -> tuple[rounds.HeldAward, ...]:
        """Held awards nobody at all may review: a new reviewer or a withdrawal is needed."""
        return tuple(h for h in self.held if not h.reviewers)


def acts_on_rounds(principal: Principal) -> bool:
    """The committee acts on rounds (a county administrator holds every role)."""
    return principal.holds(Role.COMMITTEE) and not principal.read_only


def step_text(step: Step) -> str:
    return text(f"round_steps_step_{step.value}")


def held_text(held: rounds.HeldAward) -> str:
    """One nomination left to others, with why and who may review it (or that nobody may)."""
    line = held.line
    return text(
        "bot_round_held_line" if held.reviewers else "bot_round_held_stuck_line",
        id=line.award.id,
        name=line.head_name,
        number=line.household_number,
        category=line.category_name,
        hold=rounds.hold_text(held.hold),
        reviewers="、".join(held.reviewers),
    )


def _steps(status: str, counts: AwardCounts, reviewable: bool) -> tuple[Step, ...]:
    """The acts the domain would take now, as far as the round's state shows."""
    working = status in rounds.OPEN_STATUSES
    review = status == RoundStatus.REVIEW.value
    publicity = status == RoundStatus.PUBLICITY.value
    offered = {
        Step.NOMINATE: working,
        Step.SUBMIT: status == RoundStatus.DRAFT.value and counts.total > 0,
        Step.APPROVE: review and reviewable,
        Step.PUBLISH: review and counts.proposed == 0 and counts.approved > 0,
        Step.REOPEN: publicity,
        Step.EFFECT: publicity and counts.open_objections == 0,
        Step.OBJECTIONS: publicity or (review and counts.open_objections > 0),
    }
    return tuple(step for step in Step if offered[step])


async def steps_for(
    session: AsyncSession, principal: Principal, detail: rounds.RoundDetail
) -> RoundSteps:
    """The principal's next steps in the round of ``detail`` (already read by the caller)."""
    rnd = detail.round
    if not principal.may_see(rnd.village_id):
        raise Forbidden("principal_other_village", name=principal.name)
    counts = AwardCounts.of(detail)
    if not acts_on_rounds(principal):
        return RoundSteps(rnd, counts, acts=False)
    actor = await principal.staff(session)  # an inactive member gets nothing to do
    plan = rounds.ReviewPlan([], [])
    if rnd.status == RoundStatus.REVIEW.value:
        plan = await rounds.review_plan(session, rnd.id or 0, actor)
    withdrawable = frozenset(
        line.award.id or 0
        for line in detail.awards
        if rnd.status in rounds.OPEN_STATUSES
        and line.award.status == AwardStatus.PROPOSED.value
        and line.award.proposed_by == actor.id
    )
    return RoundSteps(
        round=rnd,
        counts=counts,
        acts=True,
        steps=_steps(rnd.status, counts, bool(plan.reviewable)),
        reviewable=tuple(plan.reviewable),
        held=tuple(plan.held),
        withdrawable=withdrawable,
    )


async def steps_of(session: AsyncSession, principal: Principal, rnd: RatingRound) -> RoundSteps:
    """The principal's next steps in ``rnd``."""
    return await steps_for(session, principal, await rounds.round_detail(session, rnd.id or 0))


async def current_round(session: AsyncSession, village: Village) -> RatingRound | None:
    """The round a village is on: the newest not yet effective (草稿, 评议 or 公示)."""
    for summary in await rounds.list_rounds(session, village):
        if summary.round.status != RoundStatus.EFFECTIVE.value:
            return summary.round
    return None


async def current_steps(
    session: AsyncSession, principal: Principal, village: Village
) -> RoundSteps | None:
    """The village's current round with the principal's next steps; None when there is none."""
    rnd = await current_round(session, village)
    return None if rnd is None else await steps_of(session, principal, rnd)
