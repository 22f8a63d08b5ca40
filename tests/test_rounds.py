"""Star categories and rating rounds: the cycle, the fairness rules, crediting exactly once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from core.db import Database
from core.errors import Conflict, DomainError, Forbidden, NotFound
from points import categories, ledger, rounds
from points.models import (
    Award,
    AwardStatus,
    LedgerEntry,
    Objection,
    RatingRound,
    RoundEvent,
    RoundStatus,
)
from tests.factories import Town, make_town
from village.models import StaffMember
from village.registry import add_staff

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # 10:00 in Beijing on 5 January
LATER = T0 + timedelta(days=30)


@dataclass
class Setup:
    town: Town
    member: StaffMember  # a third committee member, no household
    round_id: int
    awards: list[Award]


async def _setup(db: Database, *, submit: bool = True, review: bool = True) -> Setup:
    """A round with three awards proposed by the secretary (who lives in household 0)."""
    town = await make_town(db)
    homes = town.households
    async with db.transaction() as s:
        member = await add_staff(s, town.village, "委员", "committee")
        rnd = await rounds.create_round(s, town.village, town.secretary, "2026年第1季度", 2026, T0)
        assert rnd.id is not None
        awards = [
            await rounds.propose_award(
                s, rnd.id, town.secretary, homes[1].number, "增收致富之星", "养牛致富", T0
            ),
            await rounds.propose_award(
                s, rnd.id, town.secretary, homes[2].number, "户容整洁之星", "庭院整洁", T0
            ),
            await rounds.propose_award(
                s, rnd.id, town.secretary, homes[2].number, "热心公益之星", "修路出工", T0
            ),
        ]
        if submit:
            await rounds.submit_for_review(s, rnd.id, town.secretary, T0)
        if submit and review:
            for award in awards:
                assert award.id is not None
                await rounds.approve_award(s, award.id, town.director, "同意", T0)
    return Setup(town, member, rnd.id, awards)


async def _publish(db: Database, setup: Setup, now: datetime = T0) -> RatingRound:
    async with db.transaction() as s:
        return await rounds.publish(s, setup.round_id, setup.town.director, now)


async def _round(db: Database, round_id: int) -> RatingRound:
    async with db.session() as s:
        rnd = await s.get(RatingRound, round_id)
        assert rnd is not None
        return rnd


async def _statuses(db: Database, round_id: int) -> dict[int, str]:
    async with db.session() as s:
        rows = await s.execute(
            select(Award.id, Award.status).where(Award.round_id == round_id).order_by(col(Award.id))
        )
        return {int(i or 0): st for i, st in rows}


async def _entries(db: Database) -> int:
    async with db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(LedgerEntry)) or 0)


# ---------------------------------------------------------------- categories


async def test_default_categories_are_installed_once_per_village(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, households=1, name="光明村")
    async with db.transaction() as s:
        first = await categories.list_categories(s, town.village)
        again = await categories.list_categories(s, town.village)
        assert [c.name for c in first] == list(categories.DEFAULT_CATEGORIES)
        assert [c.id for c in again] == [c.id for c in first]
        assert {c.points for c in first} == {10}
        theirs = await categories.list_categories(s, other.village)
        assert len(theirs) == 10 and {c.village_id for c in theirs} == {other.village.id}

        changed = await categories.update_category(
            s, town.village, town.director, "增收致富之星", points=20
        )
        assert changed.points == 20
        added = await categories.add_category(s, town.village, town.director, "孝老爱亲之星", 15)
        assert added.sort_order == 11
        gone = await categories.deactivate_category(s, town.village, town.director, "反对迷信之星")
        assert not gone.active
        active = await categories.list_categories(s, town.village, active_only=True)
        assert "反对迷信之星" not in [c.name for c in active]
        assert "孝老爱亲之星" in [c.name for c in active]

        with pytest.raises(Conflict):
            await categories.add_category(s, town.village, town.director, "孝老爱亲之星")
        with pytest.raises(DomainError) as bad:
            await categories.update_category(
                s, town.village, town.director, "增收致富之星", points=0
            )
        assert bad.value.code == "category_bad_points"
        with pytest.raises(Forbidden):
            await categories.update_category(
                s, town.village, town.shopkeeper, "增收致富之星", points=99
            )
        with pytest.raises(Forbidden) as foreign:
            await categories.add_category(s, town.village, other.director, "外村之星")
        assert foreign.value.code == "forbidden_village"
        with pytest.raises(NotFound):
            await categories.find_category(s, town.village, "没有这颗星")


async def test_concurrent_first_reads_install_the_defaults_once(db: Database) -> None:
    town = await make_town(db)

    async def read() -> int:
        async with db.transaction() as s:
            return len(await categories.list_categories(s, town.village))

    assert list(await asyncio.gather(read(), read())) == [10, 10]


async def test_points_are_fixed_when_proposed_and_inactive_stars_refused(db: Database) -> None:
    setup = await _setup(db, submit=False)
    town = setup.town
    async with db.transaction() as s:
        await categories.update_category(s, town.village, town.director, "增收致富之星", points=50)
        await categories.deactivate_category(s, town.village, town.director, "学用科技之星")
    async with db.transaction() as s:
        award = await s.get(Award, setup.awards[0].id)
        assert award is not None and award.points == 10
        fresh = await rounds.propose_award(
            s, setup.round_id, town.director, town.households[3].number, "增收致富之星", "种菜", T0
        )
        assert fresh.points == 50
    with pytest.raises(DomainError) as caught:
        async with db.transaction() as s:
            await rounds.propose_award(
                s, setup.round_id, town.director, town.households[3].number, "学用科技之星", "x", T0
            )
    assert caught.value.code == "category_inactive"


# ---------------------------------------------------------------- the cycle


async def test_full_cycle_credits_every_approved_award_once(db: Database) -> None:
    setup = await _setup(db, review=False)
    town, homes = setup.town, setup.town.households
    a1, a2, a3 = (a.id or 0 for a in setup.awards)
    async with db.transaction() as s:
        await rounds.approve_award(s, a1, town.director, "", T0)
        await rounds.approve_award(s, a2, setup.member, "属实", T0)
        await rounds.reject_award(s, a3, town.director, "出工次数不够", T0)
        # The committee may still add awards in 评议; they need a decision too.
        extra = await rounds.propose_award(
            s, setup.round_id, town.director, homes[0].number, "良好家风之星", "孝敬老人", T0
        )
    with pytest.raises(DomainError) as undecided:
        await _publish(db, setup)
    assert undecided.value.code == "round_undecided"
    async with db.transaction() as s:
        await rounds.approve_award(s, extra.id or 0, setup.member, "", T0)

    rnd = await _publish(db, setup)
    assert rnd.status == RoundStatus.PUBLICITY.value
    assert rnd.published_at == T0
    # 5 days, publication day counted: 5–9 January, over at midnight Beijing time.
    assert rnd.publicity_ends_at == datetime(2026, 1, 9, 16, 0, tzinfo=UTC)
    assert rnd.publicity_days == 5

    end = rnd.publicity_ends_at
    assert end is not None
    with pytest.raises(DomainError) as early:
        async with db.transaction() as s:
            await rounds.take_effect(s, setup.round_id, town.director, end - timedelta(seconds=1))
    assert early.value.code == "publicity_not_over"
    assert "公示期" in early.value.message

    async with db.transaction() as s:
        result = await rounds.take_effect(s, setup.round_id, town.director, end)
    assert (result.credited, result.households, result.total_points) == (3, 3, 30)
    assert result.round.status == RoundStatus.EFFECTIVE.value

    assert await _statuses(db, setup.round_id) == {
        a1: AwardStatus.CREDITED.value,
        a2: AwardStatus.CREDITED.value,
        a3: AwardStatus.REJECTED.value,
        extra.id: AwardStatus.CREDITED.value,
    }
    async with db.session() as s:
        assert await ledger.balance(s, homes[0].id or 0) == 10
        assert await ledger.balance(s, homes[1].id or 0) == 10
        assert await ledger.balance(s, homes[2].id or 0) == 10
        entry = await s.scalar(
            select(LedgerEntry).where(LedgerEntry.idempotency_key == f"award:{a1}")
        )
        assert entry is not None
        assert entry.reason == "2026年第1季度 增收致富之星：养牛致富"
        assert (entry.kind, entry.ref_type, entry.ref_id) == ("award", "award", a1)
        assert entry.actor_id == town.director.id
        assert await ledger.verify(s) == []


async def test_every_action_is_recorded(db: Database) -> None:
    setup = await _setup(db)
    town = setup.town
    rnd = await _publish(db, setup)
    award_id = setup.awards[0].id or 0
    async with db.transaction() as s:
        objection = await rounds.lodge_objection(s, award_id, "李四", "13800001111", "不属实", T0)
        await rounds.resolve_objection(
            s, objection.id or 0, setup.member, uphold=False, note="经核实属实", now=T0
        )
        await rounds.reopen(s, setup.round_id, town.director, "补评一户", T0)
    await _publish(db, setup, T0 + timedelta(days=1))
    rnd = await _round(db, setup.round_id)
    assert rnd.publicity_ends_at is not None
    async with db.transaction() as s:
        await rounds.take_effect(s, setup.round_id, town.director, rnd.publicity_ends_at)
    async with db.session() as s:
        events = await rounds.list_events(s, setup.round_id)
    assert [e.action for e in events] == [
        "created",
        "award_proposed",
        "award_proposed",
        "award_proposed",
        "submitted",
        "award_approved",
        "award_approved",
        "award_approved",
        "published",
        "objection_lodged",
        "objection_rejected",
        "reopened",
        "published",
        "effective",
    ]
    lodged = events[9]
    assert lodged.actor_id is None and lodged.actor_name == "李四"
    assert "13800001111" not in lodged.detail
    approved = events[5]
    assert approved.actor_id == town.director.id and approved.actor_name == town.director.name
    assert setup.town.households[1].number in approved.detail and "同意" in approved.detail
    assert all(e.at.tzinfo is not None for e in events)


async def test_state_machine_refuses_out_of_order_steps(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        rnd = await rounds.create_round(s, town.village, town.secretary, "2026年第2季度", 2026, T0)
    round_id = rnd.id or 0

    async def attempt(code: str, action: object) -> None:
        with pytest.raises(DomainError) as caught:
            async with db.transaction() as s:
                await action(s)  # type: ignore[operator]
        assert caught.value.code == code, caught.value.message

    await attempt(
        "round_no_awards", lambda s: rounds.submit_for_review(s, round_id, town.director, T0)
    )
    await attempt("round_wrong_status", lambda s: rounds.publish(s, round_id, town.director, T0))
    await attempt(
        "round_wrong_status", lambda s: rounds.take_effect(s, round_id, town.director, T0)
    )
    await attempt(
        "round_wrong_status", lambda s: rounds.reopen(s, round_id, town.director, "x", T0)
    )
    async with db.transaction() as s:
        award = await rounds.propose_award(
            s, round_id, town.director, town.households[1].number, "政策明白之星", "宣讲", T0
        )
    award_id = award.id or 0
    await attempt(
        "round_wrong_status", lambda s: rounds.approve_award(s, award_id, town.secretary, "", T0)
    )
    await attempt(
        "objection_not_in_publicity",
        lambda s: rounds.lodge_objection(s, award_id, "王五", "", "不服", T0),
    )
    await attempt(
        "round_open_exists",
        lambda s: rounds.create_round(s, town.village, town.director, "2026年第3季度", 2026, T0),
    )
    await attempt(
        "round_exists",
        lambda s: rounds.create_round(s, town.village, town.director, "2026年第2季度", 2026, T0),
    )
    await attempt(
        "round_bad_year", lambda s: rounds.create_round(s, town.village, town.director, "x", 26, T0)
    )
    await attempt(
        "award_reason_required",
        lambda s: rounds.propose_award(
            s, round_id, town.director, town.households[2].number, "政策明白之星", "  ", T0
        ),
    )
    async with db.transaction() as s:
        await rounds.submit_for_review(s, round_id, town.director, T0)
        await rounds.reject_award(s, award.id or 0, town.secretary, "材料不全", T0)
    await attempt(
        "round_nothing_approved", lambda s: rounds.publish(s, round_id, town.director, T0)
    )
    await attempt(
        "review_note_required", lambda s: rounds.reject_award(s, award_id, town.secretary, "", T0)
    )
    await attempt(
        "award_already_decided", lambda s: rounds.approve_award(s, award_id, town.secretary, "", T0)
    )
    assert (await _round(db, round_id)).status == RoundStatus.REVIEW.value


# ---------------------------------------------------------------- fairness


async def test_fairness_rules_refuse_and_change_nothing(db: Database) -> None:
    setup = await _setup(db, review=False)
    town, homes = setup.town, setup.town.households
    other = await make_town(db, households=2, name="光明村")
    async with db.transaction() as s:
        # a committee member who lives in household 1
        neighbour = await add_staff(
            s, town.village, "住户委员", "committee", household_number=homes[1].number
        )
    before_awards = await _statuses(db, setup.round_id)
    async with db.session() as s:
        before_events = len(await rounds.list_events(s, setup.round_id))
    a1 = setup.awards[0].id or 0

    cases: list[tuple[type[DomainError], str, object]] = [
        # the proposer never approves (nor rejects) their own proposal
        (
            Forbidden,
            "award_self_review",
            lambda s: rounds.approve_award(s, a1, town.secretary, "", T0),
        ),
        (
            Forbidden,
            "award_self_review",
            lambda s: rounds.reject_award(s, a1, town.secretary, "x", T0),
        ),
        # nobody proposes or reviews for their own household
        (
            Forbidden,
            "award_own_household",
            lambda s: rounds.propose_award(
                s, setup.round_id, town.secretary, homes[0].number, "政策明白之星", "x", T0
            ),
        ),
        (
            Forbidden,
            "award_own_household",
            lambda s: rounds.approve_award(s, a1, neighbour, "", T0),
        ),
        # only the committee of this village
        (
            Forbidden,
            "forbidden_role",
            lambda s: rounds.approve_award(s, a1, town.shopkeeper, "", T0),
        ),
        (
            Forbidden,
            "forbidden_role",
            lambda s: rounds.propose_award(
                s, setup.round_id, town.shopkeeper, homes[3].number, "政策明白之星", "x", T0
            ),
        ),
        (
            Forbidden,
            "forbidden_village",
            lambda s: rounds.approve_award(s, a1, other.director, "", T0),
        ),
        (
            Forbidden,
            "forbidden_village",
            lambda s: rounds.submit_for_review(s, setup.round_id, other.director, T0),
        ),
        # a household of another village, an unknown star, a second award for the same star
        (
            NotFound,
            "household_not_in_village",
            lambda s: rounds.propose_award(
                s,
                setup.round_id,
                town.director,
                other.households[0].number,
                "政策明白之星",
                "x",
                T0,
            ),
        ),
        (
            NotFound,
            "category_not_found",
            lambda s: rounds.propose_award(
                s, setup.round_id, town.director, homes[3].number, "外星之星", "x", T0
            ),
        ),
        (
            Conflict,
            "award_exists",
            lambda s: rounds.propose_award(
                s, setup.round_id, town.director, homes[1].number, "增收致富之星", "再评一次", T0
            ),
        ),
        (
            Conflict,
            "award_exists",
            lambda s: rounds.propose_awards(
                s,
                setup.round_id,
                town.director,
                [
                    rounds.Proposal(homes[3].number, "政策明白之星", "a"),
                    rounds.Proposal(homes[3].number, "政策明白之星", "b"),
                ],
                T0,
            ),
        ),
    ]
    for error_type, code, action in cases:
        with pytest.raises(error_type) as caught:
            async with db.transaction() as s:
                await action(s)  # type: ignore[operator]
        assert caught.value.code == code, (code, caught.value.message)
        assert caught.value.message  # a Chinese sentence for the front-end

    assert await _statuses(db, setup.round_id) == before_awards
    async with db.session() as s:
        assert len(await rounds.list_events(s, setup.round_id)) == before_events

    # The same acts by the right people go through.
    async with db.transaction() as s:
        county = await add_staff(s, None, "县管理员", "county_admin")
        await rounds.approve_award(s, a1, town.director, "", T0)
        await rounds.approve_award(s, setup.awards[1].id or 0, neighbour, "", T0)
        await rounds.approve_award(s, setup.awards[2].id or 0, county, "", T0)
    rnd = await _publish(db, setup)
    assert rnd.status == RoundStatus.PUBLICITY.value

    # An objection is settled by someone outside the household.
    async with db.transaction() as s:
        objection = await rounds.lodge_objection(s, a1, "张三", "", "不属实", T0)
    with pytest.raises(Forbidden) as caught:
        async with db.transaction() as s:
            await rounds.resolve_objection(
                s, objection.id or 0, neighbour, uphold=False, note="维持", now=T0
            )
    assert caught.value.code == "award_own_household"
    with pytest.raises(Forbidden):
        async with db.transaction() as s:
            await rounds.resolve_objection(
                s, objection.id or 0, town.shopkeeper, uphold=True, note="撤销", now=T0
            )
    async with db.session() as s:
        still = await s.get(Objection, objection.id)
        assert still is not None and still.status == "open"


# ---------------------------------------------------------------- objections


async def test_upheld_objection_withdraws_the_award_and_it_is_not_credited(db: Database) -> None:
    setup = await _setup(db)
    town, homes = setup.town, setup.town.households
    rnd = await _publish(db, setup)
    end = rnd.publicity_ends_at
    assert end is not None
    a1, a2, a3 = (a.id or 0 for a in setup.awards)
    async with db.transaction() as s:
        first = await rounds.lodge_objection(
            s, a1, "李四", "13800001111", "他家牛是借的", T0 + timedelta(days=1)
        )
        second = await rounds.lodge_objection(
            s, a2, "王五", "", "院子其实很乱", T0 + timedelta(days=2)
        )

    with pytest.raises(DomainError) as blocked:
        async with db.transaction() as s:
            await rounds.take_effect(s, setup.round_id, town.director, end)
    assert blocked.value.code == "objections_open"

    async with db.transaction() as s:
        upheld = await rounds.resolve_objection(
            s,
            first.id or 0,
            town.director,
            uphold=True,
            note="核实属实，撤销",
            now=T0 + timedelta(days=3),
        )
        assert upheld.status == "upheld" and upheld.resolved_by == town.director.id
        await rounds.resolve_objection(
            s,
            second.id or 0,
            setup.member,
            uphold=False,
            note="已实地查看，整洁",
            now=T0 + timedelta(days=3),
        )
    with pytest.raises(Conflict) as again:
        async with db.transaction() as s:
            await rounds.resolve_objection(
                s, first.id or 0, town.director, uphold=False, note="改判", now=T0
            )
    assert again.value.code == "objection_already_resolved"
    # a withdrawn award takes no more objections
    with pytest.raises(DomainError) as withdrawn:
        async with db.transaction() as s:
            await rounds.lodge_objection(s, a1, "赵六", "", "再议", T0 + timedelta(days=3))
    assert withdrawn.value.code == "objection_award_not_approved"

    async with db.transaction() as s:
        result = await rounds.take_effect(s, setup.round_id, town.director, end)
    assert result.credited == 2 and result.total_points == 20
    assert await _statuses(db, setup.round_id) == {
        a1: AwardStatus.WITHDRAWN.value,
        a2: AwardStatus.CREDITED.value,
        a3: AwardStatus.CREDITED.value,
    }
    async with db.session() as s:
        assert await ledger.balance(s, homes[1].id or 0) == 0
        assert await ledger.balance(s, homes[2].id or 0) == 20
        lines = await rounds.list_objections(s, setup.round_id)
        assert [line.objection.status for line in lines] == ["upheld", "rejected"]
        assert (
            lines[0].head_name == homes[1].head_name and lines[0].resolved_by == town.director.name
        )


async def test_objections_only_during_the_window(db: Database) -> None:
    setup = await _setup(db)
    rnd = await _publish(db, setup)
    end = rnd.publicity_ends_at
    assert end is not None
    award_id = setup.awards[0].id or 0
    with pytest.raises(DomainError) as late:
        async with db.transaction() as s:
            await rounds.lodge_objection(s, award_id, "李四", "", "不服", end)
    assert late.value.code == "objection_window_closed"
    for name, reason, code in (
        ("", "不服", "objection_name_required"),
        ("李四", " ", "objection_reason_required"),
    ):
        with pytest.raises(DomainError) as caught:
            async with db.transaction() as s:
                await rounds.lodge_objection(s, award_id, name, "", reason, T0)
        assert caught.value.code == code
    with pytest.raises(NotFound):
        async with db.transaction() as s:
            await rounds.lodge_objection(s, 999_999, "李四", "", "不服", T0)
    async with db.transaction() as s:
        ok = await rounds.lodge_objection(
            s, award_id, "李四", "", "不服", end - timedelta(seconds=1)
        )
    assert ok.status == "open"


async def test_reopen_clears_the_publication_and_republishing_restarts_the_period(
    db: Database,
) -> None:
    setup = await _setup(db)
    town, homes = setup.town, setup.town.households
    await _publish(db, setup)
    async with db.transaction() as s:
        objection = await rounds.lodge_objection(
            s, setup.awards[0].id or 0, "李四", "", "不属实", T0
        )
        await rounds.resolve_objection(
            s, objection.id or 0, town.director, uphold=True, note="撤销", now=T0
        )
    with pytest.raises(DomainError) as no_reason:
        async with db.transaction() as s:
            await rounds.reopen(s, setup.round_id, town.director, " ", T0)
    assert no_reason.value.code == "reason_required"
    async with db.transaction() as s:
        reopened = await rounds.reopen(
            s, setup.round_id, town.director, "补评一户", T0 + timedelta(days=1)
        )
    assert reopened.status == RoundStatus.REVIEW.value
    assert reopened.published_at is None and reopened.publicity_ends_at is None
    async with db.session() as s:
        assert await rounds.open_round(s, town.village) is not None
    async with db.transaction() as s:
        replacement = await rounds.propose_award(
            s,
            setup.round_id,
            town.director,
            homes[3].number,
            "增收致富之星",
            "种大棚",
            T0 + timedelta(days=1),
        )
        await rounds.approve_award(s, replacement.id or 0, setup.member, "", T0 + timedelta(days=1))
    again = await _publish(db, setup, T0 + timedelta(days=2))
    assert again.published_at == T0 + timedelta(days=2)
    assert again.publicity_ends_at == datetime(2026, 1, 11, 16, 0, tzinfo=UTC)
    with pytest.raises(DomainError):
        async with db.transaction() as s:
            await rounds.take_effect(
                s, setup.round_id, town.director, datetime(2026, 1, 10, 16, 0, tzinfo=UTC)
            )
    async with db.transaction() as s:
        result = await rounds.take_effect(s, setup.round_id, town.director, LATER)
    assert result.credited == 3  # two of the first three, plus the replacement
    async with db.session() as s:
        assert await ledger.balance(s, homes[3].id or 0) == 10
        assert await ledger.balance(s, homes[1].id or 0) == 0


# ---------------------------------------------------------------- exactly once


async def test_take_effect_twice_credits_once(db: Database) -> None:
    setup = await _setup(db)
    await _publish(db, setup)
    async with db.transaction() as s:
        await rounds.take_effect(s, setup.round_id, setup.town.director, LATER)
    entries = await _entries(db)
    with pytest.raises(Conflict) as caught:
        async with db.transaction() as s:
            await rounds.take_effect(s, setup.round_id, setup.town.director, LATER)
    assert caught.value.code == "round_already_effective"
    assert "已生效" in caught.value.message
    assert await _entries(db) == entries == 3
    # Nothing else moves an effective round either.
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await rounds.reopen(s, setup.round_id, setup.town.director, "改", LATER)


async def test_take_effect_concurrently_credits_once(db: Database) -> None:
    setup = await _setup(db)
    await _publish(db, setup)

    async def effect() -> rounds.EffectResult:
        async with db.transaction() as s:
            return await rounds.take_effect(s, setup.round_id, setup.town.director, LATER)

    outcomes = await asyncio.gather(effect(), effect(), return_exceptions=True)
    done = [o for o in outcomes if isinstance(o, rounds.EffectResult)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(done) == 1 and done[0].credited == 3
    assert len(refused) == 1 and isinstance(refused[0], Conflict), refused
    assert refused[0].code == "round_already_effective"
    assert await _entries(db) == 3
    async with db.session() as s:
        assert await ledger.balance(s, setup.town.households[2].id or 0) == 20
        assert await ledger.verify(s) == []
        effective = await s.scalar(
            select(func.count()).select_from(RoundEvent).where(RoundEvent.action == "effective")
        )
        assert effective == 1


# ---------------------------------------------------------------- reading


async def test_reading_rounds(db: Database) -> None:
    setup = await _setup(db, review=False)
    town = setup.town
    other = await make_town(db, households=1, name="光明村")
    async with db.transaction() as s:
        await rounds.create_round(s, other.village, other.director, "2026年第1季度", 2026, T0)
    async with db.session() as s:
        rnd = await rounds.find_round(s, "2026年第1季度", town.village)
        assert rnd.id == setup.round_id
        assert (await rounds.find_round(s, str(setup.round_id), town.village)).id == setup.round_id
        with pytest.raises(NotFound):
            await rounds.find_round(s, str(setup.round_id), other.village)
        with pytest.raises(Conflict):
            await rounds.find_round(s, "2026年第1季度")
        opened = await rounds.open_round(s, town.village)
        assert opened is not None and opened.id == setup.round_id
        summaries = await rounds.list_rounds(s, town.village)
        assert [x.round.id for x in summaries] == [setup.round_id]
        assert summaries[0].counts == {"proposed": 3} and summaries[0].total == 3
        detail = await rounds.round_detail(s, setup.round_id)
        assert detail.village.name == town.village.name
        assert [(a.household_number, a.category_name) for a in detail.awards] == [
            (town.households[1].number, "增收致富之星"),
            (town.households[2].number, "户容整洁之星"),
            (town.households[2].number, "热心公益之星"),
        ]
        assert {a.proposed_by for a in detail.awards} == {town.secretary.name}
        assert detail.counts == {"proposed": 3}
        assert [e.action for e in detail.events][:2] == ["created", "award_proposed"]


def test_publicity_ends_at_midnight_beijing_time_after_the_last_day() -> None:
    # Published at 23:30 on 5 January (Beijing): the 5th is day one.
    late = datetime(2026, 1, 5, 15, 30, tzinfo=UTC)
    assert rounds.publicity_end(late, 5) == datetime(2026, 1, 9, 16, 0, tzinfo=UTC)
    # Published at 07:00 on 6 January (Beijing) = 23:00 UTC on the 5th.
    early = datetime(2026, 1, 5, 23, 0, tzinfo=UTC)
    assert rounds.publicity_end(early, 1) == datetime(2026, 1, 6, 16, 0, tzinfo=UTC)
    for published in (late, early, T0):
        for days in (1, 5, 7):
            assert rounds.publicity_end(published, days) <= published + timedelta(days=days)


# ---------------------------------------------------------------- scale


async def test_take_effect_of_many_awards_is_one_batch(db: Database) -> None:
    """600 households × 3 stars: the shape of the benchmark, small enough for every run."""
    town = await make_town(db, households=1)
    async with db.transaction() as s:
        from tests.factories import add_household

        homes = [await add_household(s, town.village, f"B{i:05d}", f"户{i}") for i in range(600)]
        member = await add_staff(s, town.village, "委员", "committee")
        rnd = await rounds.create_round(s, town.village, town.director, "大轮", 2026, T0)
        stars = ["增收致富之星", "政策明白之星", "移风易俗之星"]
        awards = await rounds.propose_awards(
            s,
            rnd.id or 0,
            town.director,
            [rounds.Proposal(h.number, star, "表现好") for h in homes for star in stars],
            T0,
        )
        await rounds.submit_for_review(s, rnd.id or 0, town.director, T0)
        await rounds.review_awards(
            s, rnd.id or 0, member, [a.id or 0 for a in awards], approve=True, now=T0
        )
        await rounds.publish(s, rnd.id or 0, town.director, T0)
    started = asyncio.get_running_loop().time()
    async with db.transaction() as s:
        result = await rounds.take_effect(s, rnd.id or 0, town.director, LATER)
    elapsed = asyncio.get_running_loop().time() - started
    assert result.credited == 1800 and result.households == 600
    assert elapsed < 5
    async with db.session() as s:
        assert await ledger.balance(s, homes[0].id or 0) == 30
        credited = await s.scalar(
            select(func.count())
            .select_from(Award)
            .where(Award.round_id == rnd.id, Award.status == AwardStatus.CREDITED.value)
        )
        assert credited == 1800


# ---------------------------------------------------------------- dead ends in 评议


async def test_a_nomination_nobody_may_review_says_so_and_its_proposer_withdraws_it(
    db: Database,
) -> None:
    """Two committee members: the director nominates the secretary's own household."""
    town = await make_town(db)
    homes = town.households
    async with db.transaction() as s:
        rnd = await rounds.create_round(s, town.village, town.director, "2026年第1季度", 2026, T0)
        round_id = rnd.id or 0
        stuck = await rounds.propose_award(
            s, round_id, town.director, homes[0].number, "良好家风之星", "照顾瘫痪老母", T0
        )
        fine = await rounds.propose_award(
            s, round_id, town.director, homes[1].number, "增收致富之星", "养牛致富", T0
        )
        await rounds.submit_for_review(s, round_id, town.director, T0)
        assert (await rounds.award_reviewers(s, town.village.id or 0, [stuck, fine])) == {
            stuck.id: [],
            fine.id: [town.secretary.name],
        }

    for member in (town.secretary, town.director):
        with pytest.raises(Forbidden) as caught:
            async with db.transaction() as s:
                await rounds.approve_award(s, stuck.id or 0, member, "", T0)
        assert caught.value.code == "award_no_reviewer"
        assert "本村目前没有可以审核这条提名的人" in caught.value.message
        assert "增设一位村两委成员" in caught.value.message

    async with db.session() as s:
        plan = await rounds.review_plan(s, round_id, town.director)
    assert plan.reviewable == []
    assert [(h.line.award.id, h.hold, h.reviewers) for h in plan.held] == [
        (stuck.id, rounds.Hold.OWN_PROPOSAL, []),
        (fine.id, rounds.Hold.OWN_PROPOSAL, [town.secretary.name]),
    ]
    assert [h.line.award.id for h in plan.stuck] == [stuck.id]

    # Only the proposer withdraws, and only what is not decided yet.
    with pytest.raises(Forbidden) as caught:
        async with db.transaction() as s:
            await rounds.withdraw_award(s, stuck.id or 0, town.secretary, T0)
    assert caught.value.code == "award_withdraw_not_proposer"
    async with db.transaction() as s:
        await rounds.approve_award(s, fine.id or 0, town.secretary, "", T0)
    with pytest.raises(Conflict) as decided:
        async with db.transaction() as s:
            await rounds.withdraw_award(s, fine.id or 0, town.director, T0)
    assert decided.value.code == "award_already_decided"

    async with db.transaction() as s:
        line = await rounds.withdraw_award(s, stuck.id or 0, town.director, T0)
    assert (line.household_number, line.category_name) == (homes[0].number, "良好家风之星")
    assert await _statuses(db, round_id) == {fine.id or 0: AwardStatus.APPROVED.value}
    async with db.session() as s:
        last = (await rounds.list_events(s, round_id))[-1]
    assert (last.action, last.actor_name) == ("award_withdrawn", town.director.name)
    assert homes[0].number in last.detail and "良好家风之星" in last.detail

    # Nothing blocks the round now; the star may be nominated again later.
    published = await _publish(db, Setup(town, town.director, round_id, [fine]))
    assert published.status == RoundStatus.PUBLICITY.value
    with pytest.raises(DomainError) as published_refusal:
        async with db.transaction() as s:
            await rounds.withdraw_award(s, fine.id or 0, town.director, T0)
    assert published_refusal.value.code == "round_wrong_status"


async def test_a_county_admin_can_review_what_no_village_member_may(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        county = await add_staff(s, None, "县管理员", "county_admin")
        rnd = await rounds.create_round(s, town.village, town.director, "2026年第1季度", 2026, T0)
        award = await rounds.propose_award(
            s, rnd.id or 0, town.director, town.households[0].number, "良好家风之星", "孝顺", T0
        )
        await rounds.submit_for_review(s, rnd.id or 0, town.director, T0)
    with pytest.raises(Forbidden) as caught:  # the usual refusal: someone else may review it
        async with db.transaction() as s:
            await rounds.approve_award(s, award.id or 0, town.secretary, "", T0)
    assert caught.value.code == "award_own_household"
    async with db.transaction() as s:
        assert (await rounds.review_plan(s, rnd.id or 0, town.secretary)).held[0].reviewers == [
            county.name
        ]
        await rounds.approve_award(s, award.id or 0, county, "", T0)
    assert await _statuses(db, rnd.id or 0) == {award.id or 0: AwardStatus.APPROVED.value}


async def test_approving_all_approves_what_the_member_may_and_leaves_the_rest_with_why(
    db: Database,
) -> None:
    setup = await _setup(db, review=False)  # the secretary proposed homes 1, 2, 2
    town, homes = setup.town, setup.town.households
    async with db.transaction() as s:
        neighbour = await add_staff(
            s, town.village, "住户委员", "committee", household_number=homes[1].number
        )
        own = await rounds.propose_award(
            s, setup.round_id, neighbour, homes[3].number, "政策明白之星", "宣讲政策", T0
        )

    async with db.transaction() as s:
        plan = await rounds.approve_reviewable(s, setup.round_id, neighbour, "同意", T0)
    a1, a2, a3 = (a.id or 0 for a in setup.awards)
    assert [line.award.id for line in plan.reviewable] == [a2, a3]
    held = {h.line.award.id: (h.hold, h.reviewers) for h in plan.held}
    assert held == {
        a1: (rounds.Hold.OWN_HOUSEHOLD, [town.director.name, "委员"]),  # not its proposer
        own.id: (
            rounds.Hold.OWN_PROPOSAL,
            [town.secretary.name, town.director.name, "委员"],
        ),
    }
    assert plan.stuck == []
    assert await _statuses(db, setup.round_id) == {
        a1: AwardStatus.PROPOSED.value,
        a2: AwardStatus.APPROVED.value,
        a3: AwardStatus.APPROVED.value,
        own.id or 0: AwardStatus.PROPOSED.value,
    }
    async with db.session() as s:
        events = await rounds.list_events(s, setup.round_id)
    assert [e.actor_name for e in events if e.action == "award_approved"] == ["住户委员"] * 2


async def test_approving_all_in_a_draft_round_is_refused(db: Database) -> None:
    setup = await _setup(db, submit=False)
    with pytest.raises(DomainError) as caught:
        async with db.transaction() as s:
            await rounds.approve_reviewable(s, setup.round_id, setup.town.director, "", T0)
    assert caught.value.code == "round_wrong_status"
    assert set((await _statuses(db, setup.round_id)).values()) == {AwardStatus.PROPOSED.value}


async def test_starting_this_quarter_again_offers_the_round_and_a_named_extra_round(
    db: Database,
) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        first = await rounds.new_quarter_round(s, town.village, town.director, now=T0)
    assert first.created is not None and first.created.name == "2026年第1季度"
    async with db.transaction() as s:
        again = await rounds.new_quarter_round(s, town.village, town.director, now=T0)
    assert again.created is None
    assert again.existing is not None and again.existing.id == first.created.id
    assert again.working is not None and again.working.id == first.created.id
    assert again.extra_name == "2026年第1季度（补评）"

    # Once that round is published, a 补评 round may follow, and then the next name.
    async with db.transaction() as s:
        round_id = first.created.id or 0
        award = await rounds.propose_award(
            s, round_id, town.director, town.households[1].number, "增收致富之星", "养牛", T0
        )
        await rounds.submit_for_review(s, round_id, town.director, T0)
        await rounds.approve_award(s, award.id or 0, town.secretary, "", T0)
        await rounds.publish(s, round_id, town.director, T0)
        offered = await rounds.new_quarter_round(s, town.village, town.director, now=T0)
        assert offered.created is None and offered.working is None
        extra = await rounds.new_quarter_round(s, town.village, town.director, extra=True, now=T0)
        assert extra.created is not None
        assert (extra.created.name, extra.created.year) == ("2026年第1季度（补评）", 2026)
        later = await rounds.new_quarter_round(s, town.village, town.director, now=T0)
        assert later.working is not None and later.working.id == extra.created.id
        assert later.extra_name == "2026年第1季度（补评2）"
