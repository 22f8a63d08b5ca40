"""Follow-ups (待办事项): what the committee must act on after a visit or a 求助.

A checklist problem found on a visit (:mod:`care.visits`) or a household's
hardship report (:mod:`care.hardship`) opens one; a committee member closes
it once, saying what was done. Nothing is deleted: the closed ones are the
record of 防返贫 monitoring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from care.models import ChecklistItem, FollowUp, HardshipKind
from core.catalogue import text
from core.clock import local_text, utcnow
from core.errors import Conflict, DomainError, NotFound
from core.models import Role
from village.access import require_role
from village.models import Household, StaffMember, Village

NOTE_LIMIT = 500  # FollowUp.note and FollowUp.resolution


def item_text(item: str) -> str:
    """What a follow-up is about: a checklist item (住房安全) or a hardship (因病)."""
    if item in set(ChecklistItem):
        return text(f"care_item_{item}")
    if item in set(HardshipKind):
        return text(f"care_kind_{item}")
    return item


@dataclass(frozen=True)
class OpenFollowUp:
    follow_up: FollowUp
    household: Household

    @property
    def about(self) -> str:
        return item_text(self.follow_up.item)

    @property
    def source(self) -> str:
        """走访 or 求助: where it came from."""
        return text("care_source_visit" if self.follow_up.visit_id else "care_source_hardship")


async def open_follow_up(
    session: AsyncSession,
    household: Household,
    item: str,
    note: str,
    *,
    visit_id: int | None = None,
    hardship_id: int | None = None,
    now: datetime | None = None,
) -> FollowUp:
    """Open one for the household's village (called by visits and hardship reports)."""
    follow_up = FollowUp(
        village_id=household.village_id,
        household_id=household.id or 0,
        visit_id=visit_id,
        hardship_id=hardship_id,
        item=item,
        note=note.strip()[:NOTE_LIMIT],
        opened_at=now or utcnow(),
    )
    session.add(follow_up)
    await session.flush()
    return follow_up


async def open_follow_ups(session: AsyncSession, village: Village) -> list[OpenFollowUp]:
    """The village's open follow-ups, oldest first, each with its household."""
    rows = await session.execute(
        select(FollowUp, Household)
        .join(Household, col(Household.id) == col(FollowUp.household_id))
        .where(col(FollowUp.village_id) == village.id, col(FollowUp.closed_at).is_(None))
        .order_by(col(FollowUp.opened_at), col(FollowUp.id))
    )
    return [OpenFollowUp(follow_up, household) for follow_up, household in rows]


async def count_open(session: AsyncSession, village: Village) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(FollowUp)
        .where(col(FollowUp.village_id) == village.id, col(FollowUp.closed_at).is_(None))
    )
    return int(count or 0)


async def open_by_village(session: AsyncSession, village_ids: list[int]) -> dict[int, int]:
    """The open follow-ups of each village (0 for none), in one query: the township page's column."""
    rows = await session.execute(
        select(col(FollowUp.village_id), func.count())
        .where(col(FollowUp.village_id).in_(village_ids), col(FollowUp.closed_at).is_(None))
        .group_by(col(FollowUp.village_id))
    )
    return dict.fromkeys(village_ids, 0) | {village: int(count) for village, count in rows}


async def close_follow_up(
    session: AsyncSession,
    actor: StaffMember,
    follow_up_id: int,
    resolution: str,
    now: datetime | None = None,
) -> FollowUp:
    """Close a follow-up, saying what was done; a committee member of its village, once.

    The close is one conditional update, so two members closing the same item
    at the same moment cannot both succeed.
    """
    follow_up = await session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise NotFound("care_follow_up_not_found", id=follow_up_id)
    village = await session.get(Village, follow_up.village_id)
    if village is None:  # pragma: no cover - the foreign key keeps it
        raise NotFound("village_not_found", name=follow_up.village_id)
    require_role(actor, village, Role.COMMITTEE)
    said = resolution.strip()
    if not said:
        raise DomainError("care_resolution_missing")
    if len(said) > NOTE_LIMIT:
        raise DomainError("care_resolution_too_long", limit=NOTE_LIMIT, length=len(said))
    moment = now or utcnow()
    closed = await session.scalar(
        update(FollowUp)
        .where(col(FollowUp.id) == follow_up_id, col(FollowUp.closed_at).is_(None))
        .values(closed_at=moment, closed_by=actor.id, resolution=said)
        .returning(col(FollowUp.id))
        .execution_options(synchronize_session=False)
    )
    await session.refresh(follow_up)
    if closed is None:
        closer = (
            await session.get(StaffMember, follow_up.closed_by) if follow_up.closed_by else None
        )
        raise Conflict(
            "care_follow_up_closed",
            id=follow_up_id,
            when=local_text(follow_up.closed_at),
            by=closer.name if closer else "—",
        )
    return follow_up
