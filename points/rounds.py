"""Star-rating rounds (星级评定): 草稿 → 评议 → 公示 → 生效, and 公示 back to 评议.

The rules of 民主、公开、公平、公正 live here, not in the front-ends, so the CLI,
the chat bot and any later console cannot go around them:

- only the village committee (or a county admin) acts on a round, and nobody
  proposes, reviews or settles an objection for the household they belong to;
  the member who proposed an award never reviews it;
- points are credited once, when the 公示 period has ended and every objection
  is settled; the round row is locked (``FOR UPDATE``; SQLite serializes
  writers already) and its status re-read first, so a second or concurrent
  "take effect" finds the round effective and credits nothing;
- every act is written to ``round_event``: the round's public record.

Every function works in the caller's transaction (flush, never commit) and
takes ``now`` so the demo and the tests can move time past the 公示 period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select

from core.catalogue import text
from core.clock import SHANGHAI, local_date_text, local_text, to_local, utcnow
from core.errors import Conflict, DomainError, Forbidden, NotFound
from core.models import Role
from points.categories import list_categories
from points.ledger import Posting, post_batch
from points.models import (
    Award,
    AwardStatus,
    EntryKind,
    Objection,
    ObjectionStatus,
    RatingRound,
    RoundEvent,
    RoundStatus,
    StarCategory,
)
from village.access import require_role
from village.models import Household, StaffMember, Village

NAME_LENGTH = 64
TEXT_LENGTH = 500
LODGER_LENGTH = 64
CONTACT_LENGTH = 40
CHUNK = 500
OPEN_STATUSES = (RoundStatus.DRAFT.value, RoundStatus.REVIEW.value)
SHOWN_STATUSES = (AwardStatus.APPROVED.value, AwardStatus.CREDITED.value)


class Action:
    """What a ``round_event`` row says happened; ``event_<action>`` is its label."""

    CREATED = "created"
    AWARD_PROPOSED = "award_proposed"
    AWARD_APPROVED = "award_approved"
    AWARD_REJECTED = "award_rejected"
    AWARD_WITHDRAWN = "award_withdrawn"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    OBJECTION_LODGED = "objection_lodged"
    OBJECTION_UPHELD = "objection_upheld"
    OBJECTION_REJECTED = "objection_rejected"
    REOPENED = "reopened"
    EFFECTIVE = "effective"


@dataclass(frozen=True)
class Proposal:
    """One award to propose: the household by 户编号, the star by name or id."""

    household_number: str
    category: str | int
    reason: str


@dataclass(frozen=True)
class AwardLine:
    """An award with the names a person needs to read it."""

    award: Award
    household_number: str
    head_name: str
    group_name: str
    category_name: str
    proposed_by: str
    reviewed_by: str | None


@dataclass(frozen=True)
class ObjectionLine:
    objection: Objection
    household_number: str
    head_name: str
    category_name: str
    resolved_by: str | None


@dataclass(frozen=True)
class RoundDetail:
    round: RatingRound
    village: Village
    awards: list[AwardLine]
    objections: list[ObjectionLine]
    events: list[RoundEvent]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RoundSummary:
    """A round with its award counts by status, for lists."""

    round: RatingRound
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class EffectResult:
    round: RatingRound
    credited: int
    households: int
    total_points: int


# ---------------------------------------------------------------- helpers


def _now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _id(value: int | None) -> int:
    assert value is not None, "row must be flushed first"
    return value


def status_text(status: str) -> str:
    return text(f"round_status_{status}")


def award_status_text(status: str) -> str:
    return text(f"award_status_{status}")


def objection_status_text(status: str) -> str:
    return text(f"objection_status_{status}")


def event_text(action: str) -> str:
    return text(f"event_{action}")


def publicity_end(published_at: datetime, days: int) -> datetime:
    """The 公示 ends at midnight (Beijing time) after its last day.

    The day of publication counts as day one, as on a paper notice: published on
    5 January for 5 days means 5–9 January, and objections are taken until 9
    January 24:00. So ``published_at + days`` is always past the end.
    """
    first_day = to_local(published_at).date()
    after_last = first_day + timedelta(days=max(1, days))
    return datetime.combine(after_last, time.min, tzinfo=SHANGHAI).astimezone(UTC)


def publicity_last_day(rnd: RatingRound) -> datetime | None:
    """A moment on the 公示's last day, for printing "至 …日"."""
    if rnd.publicity_ends_at is None:
        return None
    return _aware(rnd.publicity_ends_at) - timedelta(seconds=1)


def publicity_deadline_text(rnd: RatingRound) -> str:
    """The end as people say it: "2026年01月09日 24:00", not 00:00 of the next day."""
    last_day = publicity_last_day(rnd)
    if last_day is None:
        return "—"
    return text("publicity_deadline", date=local_date_text(last_day))


def _clip(value: str, length: int = TEXT_LENGTH) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"


def _required(value: str, code: str, length: int, field_code: str) -> str:
    value = value.strip()
    if not value:
        raise DomainError(code)
    if len(value) > length:
        raise DomainError("rounds_text_too_long", field=text(field_code), max=length)
    return value


def _optional(value: str, length: int, field_code: str) -> str:
    value = value.strip()
    if len(value) > length:
        raise DomainError("rounds_text_too_long", field=text(field_code), max=length)
    return value


def _event(
    rnd: RatingRound,
    actor: StaffMember | None,
    action: str,
    at: datetime,
    detail: str = "",
    actor_name: str | None = None,
) -> dict[str, object]:
    return {
        "round_id": _id(rnd.id),
        "actor_id": actor.id if actor is not None else None,
        "actor_name": _clip(actor_name or (actor.name if actor is not None else ""), 64),
        "action": action,
        "detail": _clip(detail),
        "at": at,
    }


async def _record_many(session: AsyncSession, events: list[dict[str, object]]) -> None:
    """Events go in as plain multi-row inserts: a big round proposes thousands at once."""
    for start in range(0, len(events), CHUNK):
        await session.execute(insert(RoundEvent), events[start : start + CHUNK])


async def _record(
    session: AsyncSession,
    rnd: RatingRound,
    actor: StaffMember | None,
    action: str,
    at: datetime,
    detail: str = "",
    actor_name: str | None = None,
) -> None:
    await _record_many(session, [_event(rnd, actor, action, at, detail, actor_name)])


async def _lock_round(session: AsyncSession, round_id: int) -> RatingRound:
    """The round, locked for this transaction and re-read (never a stale copy)."""
    rnd = await session.scalar(
        select(RatingRound)
        .where(RatingRound.id == round_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if rnd is None:
        raise NotFound("round_not_found", ref=round_id)
    return rnd


async def _village(session: AsyncSession, rnd: RatingRound) -> Village:
    village = await session.get(Village, rnd.village_id)
    assert village is not None
    return village


def _require_status(rnd: RatingRound, *statuses: RoundStatus) -> None:
    if rnd.status in {s.value for s in statuses}:
        return
    if rnd.status == RoundStatus.EFFECTIVE.value:
        raise Conflict(
            "round_already_effective",
            name=rnd.name,
            at=local_text(rnd.effective_at),
        )
    raise DomainError(
        "round_wrong_status",
        name=rnd.name,
        status=status_text(rnd.status),
        needed="、".join(status_text(s.value) for s in statuses),
    )


def _not_own_household(actor: StaffMember, household_id: int) -> None:
    if actor.household_id is not None and actor.household_id == household_id:
        raise Forbidden("award_own_household", actor=actor.name)


class Hold:
    """Why a committee member must stand aside from reviewing an award."""

    OWN_PROPOSAL = "own_proposal"
    OWN_HOUSEHOLD = "own_household"


def review_hold(actor: StaffMember, award: Award) -> str | None:
    """The rule that keeps ``actor`` from reviewing ``award``, or None when they may."""
    if award.proposed_by == actor.id:
        return Hold.OWN_PROPOSAL
    if actor.household_id is not None and actor.household_id == award.household_id:
        return Hold.OWN_HOUSEHOLD
    return None


def hold_text(hold: str) -> str:
    return text(f"review_hold_{hold}")


async def award_reviewers(
    session: AsyncSession, village_id: int, awards: Sequence[Award]
) -> dict[int, list[str]]:
    """Per award id, the names of everyone who may review it (may be empty: a dead end).

    Those are the village's active committee members and the county admins, less
    the proposer and the household's own members.
    """
    staff = list(
        await session.scalars(
            select(StaffMember)
            .where(
                col(StaffMember.active),
                (
                    (col(StaffMember.role) == Role.COMMITTEE.value)
                    & (col(StaffMember.village_id) == village_id)
                )
                | (col(StaffMember.role) == Role.COUNTY_ADMIN.value),
            )
            .order_by(col(StaffMember.id))
        )
    )
    return {
        _id(award.id): [member.name for member in staff if review_hold(member, award) is None]
        for award in awards
    }


async def _refuse_review(
    session: AsyncSession, actor: StaffMember, award: Award, hold: str, village_id: int
) -> None:
    """Refuse ``actor``; when nobody at all may review the award, say so and what to do."""
    reviewers = (await award_reviewers(session, village_id, [award]))[_id(award.id)]
    if not reviewers:
        raise Forbidden("award_no_reviewer", award_id=award.id)
    if hold == Hold.OWN_PROPOSAL:
        raise Forbidden("award_self_review", actor=actor.name, award_id=award.id)
    raise Forbidden("award_own_household", actor=actor.name)


async def _staff_names(session: AsyncSession, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i is not None})
    names: dict[int, str] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = await session.execute(
            sa_select(col(StaffMember.id), col(StaffMember.name)).where(
                col(StaffMember.id).in_(wanted[start : start + CHUNK])
            )
        )
        names.update({int(staff_id or 0): name for staff_id, name in rows})
    return names


@dataclass(frozen=True)
class _Home:
    id: int
    number: str
    head_name: str


async def _homes(
    session: AsyncSession,
    village: Village,
    *,
    numbers: Sequence[str] = (),
    ids: Sequence[int] = (),
) -> list[_Home]:
    """Households of ``village`` by 户编号 or id: just what a check or an event needs.

    The look-up is by the unique key alone and the village is checked here, so the
    planner always takes the unique index, however the statistics look.
    """
    column = col(Household.number) if numbers else col(Household.id)
    wanted: list[str] | list[int] = sorted(set(numbers)) if numbers else sorted(set(ids))
    found: list[_Home] = []
    for start in range(0, len(wanted), CHUNK):
        rows = await session.execute(
            sa_select(
                col(Household.id),
                col(Household.number),
                col(Household.head_name),
                col(Household.village_id),
            ).where(column.in_(wanted[start : start + CHUNK]))
        )
        found.extend(
            _Home(int(i or 0), number, name)
            for i, number, name, village_id in rows
            if village_id == village.id
        )
    return found


def _award_detail(award: Award, home: _Home | None, category_name: str, note: str = "") -> str:
    return text(
        "event_detail_award",
        id=award.id,
        number=home.number if home else award.household_id,
        name=home.head_name if home else "",
        category=category_name,
        points=award.points,
        note=f"：{note}" if note else "",
    )


# ---------------------------------------------------------------- reading


async def find_round(
    session: AsyncSession, ref: str | int, village: Village | None = None
) -> RatingRound:
    """A round by id or name; within ``village`` when given (another village's is not found)."""
    text_ref = str(ref).strip()
    if isinstance(ref, int) or text_ref.isdigit():
        rnd = await session.get(RatingRound, int(text_ref))
        if rnd is not None and (village is None or rnd.village_id == village.id):
            return rnd
    query = select(RatingRound).where(RatingRound.name == text_ref)
    if village is not None:
        query = query.where(RatingRound.village_id == _id(village.id))
    found = list(await session.scalars(query))
    if not found:
        raise NotFound("round_not_found", ref=text_ref)
    if len(found) > 1:
        raise Conflict("round_ambiguous", ref=text_ref)
    return found[0]


async def list_rounds(session: AsyncSession, village: Village) -> list[RoundSummary]:
    """The village's rounds, newest first, with how many awards each has by status."""
    rounds = list(
        await session.scalars(
            select(RatingRound)
            .where(RatingRound.village_id == _id(village.id))
            .order_by(col(RatingRound.id).desc())
        )
    )
    counts: dict[int, dict[str, int]] = {_id(r.id): {} for r in rounds}
    if rounds:
        rows = await session.execute(
            sa_select(col(Award.round_id), col(Award.status), func.count())
            .where(col(Award.round_id).in_(list(counts)))
            .group_by(col(Award.round_id), col(Award.status))
        )
        for round_id, status, count in rows:
            counts[round_id][status] = int(count)
    return [RoundSummary(r, counts[_id(r.id)]) for r in rounds]


async def open_round(session: AsyncSession, village: Village) -> RatingRound | None:
    """The round the committee is still working on (草稿 or 评议), newest first."""
    return await session.scalar(
        select(RatingRound)
        .where(
            RatingRound.village_id == _id(village.id),
            col(RatingRound.status).in_(OPEN_STATUSES),
        )
        .order_by(col(RatingRound.id).desc())
        .limit(1)
    )


async def list_events(session: AsyncSession, round_id: int) -> list[RoundEvent]:
    return list(
        await session.scalars(
            select(RoundEvent).where(RoundEvent.round_id == round_id).order_by(col(RoundEvent.id))
        )
    )


async def award_lines(
    session: AsyncSession, round_id: int, statuses: Sequence[str] | None = None
) -> list[AwardLine]:
    """The round's awards with household, category and staff names (one query)."""
    query = (
        sa_select(Award, Household, StarCategory)
        .join(Household, col(Household.id) == col(Award.household_id))
        .join(StarCategory, col(StarCategory.id) == col(Award.category_id))
        .where(col(Award.round_id) == round_id)
        .order_by(
            col(Household.group_name),
            col(Household.number),
            col(StarCategory.sort_order),
            col(Award.id),
        )
    )
    if statuses is not None:
        query = query.where(col(Award.status).in_(list(statuses)))
    rows = list(await session.execute(query))
    names = await _staff_names(
        session, [a.proposed_by for a, _, _ in rows] + [a.reviewed_by for a, _, _ in rows]
    )
    return [
        AwardLine(
            award=award,
            household_number=household.number,
            head_name=household.head_name,
            group_name=household.group_name,
            category_name=category.name,
            proposed_by=names.get(award.proposed_by, str(award.proposed_by)),
            reviewed_by=names.get(award.reviewed_by) if award.reviewed_by else None,
        )
        for award, household, category in rows
    ]


async def list_objections(session: AsyncSession, round_id: int) -> list[ObjectionLine]:
    rows = list(
        await session.execute(
            sa_select(Objection, Household, StarCategory)
            .join(Award, col(Award.id) == col(Objection.award_id))
            .join(Household, col(Household.id) == col(Award.household_id))
            .join(StarCategory, col(StarCategory.id) == col(Award.category_id))
            .where(col(Objection.round_id) == round_id)
            .order_by(col(Objection.id))
        )
    )
    names = await _staff_names(session, [o.resolved_by for o, _, _ in rows])
    return [
        ObjectionLine(
            objection=objection,
            household_number=household.number,
            head_name=household.head_name,
            category_name=category.name,
            resolved_by=names.get(objection.resolved_by) if objection.resolved_by else None,
        )
        for objection, household, category in rows
    ]


async def round_detail(session: AsyncSession, round_id: int) -> RoundDetail:
    rnd = await session.get(RatingRound, round_id)
    if rnd is None:
        raise NotFound("round_not_found", ref=round_id)
    awards = await award_lines(session, round_id)
    return RoundDetail(
        round=rnd,
        village=await _village(session, rnd),
        awards=awards,
        objections=await list_objections(session, round_id),
        events=await list_events(session, round_id),
        counts=dict(Counter(line.award.status for line in awards)),
    )


# ---------------------------------------------------------------- acting


async def create_round(
    session: AsyncSession,
    village: Village,
    actor: StaffMember,
    name: str,
    year: int,
    now: datetime | None = None,
) -> RatingRound:
    """A new round in 草稿. One working round at a time keeps "the open round" unambiguous."""
    now = _now(now)
    require_role(actor, village, Role.COMMITTEE)
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise DomainError("round_bad_name", max=NAME_LENGTH)
    if not 2000 <= year <= 2200:
        raise DomainError("round_bad_year", year=year)
    same = await session.scalar(
        select(RatingRound).where(
            RatingRound.village_id == _id(village.id), RatingRound.name == name
        )
    )
    if same is not None:
        raise Conflict("round_exists", name=name, village=village.name)
    working = await open_round(session, village)
    if working is not None:
        raise Conflict(
            "round_open_exists",
            village=village.name,
            name=working.name,
            status=status_text(working.status),
        )
    rnd = RatingRound(
        village_id=_id(village.id),
        name=name,
        year=year,
        status=RoundStatus.DRAFT.value,
        publicity_days=village.publicity_days,
        created_by=_id(actor.id),
        created_at=now,
    )
    session.add(rnd)
    await session.flush()
    await _record(session, rnd, actor, Action.CREATED, now, text("event_detail_created", year=year))
    await session.flush()
    return rnd


def quarter_name(now: datetime) -> str:
    """This quarter's round as people name it (Beijing time): 2026年第4季度."""
    local = to_local(now)
    return text("round_quarter_name", year=local.year, quarter=(local.month - 1) // 3 + 1)


@dataclass(frozen=True)
class QuarterRound:
    """What 新建本季度评星 did: created this quarter's round, or found it already there."""

    created: RatingRound | None
    existing: RatingRound | None  # this quarter's round, found in place
    working: RatingRound | None  # a round still in 草稿/评议: no new round until it is published
    extra_name: str  # the next free 补评 name, e.g. 2026年第4季度（补评）


async def _extra_name(session: AsyncSession, village: Village, base: str) -> str:
    """The first of 「base（补评）」, 「base（补评2）」… no round of the village is named yet."""
    taken = set(
        await session.scalars(
            sa_select(col(RatingRound.name)).where(
                col(RatingRound.village_id) == _id(village.id),
                col(RatingRound.name).startswith(base, autoescape=True),
            )
        )
    )
    number = 1
    while (name := text("round_extra_name", base=base, n=number if number > 1 else "")) in taken:
        number += 1
    return name


async def new_quarter_round(
    session: AsyncSession,
    village: Village,
    actor: StaffMember,
    *,
    extra: bool = False,
    now: datetime | None = None,
) -> QuarterRound:
    """Create this quarter's round (with ``extra``: its next 补评 round) unless it exists.

    Names are unique per village, so pressing 新建 a second time in a quarter must not
    end in a refusal: the answer is the round already there, what blocks a new one,
    and the name a 补评 round would take.
    """
    now = _now(now)
    require_role(actor, village, Role.COMMITTEE)
    base = quarter_name(now)
    existing = await session.scalar(
        select(RatingRound).where(
            RatingRound.village_id == _id(village.id), RatingRound.name == base
        )
    )
    working = await open_round(session, village)
    if working is None and (extra or existing is None):
        name = await _extra_name(session, village, base) if extra else base
        rnd = await create_round(session, village, actor, name, to_local(now).year, now)
        return QuarterRound(rnd, None, None, "")
    return QuarterRound(None, existing, working, await _extra_name(session, village, base))


async def propose_awards(
    session: AsyncSession,
    round_id: int,
    actor: StaffMember,
    proposals: Sequence[Proposal],
    now: datetime | None = None,
) -> list[Award]:
    """Propose several awards at once (all or none), e.g. from a committee meeting's list."""
    now = _now(now)
    rnd = await _lock_round(session, round_id)
    village = await _village(session, rnd)
    require_role(actor, village, Role.COMMITTEE)
    _require_status(rnd, RoundStatus.DRAFT, RoundStatus.REVIEW)
    if not proposals:
        return []

    categories: dict[str, StarCategory] = {}
    for category in await list_categories(session, village):
        categories[category.name] = category
        categories[str(category.id)] = category
    homes = {
        home.number: home
        for home in await _homes(
            session, village, numbers=[p.household_number.strip() for p in proposals]
        )
    }
    taken = {
        (household_id, category_id): award_id
        for award_id, household_id, category_id in await session.execute(
            sa_select(col(Award.id), col(Award.household_id), col(Award.category_id)).where(
                col(Award.round_id) == round_id
            )
        )
    }

    rows: list[dict[str, object]] = []
    labels: list[tuple[_Home, str, tuple[int, int]]] = []
    for proposal in proposals:
        number = proposal.household_number.strip()
        home = homes.get(number)
        if home is None:
            raise NotFound("household_not_in_village", village=village.name, number=number)
        found = categories.get(str(proposal.category).strip())
        if found is None:
            raise NotFound("category_not_found", name=proposal.category, village=village.name)
        category = found
        if not category.active:
            raise DomainError("category_inactive", name=category.name)
        household_id, category_id = home.id, _id(category.id)
        _not_own_household(actor, household_id)
        reason = _required(
            proposal.reason, "award_reason_required", TEXT_LENGTH, "rounds_field_reason"
        )
        key = (household_id, category_id)
        if key in taken:
            raise Conflict(
                "award_exists",
                household=f"{home.number} {home.head_name}",
                category=category.name,
                award_id=taken[key] or "—",
            )
        taken[key] = 0
        rows.append(
            {
                "round_id": round_id,
                "household_id": household_id,
                "category_id": category_id,
                "points": category.points,
                "reason": reason,
                "status": AwardStatus.PROPOSED.value,
                "proposed_by": _id(actor.id),
                "proposed_at": now,
                "review_note": "",
            }
        )
        labels.append((home, category.name, key))

    # Plain multi-row inserts (RETURNING rows in order goes row by row on SQLite), then
    # the new awards read back by their unique (household, star) within the round.
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(Award), rows[start : start + CHUNK])
    new_keys = {key for _, _, key in labels}
    household_ids = sorted({household_id for household_id, _ in new_keys})
    created: dict[tuple[int, int], Award] = {}
    for start in range(0, len(household_ids), CHUNK):
        for award in await session.scalars(
            select(Award).where(
                Award.round_id == round_id,
                col(Award.household_id).in_(household_ids[start : start + CHUNK]),
            )
        ):
            if (award.household_id, award.category_id) in new_keys:
                created[(award.household_id, award.category_id)] = award
    awards = [created[key] for _, _, key in labels]
    await _record_many(
        session,
        [
            _event(
                rnd,
                actor,
                Action.AWARD_PROPOSED,
                now,
                _award_detail(award, home, category_name, award.reason),
            )
            for award, (home, category_name, _) in zip(awards, labels, strict=True)
        ],
    )
    return awards


async def propose_award(
    session: AsyncSession,
    round_id: int,
    actor: StaffMember,
    household_number: str,
    category: str | int,
    reason: str,
    now: datetime | None = None,
) -> Award:
    """Record one award (household, star, why) in 草稿 or 评议; it waits for review."""
    proposal = Proposal(household_number, category, reason)
    return (await propose_awards(session, round_id, actor, [proposal], now))[0]


async def review_awards(
    session: AsyncSession,
    round_id: int,
    actor: StaffMember,
    award_ids: Sequence[int],
    *,
    approve: bool,
    note: str = "",
    now: datetime | None = None,
) -> list[Award]:
    """Approve or reject proposed awards of one round in 评议 (all or none).

    The reviewer is never the proposer nor a member of the household, for a
    rejection as much as for an approval: the decision is the second pair of eyes.
    """
    now = _now(now)
    rnd = await _lock_round(session, round_id)
    village = await _village(session, rnd)
    require_role(actor, village, Role.COMMITTEE)
    note = _optional(note, TEXT_LENGTH, "rounds_field_note")
    if not approve and not note:
        raise DomainError("review_note_required")
    wanted = list(dict.fromkeys(award_ids))
    awards: dict[int, Award] = {}
    for start in range(0, len(wanted), CHUNK):
        for award in await session.scalars(
            select(Award)
            .where(col(Award.id).in_(wanted[start : start + CHUNK]))
            .execution_options(populate_existing=True)
        ):
            awards[_id(award.id)] = award
    for award_id in wanted:
        if award_id not in awards or awards[award_id].round_id != round_id:
            raise NotFound("award_not_found", award_id=award_id)
    _require_status(rnd, RoundStatus.REVIEW)
    for award_id in wanted:
        award = awards[award_id]
        if award.status != AwardStatus.PROPOSED.value:
            raise Conflict(
                "award_already_decided", award_id=award_id, status=award_status_text(award.status)
            )
        hold = review_hold(actor, award)
        if hold is not None:
            await _refuse_review(session, actor, award, hold, rnd.village_id)

    status = AwardStatus.APPROVED if approve else AwardStatus.REJECTED
    action = Action.AWARD_APPROVED if approve else Action.AWARD_REJECTED
    homes = {
        home.id: home
        for home in await _homes(session, village, ids=[a.household_id for a in awards.values()])
    }
    category_names = {_id(c.id): c.name for c in await list_categories(session, village)}
    changes = {
        "status": status.value,
        "reviewed_by": _id(actor.id),
        "reviewed_at": now,
        "review_note": note,
    }
    # One UPDATE per chunk; the loaded objects are brought in line without being dirtied.
    for start in range(0, len(wanted), CHUNK):
        await session.execute(
            update(Award)
            .where(col(Award.id).in_(wanted[start : start + CHUNK]))
            .values(**changes)
            .execution_options(synchronize_session=False)
        )
    events: list[dict[str, object]] = []
    decided: list[Award] = []
    for award_id in wanted:
        award = awards[award_id]
        for key, value in changes.items():
            set_committed_value(award, key, value)
        events.append(
            _event(
                rnd,
                actor,
                action,
                now,
                _award_detail(
                    award,
                    homes.get(award.household_id),
                    category_names.get(award.category_id, ""),
                    note,
                ),
            )
        )
        decided.append(award)
    await _record_many(session, events)
    return decided


async def _award_round(session: AsyncSession, award_id: int) -> int:
    round_id = await session.scalar(sa_select(col(Award.round_id)).where(col(Award.id) == award_id))
    if round_id is None:
        raise NotFound("award_not_found", award_id=award_id)
    return int(round_id)


async def approve_award(
    session: AsyncSession,
    award_id: int,
    actor: StaffMember,
    note: str = "",
    now: datetime | None = None,
) -> Award:
    round_id = await _award_round(session, award_id)
    decided = await review_awards(
        session, round_id, actor, [award_id], approve=True, note=note, now=now
    )
    return decided[0]


async def reject_award(
    session: AsyncSession,
    award_id: int,
    actor: StaffMember,
    note: str,
    now: datetime | None = None,
) -> Award:
    round_id = await _award_round(session, award_id)
    decided = await review_awards(
        session, round_id, actor, [award_id], approve=False, note=note, now=now
    )
    return decided[0]


@dataclass(frozen=True)
class HeldAward:
    """A proposed award one member must leave to others, and who those others are."""

    line: AwardLine
    hold: str
    reviewers: list[str]


@dataclass(frozen=True)
class ReviewPlan:
    """What one member may review in a round, and what they must leave (with why)."""

    reviewable: list[AwardLine]
    held: list[HeldAward]

    @property
    def stuck(self) -> list[HeldAward]:
        """Held awards nobody at all may review: they need a new reviewer or a withdrawal."""
        return [h for h in self.held if not h.reviewers]


async def review_plan(session: AsyncSession, round_id: int, actor: StaffMember) -> ReviewPlan:
    """Split the round's proposed awards into those ``actor`` may review and the rest."""
    rnd = await session.get(RatingRound, round_id)
    if rnd is None:
        raise NotFound("round_not_found", ref=round_id)
    require_role(actor, await _village(session, rnd), Role.COMMITTEE)
    lines = await award_lines(session, round_id, [AwardStatus.PROPOSED.value])
    holds = {_id(line.award.id): review_hold(actor, line.award) for line in lines}
    reviewable = [line for line in lines if holds[_id(line.award.id)] is None]
    held_lines = [line for line in lines if holds[_id(line.award.id)] is not None]
    reviewers = await award_reviewers(session, rnd.village_id, [h.award for h in held_lines])
    held = [
        HeldAward(line, holds[_id(line.award.id)] or "", reviewers[_id(line.award.id)])
        for line in held_lines
    ]
    return ReviewPlan(reviewable, held)


async def approve_reviewable(
    session: AsyncSession,
    round_id: int,
    actor: StaffMember,
    note: str = "",
    now: datetime | None = None,
) -> ReviewPlan:
    """Approve every proposed award ``actor`` may review; the plan says what was left and why.

    "Approve all" must not fail on one award of the member's own household or own
    proposal: those are left to others, and the answer names them.
    """
    rnd = await _lock_round(session, round_id)
    require_role(actor, await _village(session, rnd), Role.COMMITTEE)
    _require_status(rnd, RoundStatus.REVIEW)
    plan = await review_plan(session, round_id, actor)
    if plan.reviewable:
        await review_awards(
            session,
            round_id,
            actor,
            [_id(line.award.id) for line in plan.reviewable],
            approve=True,
            note=note,
            now=now,
        )
    return plan


async def withdraw_award(
    session: AsyncSession, award_id: int, actor: StaffMember, now: datetime | None = None
) -> AwardLine:
    """The proposer takes back a nomination not yet reviewed (草稿 or 评议).

    This is the way out when nobody may review it. The row goes (so the star can be
    proposed again later); the round's record keeps what was withdrawn and by whom.
    """
    now = _now(now)
    rnd = await _lock_round(session, await _award_round(session, award_id))
    require_role(actor, await _village(session, rnd), Role.COMMITTEE)
    _require_status(rnd, RoundStatus.DRAFT, RoundStatus.REVIEW)
    award = await session.get(Award, award_id, populate_existing=True)
    assert award is not None
    if award.status != AwardStatus.PROPOSED.value:
        raise Conflict(
            "award_already_decided", award_id=award_id, status=award_status_text(award.status)
        )
    if award.proposed_by != actor.id:
        raise Forbidden("award_withdraw_not_proposer", actor=actor.name, award_id=award_id)
    home = await session.get(Household, award.household_id)
    category = await session.get(StarCategory, award.category_id)
    assert home is not None and category is not None
    names = await _staff_names(session, [award.proposed_by])
    line = AwardLine(
        award=award,
        household_number=home.number,
        head_name=home.head_name,
        group_name=home.group_name,
        category_name=category.name,
        proposed_by=names.get(award.proposed_by, actor.name),
        reviewed_by=None,
    )
    await _record(
        session,
        rnd,
        actor,
        Action.AWARD_WITHDRAWN,
        now,
        _award_detail(award, _Home(home.id or 0, home.number, home.head_name), category.name),
    )
    await session.delete(award)
    await session.flush()
    return line


async def _count_awards(session: AsyncSession, round_id: int, *statuses: AwardStatus) -> int:
    query = sa_select(func.count()).select_from(Award).where(col(Award.round_id) == round_id)
    if statuses:
        query = query.where(col(Award.status).in_([s.value for s in statuses]))
    return int(await session.scalar(query) or 0)


async def submit_for_review(
    session: AsyncSession, round_id: int, actor: StaffMember, now: datetime | None = None
) -> RatingRound:
    """草稿 → 评议: the list of nominations is closed to review (more may still be added)."""
    now = _now(now)
    rnd = await _lock_round(session, round_id)
    require_role(actor, await _village(session, rnd), Role.COMMITTEE)
    _require_status(rnd, RoundStatus.DRAFT)
    count = await _count_awards(session, round_id)
    if count == 0:
        raise DomainError("round_no_awards", name=rnd.name)
    rnd.status = RoundStatus.REVIEW.value
    await _record(
        session, rnd, actor, Action.SUBMITTED, now, text("event_detail_count", count=count)
    )
    await session.flush()
    return rnd


async def publish(
    session: AsyncSession, round_id: int, actor: StaffMember, now: datetime | None = None
) -> RatingRound:
    """评议 → 公示: every award decided; the period is the village's 公示 days from now."""
    now = _now(now)
    rnd = await _lock_round(session, round_id)
    village = await _village(session, rnd)
    require_role(actor, village, Role.COMMITTEE)
    _require_status(rnd, RoundStatus.REVIEW)
    undecided = await _count_awards(session, round_id, AwardStatus.PROPOSED)
    if undecided:
        raise DomainError("round_undecided", count=undecided)
    approved = await _count_awards(session, round_id, AwardStatus.APPROVED)
    if approved == 0:
        raise DomainError("round_nothing_approved", name=rnd.name)
    days = max(1, village.publicity_days)
    rnd.status = RoundStatus.PUBLICITY.value
    rnd.publicity_days = days
    rnd.published_at = now
    rnd.publicity_ends_at = publicity_end(now, days)
    last_day = publicity_last_day(rnd)
    assert last_day is not None
    await _record(
        session,
        rnd,
        actor,
        Action.PUBLISHED,
        now,
        text(
            "event_detail_published",
            start=local_date_text(now),
            end=local_date_text(last_day),
            days=days,
            count=approved,
        ),
    )
    await session.flush()
    return rnd


async def lodge_objection(
    session: AsyncSession,
    award_id: int,
    name: str,
    contact: str,
    reason: str,
    now: datetime | None = None,
) -> Objection:
    """Anyone may object to an approved award while the 公示 runs; no staff role needed."""
    now = _now(now)
    round_id = await _award_round(session, award_id)
    rnd = await _lock_round(session, round_id)
    award = await session.get(Award, award_id, populate_existing=True)
    assert award is not None
    name = _required(name, "objection_name_required", LODGER_LENGTH, "rounds_field_name")
    contact = _optional(contact, CONTACT_LENGTH, "rounds_field_contact")
    reason = _required(reason, "objection_reason_required", TEXT_LENGTH, "rounds_field_reason")
    if rnd.status != RoundStatus.PUBLICITY.value or rnd.publicity_ends_at is None:
        raise DomainError("objection_not_in_publicity", name=rnd.name)
    if now >= _aware(rnd.publicity_ends_at):
        raise DomainError("objection_window_closed", ends=publicity_deadline_text(rnd))
    if award.status != AwardStatus.APPROVED.value:
        raise DomainError(
            "objection_award_not_approved",
            award_id=award_id,
            status=award_status_text(award.status),
        )
    objection = Objection(
        round_id=round_id,
        award_id=award_id,
        lodged_by=name,
        contact=contact,
        reason=reason,
        status=ObjectionStatus.OPEN.value,
        lodged_at=now,
    )
    session.add(objection)
    await session.flush()
    await _record(
        session,
        rnd,
        None,
        Action.OBJECTION_LODGED,
        now,
        text("event_detail_objection", id=objection.id, award_id=award_id, reason=reason),
        actor_name=name,
    )
    await session.flush()
    return objection


async def resolve_objection(
    session: AsyncSession,
    objection_id: int,
    actor: StaffMember,
    *,
    uphold: bool,
    note: str,
    now: datetime | None = None,
) -> Objection:
    """Settle an objection: upheld withdraws the award (it will not be credited)."""
    now = _now(now)
    found = await session.get(Objection, objection_id)
    if found is None:
        raise NotFound("objection_not_found", objection_id=objection_id)
    rnd = await _lock_round(session, found.round_id)
    objection = await session.get(Objection, objection_id, populate_existing=True)
    award = await session.get(Award, found.award_id, populate_existing=True)
    assert objection is not None and award is not None
    require_role(actor, await _village(session, rnd), Role.COMMITTEE)
    _require_status(rnd, RoundStatus.PUBLICITY, RoundStatus.REVIEW)
    if objection.status != ObjectionStatus.OPEN.value:
        raise Conflict(
            "objection_already_resolved",
            objection_id=objection_id,
            status=objection_status_text(objection.status),
        )
    _not_own_household(actor, award.household_id)
    note = _required(note, "resolution_note_required", TEXT_LENGTH, "rounds_field_note")
    objection.status = (ObjectionStatus.UPHELD if uphold else ObjectionStatus.REJECTED).value
    objection.resolved_by = _id(actor.id)
    objection.resolved_at = now
    objection.resolution = note
    if uphold and award.status == AwardStatus.APPROVED.value:
        award.status = AwardStatus.WITHDRAWN.value
    await _record(
        session,
        rnd,
        actor,
        Action.OBJECTION_UPHELD if uphold else Action.OBJECTION_REJECTED,
        now,
        text("event_detail_resolved", id=objection_id, award_id=award.id, note=note),
    )
    await session.flush()
    return objection


async def reopen(
    session: AsyncSession,
    round_id: int,
    actor: StaffMember,
    reason: str,
    now: datetime | None = None,
) -> RatingRound:
    """公示 → 评议: the publication is cleared; publishing again starts a full new period."""
    now = _now(now)
    rnd = await _lock_round(session, round_id)
    require_role(actor, await _village(session, rnd), Role.COMMITTEE)
    _require_status(rnd, RoundStatus.PUBLICITY)
    reason = _required(reason, "reason_required", TEXT_LENGTH, "rounds_field_reason")
    rnd.status = RoundStatus.REVIEW.value
    rnd.published_at = None
    rnd.publicity_ends_at = None
    await _record(session, rnd, actor, Action.REOPENED, now, reason)
    await session.flush()
    return rnd


async def take_effect(
    session: AsyncSession, round_id: int, actor: StaffMember, now: datetime | None = None
) -> EffectResult:
    """公示 → 生效: credit every approved award exactly once, in one batch.

    The round row is locked and its status re-read before anything is written,
    so a second call (or a concurrent one, which waits on the lock) finds the
    round effective and is refused; the ledger's idempotency keys
    (``award:<id>``) are the second safety net.
    """
    now = _now(now)
    rnd = await _lock_round(session, round_id)
    village = await _village(session, rnd)
    require_role(actor, village, Role.COMMITTEE)
    _require_status(rnd, RoundStatus.PUBLICITY)
    assert rnd.publicity_ends_at is not None
    if now < _aware(rnd.publicity_ends_at):
        raise DomainError("publicity_not_over", ends=publicity_deadline_text(rnd))
    open_count = int(
        await session.scalar(
            sa_select(func.count())
            .select_from(Objection)
            .where(
                col(Objection.round_id) == round_id,
                col(Objection.status) == ObjectionStatus.OPEN.value,
            )
        )
        or 0
    )
    if open_count:
        raise DomainError("objections_open", count=open_count)

    rows = await session.execute(
        sa_select(
            col(Award.id),
            col(Award.household_id),
            col(Award.points),
            col(Award.reason),
            col(StarCategory.name),
        )
        .join(StarCategory, col(StarCategory.id) == col(Award.category_id))
        .where(
            col(Award.round_id) == round_id,
            col(Award.status) == AwardStatus.APPROVED.value,
        )
        .order_by(col(Award.id))
    )
    actor_id = _id(actor.id)
    entry_reason = text("award_entry_reason")  # the template, filled per award below
    postings = [
        Posting(
            household_id=household_id,
            village_id=rnd.village_id,
            amount=points,
            kind=EntryKind.AWARD,
            reason=entry_reason.format(round=rnd.name, category=category, reason=reason),
            actor_id=actor_id,
            idempotency_key=f"award:{award_id}",
            ref_type="award",
            ref_id=award_id,
        )
        for award_id, household_id, points, reason, category in rows
    ]
    await post_batch(session, postings, now)
    await session.execute(
        update(Award)
        .where(
            col(Award.round_id) == round_id,
            col(Award.status) == AwardStatus.APPROVED.value,
        )
        .values(status=AwardStatus.CREDITED.value)
    )
    total = sum(p.amount for p in postings)
    households = len({p.household_id for p in postings})
    rnd.status = RoundStatus.EFFECTIVE.value
    rnd.effective_at = now
    await _record(
        session,
        rnd,
        actor,
        Action.EFFECTIVE,
        now,
        text("event_detail_effective", count=len(postings), households=households, total=total),
    )
    await session.flush()
    return EffectResult(rnd, credited=len(postings), households=households, total_points=total)
