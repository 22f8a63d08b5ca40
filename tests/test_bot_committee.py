"""A committee in Telegram: awards a star, moves the round to 生效, sends a notice, issues codes."""

from __future__ import annotations

from sqlmodel import select

from bot.models import ChatState
from bot.telegram.app import TelegramBot
from core.db import Database
from notifications.models import Notice, OutboxMessage
from points import ledger
from points.models import Award, AwardStatus, RatingRound, RoundStatus
from tests.chat import chat_world
from tests.factories import make_town
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
