"""A 孝善 supporter in Telegram: bound by the council's code, sees 我的承诺 and 缴费记录, gets reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import col, select

from core.db import Database
from fund import ledger, pledges
from fund import rule as fund_rule
from fund.models import Pledge
from notifications.inbound import receive_sms
from notifications.models import ChannelName, OutboxMessage
from notifications.outbox import tell
from tests.chat import ChatWorld, chat_world
from tests.factories import Town, make_town
from village.binding import issue_supporter_code
from village.models import ChatBinding, Member, StaffMember, Supporter
from village.registry import add_staff

NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # 10:00 on 20 October in Shanghai
SON_CHAT = 6001


@dataclass
class FundChatTown:
    town: Town
    council: StaffMember
    son: Supporter  # 王大明: pledged for 王奶奶 from August, paid Aug, nothing Sep, part of Oct
    daughter: Supporter  # 王小红: pledged for 李爷爷 from 2024-09 and never paid
    pledge: Pledge


async def fund_chat_town(db: Database) -> FundChatTown:
    """Pledges, payments and a donation, all through the domain functions, as of ``NOW``."""
    town = await make_town(db, households=3)
    homes = town.households
    async with db.transaction() as s:
        council = await add_staff(s, town.village, "孝善会长", "fund_council")
        grandma = Member(household_id=homes[1].id or 0, name="王奶奶", birth_date=date(1950, 5, 1))
        grandpa = Member(household_id=homes[2].id or 0, name="李爷爷", birth_date=date(1961, 3, 1))
        s.add_all([grandma, grandpa])
        await s.flush()
        son = await pledges.add_supporter(s, council, town.village, "王大明", "13812345678", "儿子")
        daughter = await pledges.add_supporter(
            s, council, town.village, "王小红", "13912345678", "女儿"
        )
        mine = await pledges.sign_pledge(
            s, council, town.village, grandma, son, 20_000, 10, date(2026, 8, 1), now=NOW
        )
        await pledges.sign_pledge(
            s, council, town.village, grandpa, daughter, 10_000, 5, date(2024, 9, 1), now=NOW
        )
        await ledger.record_donation(
            s, council, town.village, "张乡贤", 100_000, date(2026, 10, 2), now=NOW
        )
        await fund_rule.set_fund_rule(
            s, council, town.village, date(2026, 10, 1), fund_rule.parse_rate("10%"), None, NOW
        )
        await pledges.record_contribution(
            s, council, mine, date(2026, 8, 1), 20_000, date(2026, 8, 8), "微信", now=NOW
        )
        await pledges.record_contribution(
            s, council, mine, date(2026, 10, 1), 10_000, date(2026, 10, 15), "转账", now=NOW
        )
    return FundChatTown(town, council, son, daughter, mine)


async def bind_supporter(world: ChatWorld, w: FundChatTown, chat: int, who: Supporter) -> list[str]:
    world.clock.now = NOW
    async with world.db.transaction() as s:
        code = await issue_supporter_code(s, w.council, w.town.village, who, NOW)
    return await world.send(chat, f"/start {code}")


def menu_of(world: ChatWorld, chat: int) -> list[str]:
    last = [m for m in world.api.sent if m.chat_id == chat][-1]
    keyboard = (last.reply_markup or {}).get("keyboard", [])
    return [str(key.get("text")) for row in keyboard for key in row]


async def test_a_supporter_binds_and_reads_pledges_and_payments(db: Database) -> None:
    w = await fund_chat_town(db)
    async with chat_world(db) as world:
        bound = await bind_supporter(world, w, SON_CHAT, w.son)
        assert bound[0] == "已绑定：王大明（赡养人，幸福村）"
        assert "我的承诺" in bound[-1]
        assert menu_of(world, SON_CHAT) == ["我的承诺", "缴费记录", "帮助"]
        async with db.session() as s:
            row = await s.scalar(select(ChatBinding).where(ChatBinding.chat_id == str(SON_CHAT)))
        assert row is not None and row.supporter_id == w.son.id and row.household_id is None
        async with db.session() as s:
            told = await s.scalar(
                select(OutboxMessage).where(col(OutboxMessage.idempotency_key).like("binding:%"))
            )
        assert told is not None and told.address == w.son.phone  # the SMS: "was this you?"

        (mine,) = await world.send(SON_CHAT, "我的承诺")
        lines = mine.splitlines()
        assert lines[0] == "王大明的赡养承诺（2026年）："
        assert lines[1] == (
            "1. 赡养王奶奶（幸福村-002）：每月 200.00元，按月缴纳，每期 10 日前缴；2026年8月起"
        )
        assert lines[2:6] == [
            "  · 2026年8月 应缴 200.00元：已缴（8月8日 缴清）",
            "  · 2026年9月 应缴 200.00元：欠缴（9月10日 到期，欠 200.00元）",
            "  · 2026年10月 应缴 200.00元：部分缴纳（已缴 100.00元，还差 100.00元，10月10日 到期）",
            "  · 2026年11月 应缴 200.00元：未到期（11月10日 到期）",
        ]
        assert "今年已到期未缴足 2 期，共欠 300.00元" in lines[-1]
        assert "李爷爷" not in mine  # the sister's pledge is not his

        (paid,) = await world.send(SON_CHAT, "缴费记录")
        assert paid.splitlines() == [
            "最近 2 笔缴费：",
            "2026-10-15 为王奶奶缴 2026年10月 100.00元（转账），基金配捐 10.00元",
            "2026-08-08 为王奶奶缴 2026年8月 200.00元（微信），无配捐",
        ]
        for anything in ("帮助", "你好"):
            (helped,) = await world.send(SON_CHAT, anything)
            assert "王大明您好" in helped and "幸福村孝善基金" in helped
            assert menu_of(world, SON_CHAT) == ["我的承诺", "缴费记录", "帮助"]


async def test_a_bound_supporter_is_reminded_in_telegram_and_others_by_sms(
    db: Database,
) -> None:
    w = await fund_chat_town(db)
    async with chat_world(db) as world:
        await bind_supporter(world, w, SON_CHAT, w.son)
    async with db.transaction() as s:
        for who in (w.son, w.daughter):
            assert await tell(s, f"remind:{who.id}", "请按时缴纳孝心养老金", supporter=who, now=NOW)
    async with db.session() as s:
        rows = list(
            await s.scalars(
                select(OutboxMessage)
                .where(col(OutboxMessage.idempotency_key).like("%remind:%"))
                .order_by(col(OutboxMessage.id))
            )
        )
    assert [(m.channel, m.address) for m in rows] == [
        (ChannelName.TELEGRAM.value, str(SON_CHAT)),
        (ChannelName.SMS.value, "+8613912345678"),
    ]


async def test_a_supporter_texting_the_village_number_hears_of_the_pledge(db: Database) -> None:
    """Supporters are not on the roster; an SMS from their phone is answered about their pledge."""
    await fund_chat_town(db)
    async with db.transaction() as s:
        son = await receive_sms(s, "+8613812345678", "收到，怎么交？", now=NOW)
        stranger = await receive_sms(s, "+8613700000000", "JF", now=NOW)
    assert son.startswith(
        "王大明您好：您在幸福村孝善基金的承诺：为王奶奶每月200.00元（每月10日前）"
    )
    assert "今年欠缴2期共300.00元" in son  # September unpaid, half of October
    assert "还没有登记在村花名册" in stranger
