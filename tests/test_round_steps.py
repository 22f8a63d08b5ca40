"""What a person may do next in a round (usecases.round_steps), stage by stage and role by role."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import utcnow
from core.db import Database
from core.errors import Forbidden
from points import rounds
from points.models import RatingRound
from tests.factories import Town, make_town
from usecases import round_steps
from usecases.principal import Principal
from usecases.round_steps import RoundSteps, Step
from village.models import StaffMember
from village.registry import add_staff

NOW = utcnow()


async def steps(db: Database, staff: StaffMember, round_id: int) -> RoundSteps:
    """The steps as a page reads them: in a read-only session."""
    async with db.session() as s:
        rnd = await s.get_one(RatingRound, round_id)
        return await round_steps.steps_of(s, Principal.of(staff), rnd)


async def new_round(db: Database, town: Town, name: str = "2026年第4季度") -> int:
    async with db.transaction() as s:
        rnd = await rounds.create_round(s, town.village, town.director, name, 2026, NOW)
        return rnd.id or 0


async def propose(db: Database, town: Town, round_id: int, home: int, by: StaffMember) -> int:
    async with db.transaction() as s:
        number = town.households[home].number
        award = await rounds.propose_award(s, round_id, by, number, "增收致富之星", "养牛", NOW)
        return award.id or 0


async def staff_member(db: Database, town: Town, name: str, role: str) -> StaffMember:
    async with db.transaction() as s:
        return await add_staff(s, town.village, name, role)


async def test_the_committee_is_offered_each_stage_s_steps_in_turn(db: Database) -> None:
    town = await make_town(db)
    round_id = await new_round(db, town)
    assert (await steps(db, town.director, round_id)).steps == (Step.NOMINATE,)

    award = await propose(db, town, round_id, 1, town.secretary)
    drafted = await steps(db, town.director, round_id)
    assert drafted.steps == (Step.NOMINATE, Step.SUBMIT)
    assert drafted.counts.proposed == 1 and drafted.counts.total == 1

    async with db.transaction() as s:
        await rounds.submit_for_review(s, round_id, town.director, NOW)
    reviewing = await steps(db, town.director, round_id)
    assert reviewing.steps == (Step.NOMINATE, Step.APPROVE)  # no 发布公示 while undecided
    assert [line.award.id for line in reviewing.reviewable] == [award]
    assert reviewing.may_review(award) and reviewing.held == ()

    async with db.transaction() as s:
        await rounds.approve_award(s, award, town.director, "", NOW)
    decided = await steps(db, town.director, round_id)
    assert decided.steps == (Step.NOMINATE, Step.PUBLISH) and decided.counts.approved == 1

    async with db.transaction() as s:
        rnd = await rounds.publish(s, round_id, town.director, NOW)
        ends = rnd.publicity_ends_at
    assert ends is not None
    published = await steps(db, town.secretary, round_id)
    assert published.steps == (Step.REOPEN, Step.EFFECT, Step.OBJECTIONS)

    async with db.transaction() as s:
        await rounds.lodge_objection(s, award, "王大爷", "", "没出工", NOW)
    objected = await steps(db, town.secretary, round_id)
    assert objected.steps == (Step.REOPEN, Step.OBJECTIONS)  # 生效 waits for the objection
    assert objected.counts.objections == objected.counts.open_objections == 1

    async with db.transaction() as s:
        await rounds.reopen(s, round_id, town.director, "重新核实", NOW)
    reopened = await steps(db, town.secretary, round_id)
    assert reopened.steps == (Step.NOMINATE, Step.PUBLISH, Step.OBJECTIONS)

    async with db.transaction() as s:
        objection = (await rounds.list_objections(s, round_id))[0].objection
        await rounds.resolve_objection(
            s, objection.id or 0, town.director, uphold=False, note="已核实", now=NOW
        )
        await rounds.publish(s, round_id, town.director, NOW)
        await rounds.take_effect(s, round_id, town.director, NOW + timedelta(days=30))
    done = await steps(db, town.director, round_id)
    assert done.steps == () and done.acts and done.counts.approved == 1


async def test_a_supervisor_a_council_member_and_a_shopkeeper_get_no_step(db: Database) -> None:
    town = await make_town(db)
    round_id = await new_round(db, town)
    await propose(db, town, round_id, 1, town.secretary)
    async with db.transaction() as s:
        await rounds.submit_for_review(s, round_id, town.director, NOW)
    supervisor = await staff_member(db, town, "监委会主任", "supervisor")
    council = await staff_member(db, town, "理事长", "fund_council")
    for reader in (supervisor, council, town.shopkeeper):
        found = await steps(db, reader, round_id)
        assert found.steps == () and not found.acts, reader.role
        assert found.reviewable == () and found.withdrawable == frozenset()
        assert found.counts.proposed == 1  # they still read the round


async def test_own_proposals_and_own_household_awards_are_held_with_why(db: Database) -> None:
    """The secretary lives in household 0; the village has only two committee members."""
    town = await make_town(db)
    round_id = await new_round(db, town)
    own_home = await propose(db, town, round_id, 0, town.director)
    others = await propose(db, town, round_id, 1, town.director)
    own_pick = await propose(db, town, round_id, 2, town.secretary)
    async with db.transaction() as s:
        await rounds.submit_for_review(s, round_id, town.director, NOW)

    found = await steps(db, town.secretary, round_id)
    assert [line.award.id for line in found.reviewable] == [others]
    assert found.steps == (Step.NOMINATE, Step.APPROVE)
    home_hold, pick_hold = found.held_for(own_home), found.held_for(own_pick)
    assert home_hold is not None and home_hold.hold == rounds.Hold.OWN_HOUSEHOLD
    assert home_hold.reviewers == []  # the director proposed it: nobody may review it
    assert pick_hold is not None and pick_hold.hold == rounds.Hold.OWN_PROPOSAL
    assert pick_hold.reviewers == [town.director.name]
    assert [h.line.award.id for h in found.stuck] == [own_home]
    assert found.withdrawable == {own_pick}
    assert rounds.hold_text(home_hold.hold) == "本户成员须回避"

    by_director = await steps(db, town.director, round_id)
    assert [line.award.id for line in by_director.reviewable] == [own_pick]
    assert by_director.withdrawable == {own_home, others}

    async with db.transaction() as s:
        admin = await add_staff(s, None, "县管理员", "county_admin")
    by_county = await steps(db, admin, round_id)
    assert len(by_county.reviewable) == 3 and by_county.may(Step.APPROVE)


async def test_the_current_round_is_the_newest_not_yet_effective(db: Database) -> None:
    town = await make_town(db)
    async with db.session() as s:
        assert await round_steps.current_steps(s, Principal.of(town.director), town.village) is None
    first = await new_round(db, town, "2026年第3季度")
    award = await propose(db, town, first, 1, town.secretary)
    async with db.transaction() as s:
        await rounds.submit_for_review(s, first, town.director, NOW)
        await rounds.approve_award(s, award, town.director, "", NOW)
        await rounds.publish(s, first, town.director, NOW)
    async with db.session() as s:
        found = await round_steps.current_steps(s, Principal.of(town.director), town.village)
    assert found is not None and found.round.id == first
    async with db.transaction() as s:
        await rounds.take_effect(s, first, town.director, NOW + timedelta(days=30))
    second = await new_round(db, town, "2026年第4季度")
    async with db.session() as s:
        current = await round_steps.current_round(s, town.village)
    assert current is not None and current.id == second


async def test_another_villages_member_or_an_inactive_one_is_refused(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, households=1, name="光明村")
    round_id = await new_round(db, town)
    with pytest.raises(Forbidden):
        await steps(db, other.director, round_id)
    async with db.transaction() as s:
        row = await s.get_one(StaffMember, town.director.id)
        row.active = False
    with pytest.raises(Forbidden) as refused:
        await steps(db, town.director, round_id)
    assert refused.value.code == "principal_inactive"
