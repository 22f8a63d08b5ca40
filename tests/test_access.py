"""Who may do what: each forbidden action by each role is refused, clearly, and changes nothing.

The checks live in the domain (``village.access.require_role`` and the rules
next to it), so these tests call the domain functions directly, as every
front-end does. A refusal must be the access rule's own (its error code), say
why in Chinese, and leave every table as it was, even if the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from care.models import Visit
from care.visits import assign_helper, log_visit
from core.db import Database
from core.errors import DomainError, Forbidden, NotFound
from core.settings import get_settings
from migrations import metadata
from outreach.audience import Audience
from outreach.notices import create_notice
from points import categories, ledger, rounds, supermarket
from points.models import (
    CatalogueItem,
    LedgerEntry,
    Receipt,
    Redemption,
    RedemptionStatus,
    RoundStatus,
    StockMovement,
)
from points.supermarket import ConfirmOutcome
from tests.factories import Town, make_town
from tests.test_supermarket import fund, stock_shop
from village import binding
from village.binding import BindOutcome
from village.models import ChatBinding, Household, StaffMember
from village.registry import add_staff
from village.search import search_households

NOW = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)  # 10:30 in Beijing
LATER = NOW + timedelta(days=30)  # the 公示 is long over
VISITED = date(2026, 3, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class World:
    """Two villages. In 幸福村 (``town``): a helper for household 1, a fund council member,
    a stocked shop, household 2 with points and one bag of rice pending, and a round
    in 评议 whose one award is approved. In 和平村 (``other``): its committee, a helper
    and a draft round."""

    town: Town
    other: Town
    helper: StaffMember
    council: StaffMember
    other_helper: StaffMember
    round_id: int
    other_round_id: int
    redemption_id: int
    code: str

    @property
    def actors(self) -> dict[str, StaffMember]:
        return {
            "shopkeeper": self.town.shopkeeper,
            "helper": self.helper,
            "fund_council": self.council,
            "other_committee": self.other.director,
        }


async def make_world(db: Database) -> World:
    town = await make_town(db, households=3, name="幸福村")
    other = await make_town(db, households=2, name="和平村")
    await stock_shop(db, town)
    await fund(db, town, town.households[2], 100, "fund:2")
    async with db.transaction() as s:
        helper = await add_staff(s, town.village, "幸福村帮扶员", "helper")
        council = await add_staff(s, town.village, "幸福村理事", "fund_council")
        other_helper = await add_staff(s, other.village, "和平村帮扶员", "helper")
        await assign_helper(s, town.director, town.village, helper, [town.households[1]], now=NOW)
        rnd = await rounds.create_round(s, town.village, town.secretary, "2026年第1季度", 2026, NOW)
        award = await rounds.propose_award(
            s, rnd.id or 0, town.secretary, town.households[1].number, "增收致富之星", "养牛", NOW
        )
        await rounds.submit_for_review(s, rnd.id or 0, town.secretary, NOW)
        await rounds.approve_award(s, award.id or 0, town.director, "同意", NOW)
        other_round = await rounds.create_round(
            s, other.village, other.director, "2026年第1季度", 2026, NOW
        )
        await categories.list_categories(s, other.village)  # its stars, installed on first read
        started = await supermarket.start_redemption(
            s, town.village, town.households[2], [("大米", 1)], town.shopkeeper, "pending", NOW
        )
    assert started.code is not None
    return World(
        town,
        other,
        helper,
        council,
        other_helper,
        rnd.id or 0,
        other_round.id or 0,
        started.redemption.id or 0,
        started.code,
    )


Snapshot = dict[str, Any]


async def snapshot(session: AsyncSession) -> Snapshot:
    """Every table's row count (one query), and the states a refused action could flip."""
    counts = select(
        *(
            select(func.count()).select_from(table).scalar_subquery().label(table.name)
            for table in metadata.sorted_tables
        )
    )
    found: Snapshot = dict((await session.execute(counts)).one()._mapping)
    found["stock"] = (await session.execute(text("SELECT id, stock FROM catalogue_item"))).all()
    found["rounds"] = (await session.execute(text("SELECT id, status FROM rating_round"))).all()
    found["redemptions"] = (
        await session.execute(text("SELECT id, status, attempts FROM redemption"))
    ).all()
    return found


async def refused(
    db: Database,
    error: type[DomainError],
    attempt: Callable[..., Awaitable[object]],
    *args: object,
) -> DomainError:
    """``attempt(session, *args)`` in a transaction that is committed anyway: it must raise
    ``error`` and have written nothing, neither before raising nor once committed."""
    async with db.transaction() as s:
        before = await snapshot(s)
        with pytest.raises(error) as raised:
            await attempt(s, *args)
        assert await snapshot(s) == before
    async with db.transaction() as s:
        assert await snapshot(s) == before
    message = raised.value.message
    assert message and CJK.search(message), message
    return raised.value


# ---------------------------------------------------------------- the table

Action = Callable[[AsyncSession, World, StaffMember], Awaitable[object]]


async def _create_round(s: AsyncSession, w: World, actor: StaffMember) -> object:
    return await rounds.create_round(s, w.town.village, actor, "2026年第2季度", 2026, NOW)


async def _propose_award(s: AsyncSession, w: World, actor: StaffMember) -> object:
    number = w.town.households[2].number
    return await rounds.propose_award(s, w.round_id, actor, number, "户容整洁之星", "整洁", NOW)


async def _publish(s: AsyncSession, w: World, actor: StaffMember) -> object:
    return await rounds.publish(s, w.round_id, actor, NOW)


async def _take_effect(s: AsyncSession, w: World, actor: StaffMember) -> object:
    return await rounds.take_effect(s, w.round_id, actor, LATER)


async def _create_notice(s: AsyncSession, w: World, actor: StaffMember) -> object:
    return await create_notice(s, actor, w.town.village, "通知", "明天开会", Audience(), now=NOW)


async def _issue_code(s: AsyncSession, w: World, actor: StaffMember) -> object:
    return await binding.issue_code(s, actor, household=w.town.households[2], now=NOW)


async def _start_redemption(s: AsyncSession, w: World, actor: StaffMember) -> object:
    home = w.town.households[2]
    return await supermarket.start_redemption(
        s, w.town.village, home, [("大米", 1)], actor, "forbidden", NOW
    )


async def _restock(s: AsyncSession, w: World, actor: StaffMember) -> object:
    return await supermarket.restock(s, w.town.village, "大米", 5, actor, now=NOW)


async def _assign_helper(s: AsyncSession, w: World, actor: StaffMember) -> object:
    homes = [w.town.households[2]]
    return await assign_helper(s, actor, w.town.village, w.helper, homes, now=NOW)


async def _log_visit(s: AsyncSession, w: World, actor: StaffMember) -> object:
    """Household 2 has no helper: nobody but the committee may log a visit there."""
    return await log_visit(s, actor, w.town.households[2], VISITED, "入户", "看望", now=NOW)


ACTIONS: dict[str, Action] = {
    "create_round": _create_round,
    "propose_award": _propose_award,
    "publish": _publish,
    "take_effect": _take_effect,
    "create_notice": _create_notice,
    "issue_code": _issue_code,
    "start_redemption": _start_redemption,
    "restock": _restock,
    "assign_helper": _assign_helper,
    "log_visit": _log_visit,
}
ACTORS = ("shopkeeper", "helper", "fund_council", "other_committee")
ALLOWED = {("shopkeeper", "start_redemption"), ("shopkeeper", "restock")}  # the shop's own work


def expected_code(actor: str, action: str) -> str:
    if actor == "other_committee":
        return "forbidden_village"
    if (actor, action) == ("helper", "log_visit"):
        return "visit_not_assigned"
    return "forbidden_role"


@pytest.mark.parametrize("actor", ACTORS)
async def test_each_role_is_refused_what_it_may_not_do(db: Database, actor: str) -> None:
    """One row of the table (actor × every action); a refusal changes nothing, so one
    village serves the whole row. Every failing action is reported, not just the first."""
    world = await make_world(db)
    who = world.actors[actor]
    problems: list[str] = []
    for action, call in ACTIONS.items():
        if (actor, action) in ALLOWED:
            continue
        try:
            error = await refused(db, Forbidden, call, world, who)
        except (Exception, pytest.fail.Exception) as failure:  # reported below
            problems.append(f"{actor} {action}: {failure!r}")
            continue
        if error.code != expected_code(actor, action) or who.name not in error.message:
            problems.append(f"{actor} {action}: {error.code} {error.message}")
    assert not problems, "\n".join(problems)


async def test_the_right_people_can_do_all_of_it(db: Database) -> None:
    """The control for the table: the same calls by the village's own people go through."""
    world = await make_world(db)
    town = world.town
    async with db.transaction() as s:
        await _start_redemption(s, world, town.shopkeeper)
        await _restock(s, world, town.shopkeeper)
        await _publish(s, world, town.director)
        await _take_effect(s, world, town.director)
        await _create_round(s, world, town.director)
        new_round = await rounds.open_round(s, town.village)
        assert new_round is not None and new_round.status == RoundStatus.DRAFT.value
        world.round_id = new_round.id or 0
        await _propose_award(s, world, town.director)
        await _create_notice(s, world, town.director)
        await _issue_code(s, world, town.director)
        await _log_visit(s, world, town.director)
        await _assign_helper(s, world, town.director)
        await _log_visit(s, world, world.helper)  # now household 2 is the helper's
        await log_visit(s, world.helper, town.households[1], VISITED, "电话", "", now=NOW)
    async with db.session() as s:
        visits = list(await s.scalars(select(Visit.helper_id).order_by(col(Visit.id))))
    assert visits == [town.director.id, world.helper.id, world.helper.id]


# ---------------------------------------------------------------- another village's rows


async def _other_start_redemption(s: AsyncSession, w: World) -> object:
    return await supermarket.start_redemption(
        s, w.other.village, w.town.households[2], [("大米", 1)], w.other.director, "x", NOW
    )


async def _other_start_by_number(s: AsyncSession, w: World) -> object:
    number = w.town.households[2].number
    return await supermarket.start_redemption(
        s, w.other.village, number, [("大米", 1)], w.other.director, "x", NOW
    )


async def _other_restock(s: AsyncSession, w: World) -> object:
    rice = await s.scalar(select(CatalogueItem.id).where(CatalogueItem.name == "大米"))
    return await supermarket.restock(s, w.other.village, rice or 0, 5, w.other.director, now=NOW)


async def _other_propose(s: AsyncSession, w: World) -> object:
    number = w.town.households[2].number
    return await rounds.propose_award(
        s, w.other_round_id, w.other.director, number, "户容整洁之星", "整洁", NOW
    )


async def _other_confirm(s: AsyncSession, w: World) -> object:
    return await supermarket.confirm_redemption(
        s, w.other.village, w.redemption_id, w.code, w.other.director, NOW
    )


async def _other_cancel(s: AsyncSession, w: World) -> object:
    return await supermarket.cancel_redemption(
        s, w.other.village, w.redemption_id, w.other.director, NOW
    )


async def _other_assign(s: AsyncSession, w: World) -> object:
    homes = [w.town.households[2]]
    return await assign_helper(s, w.other.director, w.other.village, w.other_helper, homes, now=NOW)


async def _other_helper_visit(s: AsyncSession, w: World) -> object:
    return await log_visit(s, w.other_helper, w.town.households[1], VISITED, "入户", "", now=NOW)


async def _other_find_round(s: AsyncSession, w: World) -> object:
    return await rounds.find_round(s, w.round_id, w.other.village)


async def _other_notice_everywhere(s: AsyncSession, w: World) -> object:
    """A notice for every village (``village=None``) is the county's alone."""
    return await create_notice(s, w.other.director, None, "通知", "全县开会", Audience(), now=NOW)


Attempt = Callable[[AsyncSession, World], Awaitable[object]]
ELSEWHERE: dict[str, tuple[Attempt, type[DomainError], str]] = {
    "start_redemption": (_other_start_redemption, NotFound, "household_not_found"),
    "start_redemption_by_number": (_other_start_by_number, NotFound, "household_not_found"),
    "restock_by_item_id": (_other_restock, NotFound, "item_not_found"),
    "propose_award": (_other_propose, NotFound, "household_not_in_village"),
    "confirm_redemption": (_other_confirm, NotFound, "redemption_not_found"),
    "cancel_redemption": (_other_cancel, NotFound, "redemption_not_found"),
    "find_round": (_other_find_round, NotFound, "round_not_found"),
    "assign_helper": (_other_assign, Forbidden, "visit_household_elsewhere"),
    "helper_log_visit": (_other_helper_visit, Forbidden, "forbidden_village"),
    # refused, though as a plain DomainError rather than Forbidden
    "notice_for_every_village": (
        _other_notice_everywhere,
        DomainError,
        "notice_all_villages_forbidden",
    ),
}


async def test_another_villages_rows_are_out_of_reach_through_ones_own_village(
    db: Database,
) -> None:
    """和平村's committee acts in its own village on 幸福村's rows: not found, or forbidden."""
    world = await make_world(db)
    problems: list[str] = []
    for case, (attempt, error_type, code) in ELSEWHERE.items():
        try:
            error = await refused(db, error_type, attempt, world)
        except (Exception, pytest.fail.Exception) as failure:  # reported below
            problems.append(f"{case}: {failure!r}")
            continue
        if error.code != code:
            problems.append(f"{case}: {error.code} {error.message}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- redemptions


async def balances_and_stock(db: Database) -> tuple[dict[int, int], dict[str, int], int]:
    async with db.session() as s:
        balances = {
            h.id or 0: await ledger.balance(s, h.id or 0)
            for h in await s.scalars(select(Household))
        }
        stock = {i.name: i.stock for i in await s.scalars(select(CatalogueItem))}
        receipts = await s.scalar(select(func.count()).select_from(Receipt)) or 0
    return balances, stock, receipts


async def test_a_household_cannot_confirm_or_refuse_another_households_redemption(
    db: Database,
) -> None:
    world = await make_world(db)
    neighbour = world.town.households[1]  # same village, not the one redeeming
    stranger = world.other.households[0]  # another village
    for home in (neighbour, stranger):
        error = await refused(
            db, NotFound, supermarket.confirm_for_household, home, world.redemption_id, NOW
        )
        assert error.code == "redemption_not_found"
        error = await refused(
            db, NotFound, supermarket.refuse_for_household, home, world.redemption_id, NOW
        )
        assert error.code == "redemption_not_found"
    # Texting the right code from the neighbour's phone does not reach it either.
    async with db.transaction() as s:
        assert await supermarket.confirm_by_code(s, [neighbour], world.code, NOW) is None
    async with db.session() as s:
        redemption = await s.get_one(Redemption, world.redemption_id)
    assert redemption.status == RedemptionStatus.PENDING.value and redemption.attempts == 0


async def test_a_shopkeeper_cannot_complete_a_redemption_without_the_households_code(
    db: Database,
) -> None:
    world = await make_world(db)
    town = world.town
    before = await balances_and_stock(db)
    wrong = f"{(int(world.code) + 1) % 1_000_000:06d}"
    async with db.transaction() as s:
        result = await supermarket.confirm_redemption(
            s, town.village, world.redemption_id, wrong, town.shopkeeper, NOW
        )
    assert result.outcome == ConfirmOutcome.WRONG_CODE and not result.ok
    assert result.receipt is None and CJK.search(result.message)
    assert result.attempts_left == get_settings().redemption_code_attempts - 1
    # Nor with something that is not a code at all (refused outright, nothing counted).
    malformed = await refused(
        db,
        DomainError,
        supermarket.confirm_redemption,
        town.village,
        world.redemption_id,
        "12345",
        town.shopkeeper,
        NOW,
    )
    assert malformed.code == "redemption_code_format"
    assert await balances_and_stock(db) == before
    async with db.session() as s:
        redemption = await s.get_one(Redemption, world.redemption_id)
        entries = await s.scalar(
            select(func.count())
            .select_from(LedgerEntry)
            .where(LedgerEntry.household_id == town.households[2].id)
        )
        movements = await s.scalar(
            select(func.count())
            .select_from(StockMovement)
            .where(col(StockMovement.redemption_id).is_not(None))
        )
    assert redemption.status == RedemptionStatus.PENDING.value and redemption.attempts == 1
    assert (entries, movements) == (1, 0)  # only the funding entry; no stock went out


# ---------------------------------------------------------------- search and binding


async def test_search_never_returns_another_villages_households(db: Database) -> None:
    world = await make_world(db)
    town, other = world.town, world.other
    mine = {h.id for h in town.households}
    theirs = {h.id for h in other.households}
    async with db.session() as s:
        for query in ("户主", "户主1", "hz", "HZ1", "001", "村", other.households[0].number):
            found = {h.id for h in await search_households(s, town.village, query, limit=50)}
            assert found <= mine and not found & theirs, query
        everyone = await search_households(s, town.village, "户主", limit=50)
        assert {h.id for h in everyone} == mine
        assert await search_households(s, town.village, other.households[0].number) == []
        assert {h.id for h in await search_households(s, other.village, "户主", limit=50)} == theirs


async def chats(db: Database) -> int:
    async with db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(ChatBinding)) or 0)


async def test_a_reused_an_expired_or_a_replaced_binding_code_is_refused(db: Database) -> None:
    world = await make_world(db)
    town = world.town
    async with db.transaction() as s:
        used = await binding.issue_code(s, town.director, household=town.households[1], now=NOW)
        expired = await binding.issue_code(s, town.director, household=town.households[2], now=NOW)
        old = await binding.issue_code(s, town.director, household=town.households[0], now=NOW)
        await binding.issue_code(s, town.director, household=town.households[0], now=NOW)
    async with db.transaction() as s:
        first = await binding.bind_chat(s, 1001, used, NOW)
    assert first.ok and await chats(db) == 1

    too_late = NOW + timedelta(days=get_settings().binding_code_days + 2)
    attempts = [
        (2002, used, NOW + timedelta(minutes=5), BindOutcome.USED),
        (3003, expired, too_late, BindOutcome.EXPIRED),
        (4004, old, NOW, BindOutcome.REVOKED),
    ]
    for chat_id, code, when, outcome in attempts:
        async with db.transaction() as s:
            result = await binding.bind_chat(s, chat_id, code, when)
        assert result.outcome == outcome and not result.ok
        assert CJK.search(result.message), result.message
        async with db.session() as s:
            assert await binding.identify(s, chat_id) is None
    assert await chats(db) == 1
    async with db.session() as s:
        who = await binding.identify(s, 1001)
    assert who is not None and who.household is not None
    assert who.household.id == town.households[1].id
