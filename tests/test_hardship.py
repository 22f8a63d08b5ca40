"""求助: the keyword, the kind guessed from the words, one report per repeat, the alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, func, select

from bot.household import answer
from bot.keywords import Command, Parsed, parse
from care.hardship import kind_of, recent_reports, record_hardship
from care.hardship_alert import report_hardship
from care.models import FollowUp, HardshipKind, HardshipReport
from care.visits import assign_helper
from core.db import Database
from notifications.models import ChannelName, OutboxMessage
from tests.factories import Town, make_town
from village.models import ChatBinding, Household, StaffMember
from village.registry import add_staff

NOW = datetime(2026, 3, 8, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


@pytest.mark.parametrize(
    ("body", "argument"),
    [
        ("求助", ""),
        ("求助 老伴住院了", "老伴住院了"),
        ("求助：房子塌了", "房子塌了"),
        ("QZ 因病住院", "因病住院"),
        ("qz因病住院", "因病住院"),
        ("ＱＺ　没活干了", "没活干了"),
        ("QZ。", ""),
    ],
)
def test_the_keyword_starts_the_message(body: str, argument: str) -> None:
    assert parse(body) == Parsed(Command.HARDSHIP, argument)


def test_other_words_are_not_hardship() -> None:
    assert parse("QZONE").command is Command.UNKNOWN
    assert parse("我想求助").command is Command.UNKNOWN  # only at the start
    assert parse("JF").command is Command.POINTS


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("老伴住院了", HardshipKind.ILLNESS),
        ("孩子生病", HardshipKind.ILLNESS),
        ("医药费太贵", HardshipKind.ILLNESS),
        ("因病失业", HardshipKind.ILLNESS),  # illness first
        ("房子塌了", HardshipKind.DISASTER),
        ("昨晚失火", HardshipKind.DISASTER),
        ("冰雹把庄稼打了", HardshipKind.DISASTER),
        ("发大水", HardshipKind.DISASTER),
        ("厂里下岗了", HardshipKind.UNEMPLOYMENT),
        ("没工作了", HardshipKind.UNEMPLOYMENT),
        ("没活干", HardshipKind.UNEMPLOYMENT),
        ("", HardshipKind.OTHER),
        ("孩子学费交不上", HardshipKind.OTHER),
    ],
)
def test_the_kind_comes_from_the_words(words: str, kind: HardshipKind) -> None:
    assert kind_of(words) is kind


async def _counts(db: Database) -> tuple[int, int, int]:
    async with db.session() as s:
        reports = await s.scalar(select(func.count()).select_from(HardshipReport))
        follow_ups = await s.scalar(select(func.count()).select_from(FollowUp))
        messages = await s.scalar(select(func.count()).select_from(OutboxMessage))
    return reports or 0, follow_ups or 0, messages or 0


async def test_a_repeat_within_ten_minutes_is_the_same_report(db: Database) -> None:
    town = await make_town(db, households=2)
    home = town.households[0]
    async with db.transaction() as s:
        first = await record_hardship(s, home, " 老伴住院了 ", "sms", NOW)
        again = await record_hardship(s, home, "老伴住院了", "telegram", NOW + timedelta(minutes=9))
        other_words = await record_hardship(s, home, "房子塌了", "sms", NOW + timedelta(minutes=1))
        other_home = await record_hardship(s, town.households[1], "老伴住院了", "sms", NOW)
        later = await record_hardship(s, home, "老伴住院了", "sms", NOW + timedelta(minutes=11))
    assert again.id == first.id
    assert len({first.id, other_words.id, other_home.id, later.id}) == 4
    assert (first.kind, first.text, first.channel, first.village_id) == (
        "illness",
        "老伴住院了",
        "sms",
        town.village.id,
    )
    assert other_words.kind == "disaster"
    async with db.session() as s:
        follow_ups = list(await s.scalars(select(FollowUp).order_by(col(FollowUp.id))))
        recent = await recent_reports(s, town.village, NOW - timedelta(minutes=5))
    assert [(f.hardship_id, f.item, f.note, f.visit_id) for f in follow_ups] == [
        (first.id, "illness", "老伴住院了", None),
        (other_words.id, "disaster", "房子塌了", None),
        (other_home.id, "illness", "老伴住院了", None),
        (later.id, "illness", "老伴住院了", None),
    ]
    # newest first; two at the same moment: the later one first
    assert [r.report.id for r in recent] == [later.id, other_words.id, other_home.id, first.id]
    assert [r.household.id for r in recent][-1] == home.id


async def _staffed(db: Database) -> tuple[Town, Household]:
    """The director and the helper have phones; the secretary has none; a former member left."""
    town = await make_town(db, households=2)
    async with db.transaction() as s:
        home = await s.get_one(Household, town.households[0].id)
        home.phone = "+8613800001234"
        director = await s.get_one(StaffMember, town.director.id)
        director.phone = "+8613900000001"
        former = await add_staff(s, town.village, "老主任", "committee", phone="+8613900000003")
        former.active = False
        helper = await add_staff(s, town.village, "张帮扶", "helper", phone="+8613900000002")
        await assign_helper(s, town.director, town.village, helper, [home])
    town.staff["helper"] = helper
    return town, home


async def test_the_committee_and_the_helper_are_alerted_once(db: Database) -> None:
    town, home = await _staffed(db)
    other = await make_town(db, households=1, name="光明村")
    async with db.transaction() as s:
        await add_staff(s, other.village, "外村主任", "committee", phone="+8613900000009")
        s.add(ChatBinding(chat_id="7001", staff_id=town.secretary.id))  # the secretary by Telegram
    async with db.transaction() as s:
        report = await report_hardship(s, home, "老伴住院了，没钱交押金", "sms", NOW)
        again = await report_hardship(s, home, "老伴住院了，没钱交押金", "sms", NOW)
    assert again.id == report.id
    async with db.session() as s:
        sent = list(await s.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id))))
    helper = town.staff["helper"]
    assert sorted((m.address, m.channel, m.staff_id, m.priority) for m in sent) == sorted(
        [
            ("7001", "telegram", town.secretary.id, 0),
            ("+8613900000001", "sms", town.director.id, 0),
            ("+8613900000002", "sms", helper.id, 0),
        ]
    )
    assert {m.idempotency_key for m in sent} == {
        f"hardship:{report.id}:{s}" for s in (town.secretary.id, town.director.id, helper.id)
    }
    body = sent[0].body
    for fragment in (home.head_name, home.number, "138****1234", "因病", "老伴住院了，没钱交押金"):
        assert fragment in body, fragment
    assert "13800001234" not in body  # the phone is masked


async def test_a_household_without_a_helper_alerts_the_committee_only(db: Database) -> None:
    town, _ = await _staffed(db)
    home = town.households[1]
    async with db.transaction() as s:
        reply = await answer(s, [home], parse("QZ 房子塌了"), NOW, channel=ChannelName.SMS)
    assert reply == (
        "已收到您的求助（因灾），已告知村委会和帮扶责任人，他们会尽快联系您。可再发“求助+情况”补充。"
    )
    async with db.session() as s:
        sent = list(await s.scalars(select(OutboxMessage)))
        report = await s.scalar(select(HardshipReport))
    assert [m.staff_id for m in sent] == [town.director.id]
    assert report is not None and (report.channel, report.kind) == ("sms", "disaster")
    assert await _counts(db) == (1, 1, 1)
