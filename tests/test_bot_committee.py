"""A committee in Telegram: awards a star, moves the round to 生效, sends a notice, issues codes."""

from __future__ import annotations

from sqlmodel import col, select

from bot.models import ChatState
from bot.telegram.app import TelegramBot
from core.clock import utcnow
from core.db import Database
from notifications.models import Notice, OutboxMessage
from points import ledger, rounds
from points.models import Award, AwardStatus, RatingRound, RoundStatus
from tests.chat import chat_world
from tests.factories import Town, make_town
from village.models import Household

SECRETARY, DIRECTOR = 7001, 7002


async def test_a_star_is_awarded_reviewed_published_and_takes_effect(db: Database) -> None:
    town = await make_town(db)
    home = town.households[2]
    async with chat_world(db) as world:
        await world.bind(SECRETARY, town.director, staff=town.secretary)
        await world.bind(DIRECTOR, town.secretary, staff=town.director)

        assert "没有正在进行" in (await world.send(SECRETARY, "评星"))[0]
        asked = await world.press(SECRETARY, "rd:new:0")
        assert "农户" in asked[-1]
        await world.send(SECRETARY, home.head_name)
        categories = await world.press(SECRETARY, f"aw:h:{home.id}")
        assert home.head_name in categories[0]
        star = next(b for b in world.buttons(SECRETARY) if b.startswith("aw:c:"))
        assert "理由" in (await world.press(SECRETARY, star))[0]
        listed = await world.send(SECRETARY, "带头清理村道垃圾，组织义务劳动3次")
        assert "已提名" in listed[0] and home.head_name in listed[0]

        await world.send(SECRETARY, "评星进度")
        round_id = int(world.buttons(SECRETARY)[0].rsplit(":", 1)[1])
        await world.press(SECRETARY, f"rd:submit:{round_id}")
        await world.send(DIRECTOR, "评星进度")
        await world.press(DIRECTOR, f"rd:approve:{round_id}")
        published = await world.press(DIRECTOR, f"rd:publish:{round_id}")
        assert "公示" in published[0]

        early = await world.press(DIRECTOR, f"rd:effect:{round_id}")
        assert "公示" in early[0]  # the period is not over: refused, nothing credited
        async with db.session() as s:
            assert await ledger.balance(s, home.id or 0) == 0

        world.clock.advance(days=town.village.publicity_days + 1)
        await world.send(DIRECTOR, "评星进度")
        done = await world.press(DIRECTOR, f"rd:effect:{round_id}")
        assert "已生效" in done[0]

    async with db.session() as s:
        rnd = await s.get(RatingRound, round_id)
        assert rnd is not None and rnd.status == RoundStatus.EFFECTIVE.value
        award = await s.scalar(select(Award).where(Award.household_id == home.id))
        assert award is not None and award.status == AwardStatus.CREDITED.value
        assert award.proposed_by == town.secretary.id and award.reviewed_by == town.director.id
        assert await ledger.balance(s, home.id or 0) == award.points > 0


async def test_a_half_finished_award_survives_a_restart(db: Database) -> None:
    town = await make_town(db)
    home = town.households[3]
    async with chat_world(db) as world:
        await world.bind(SECRETARY, town.director, staff=town.secretary)
        await world.send(SECRETARY, "评星")
        await world.press(SECRETARY, "rd:new:0")
        await world.send(SECRETARY, home.number)
        await world.press(SECRETARY, f"aw:h:{home.id}")
        star = next(b for b in world.buttons(SECRETARY) if b.startswith("aw:c:"))
        await world.press(SECRETARY, star)

        await world.bot.stop()  # the service restarts between two steps
        world.bot = TelegramBot(world.settings, db, clock=world.clock)
        await world.bot.start()

        listed = await world.send(SECRETARY, "热心帮助邻居")
        assert "已提名" in listed[0]
    async with db.session() as s:
        assert (await s.scalar(select(Award).where(Award.household_id == home.id))) is not None
        assert list(await s.scalars(select(ChatState))) == []


async def test_a_notice_is_previewed_then_sent_and_its_progress_shown(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        for i, home in enumerate(town.households):
            row = await s.get(Household, home.id)
            assert row is not None
            row.phone = f"+861380000{i:04d}"
    async with chat_world(db) as world:
        await world.bind(SECRETARY, town.director, staff=town.secretary)
        await world.send(SECRETARY, "发通知")
        await world.send(SECRETARY, "医保缴费提醒")
        await world.send(SECRETARY, "2027年度城乡居民医保开始缴费，请于12月31日前缴纳。")
        preview = await world.press(SECRETARY, "nt:a:all")
        assert "短信 5 户" in preview[0] and "元" in preview[0]
        async with db.session() as s:
            assert list(await s.scalars(select(OutboxMessage))) == []  # nothing sent on preview
        started = await world.press(SECRETARY, "nt:send:0")
        assert "5 户" in started[0]
        progress = await world.press(SECRETARY, world.buttons(SECRETARY)[0])
        assert "排队" in progress[0]
    async with db.session() as s:
        notice = await s.scalar(select(Notice))
        assert notice is not None and notice.title == "医保缴费提醒"
        assert len(list(await s.scalars(select(OutboxMessage)))) == 5


async def test_a_committee_member_issues_a_binding_code_in_the_chat(db: Database) -> None:
    town = await make_town(db)
    home = town.households[4]
    async with chat_world(db) as world:
        await world.bind(SECRETARY, town.director, staff=town.secretary)
        await world.send(SECRETARY, "绑定码")
        await world.send(SECRETARY, home.head_name)
        issued = await world.press(SECRETARY, f"bc:h:{home.id}")
        assert "t.me/" in issued[0]
        code = issued[0].split("绑定码：", 1)[1].split()[0]
        bound = await world.send(9100, f"/start {code}")
        assert home.head_name in bound[0]


async def test_a_step_left_for_half_a_day_starts_over(db: Database) -> None:
    town = await make_town(db)
    async with chat_world(db) as world:
        await world.bind(SECRETARY, town.director, staff=town.secretary)
        await world.send(SECRETARY, "发通知")
        world.clock.advance(hours=13)
        stale = await world.send(SECRETARY, "医保缴费提醒")  # no longer taken as the title
        assert "菜单" in stale[0]
    async with db.session() as s:
        assert list(await s.scalars(select(ChatState))) == []


async def _round_in_review(db: Database, town: Town, proposals: list[tuple[int, str, str]]) -> int:
    """A round of this quarter in 评议 with (household index, star, proposer) awards."""
    staff = {"secretary": town.secretary, "director": town.director}
    async with db.transaction() as s:
        now = utcnow()
        rnd = await rounds.create_round(
            s, town.village, town.director, rounds.quarter_name(now), now.year, now
        )
        for index, star, by in proposals:
            home = town.households[index]
            await rounds.propose_award(
                s, rnd.id or 0, staff[by], home.number, star, "事迹突出", now
            )
        await rounds.submit_for_review(s, rnd.id or 0, town.director, now)
        return rnd.id or 0


async def test_approve_all_approves_the_rest_and_says_why_some_are_left(db: Database) -> None:
    town = await make_town(db)  # the secretary lives in household 0; only two committee members
    homes = town.households
    round_id = await _round_in_review(
        db,
        town,
        [
            (0, "良好家风之星", "director"),
            (1, "增收致富之星", "director"),
            (2, "热心公益之星", "secretary"),
        ],
    )
    async with chat_world(db) as world:
        await world.bind(SECRETARY, town.director, staff=town.secretary)
        await world.bind(DIRECTOR, town.secretary, staff=town.director)

        await world.send(SECRETARY, "评星进度")
        answer = (await world.press(SECRETARY, f"rd:approve:{round_id}"))[0]
        assert "已通过 1 项" in answer
        own_home = next(line for line in answer.splitlines() if homes[0].head_name in line)
        assert "本户成员须回避" in own_home and "本村目前没有可以审核这条提名的人" in own_home
        own_pick = next(line for line in answer.splitlines() if homes[2].head_name in line)
        assert "本人提名" in own_pick and f"可审核：{town.director.name}" in own_pick
        assert not [b for b in world.buttons(SECRETARY) if b.startswith("rd:wd:")]

        await world.send(DIRECTOR, "评星进度")
        answer = (await world.press(DIRECTOR, f"rd:approve:{round_id}"))[0]
        assert "已通过 1 项" in answer and "增设一位村两委成员" in answer
        async with db.session() as s:
            stuck = await s.scalar(select(Award).where(Award.household_id == homes[0].id))
        assert stuck is not None and stuck.status == AwardStatus.PROPOSED.value
        withdrawn = await world.press(DIRECTOR, f"rd:wd:{stuck.id}")
        assert "已撤回提名" in withdrawn[0] and homes[0].head_name in withdrawn[0]
        published = await world.press(DIRECTOR, f"rd:publish:{round_id}")
        assert "公示" in published[0]

    async with db.session() as s:
        statuses = {a.household_id: a.status for a in await s.scalars(select(Award))}
    assert statuses == {homes[1].id: "approved", homes[2].id: "approved"}


async def test_starting_this_quarters_round_again_offers_it_or_an_extra_round(
    db: Database,
) -> None:
    town = await make_town(db)
    round_id = await _round_in_review(db, town, [(1, "增收致富之星", "director")])
    async with db.transaction() as s:
        award = await s.scalar(select(Award))
        assert award is not None
        await rounds.approve_award(s, award.id or 0, town.secretary, "", utcnow())
        rnd = await rounds.publish(s, round_id, town.director, utcnow())
    async with chat_world(db) as world:
        await world.bind(SECRETARY, town.director, staff=town.secretary)
        assert "没有正在进行" in (await world.send(SECRETARY, "评星"))[0]
        offered = await world.press(SECRETARY, "rd:new:0")
        assert f"“{rnd.name}”已经建过了（公示）" in offered[0]
        assert world.buttons(SECRETARY) == [f"rd:open:{round_id}", "rd:extra:0"]

        opened = await world.press(SECRETARY, f"rd:open:{round_id}")
        assert rnd.name in opened[0] and "公示截止" in opened[0]

        started = await world.press(SECRETARY, "rd:extra:0")
        assert f"评星轮次：{rnd.name}（补评）" in started[0]
        await world.send(SECRETARY, town.households[3].head_name)
        assert f"aw:h:{town.households[3].id}" in world.buttons(SECRETARY)

    async with db.session() as s:
        names = [r.name for r in await s.scalars(select(RatingRound).order_by(col(RatingRound.id)))]
    assert names == [rnd.name, f"{rnd.name}（补评）"]


async def test_the_round_shows_each_member_only_the_steps_they_may_take(db: Database) -> None:
    """The buttons follow usecases.round_steps, as the console's forms do; 退回评议 asks why."""
    town = await make_town(db)
    round_id = await _round_in_review(db, town, [(1, "增收致富之星", "secretary")])

    def step(*names: str) -> list[str]:
        return [f"rd:{name}:{round_id}" for name in names]

    async with chat_world(db) as world:
        await world.bind(SECRETARY, town.director, staff=town.secretary)
        await world.bind(DIRECTOR, town.secretary, staff=town.director)

        shown = await world.send(SECRETARY, "评星进度")
        assert "待评议 1 项" in shown[0]
        assert world.buttons(SECRETARY) == step("nominate")  # their own nomination, undecided
        await world.send(DIRECTOR, "评星进度")
        assert world.buttons(DIRECTOR) == step("nominate", "approve")

        await world.press(DIRECTOR, f"rd:approve:{round_id}")
        assert world.buttons(DIRECTOR) == step("nominate", "publish")
        await world.press(DIRECTOR, f"rd:publish:{round_id}")
        assert world.buttons(DIRECTOR) == step("reopen", "effect", "objections")

        asked = await world.press(DIRECTOR, f"rd:reopen:{round_id}")
        assert "退回评议的原因" in asked[0]
        answer = await world.send(DIRECTOR, "漏评一户，重新评议")
        assert "已退回评议" in answer[0] and "（评议）" in answer[1]
        assert world.buttons(DIRECTOR) == step("nominate", "publish")

    async with db.session() as s:
        rnd = await s.get_one(RatingRound, round_id)
        assert rnd.status == RoundStatus.REVIEW.value and rnd.published_at is None
        events = await rounds.list_events(s, round_id)
    assert [(e.actor_name, e.detail) for e in events if e.action == "reopened"] == [
        (town.director.name, "漏评一户，重新评议")
    ]
