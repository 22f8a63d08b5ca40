"""One-time binding codes: issue, bind once, expire, revoke, rate-limit, identify."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from core.db import Database
from core.errors import DomainError, Forbidden
from core.settings import get_settings
from fund.pledges import add_supporter
from tests.factories import Town, make_town
from village import binding
from village.binding import BindOutcome
from village.models import BindingAttempt, BindingCode, ChatBinding, StaffMember, Supporter
from village.registry import add_staff

NOW = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)


async def _count(db: Database, model: type, *where: object) -> int:
    async with db.session() as s:
        query = select(func.count()).select_from(model)
        for clause in where:
            query = query.where(clause)  # type: ignore[arg-type]
        return int(await s.scalar(query) or 0)


def test_codes_and_links() -> None:
    for _ in range(200):
        code = binding.new_code()
        assert len(code) == 8 and set(code) <= set(binding.ALPHABET)
    assert not set("0O1IL") & set(binding.ALPHABET)
    assert binding.code_readings("abcd-2345") == ["ABCD2345"]
    assert binding.code_readings(" ａｂｃｄ－２３４５ ") == ["ABCD2345"]  # full-width IME input
    assert binding.code_readings("AB CD 23 45") == ["ABCD2345"]
    assert binding.code_readings("ABCD234") == []
    assert binding.code_readings("户主一二三四五六") == []
    # 0/O and 1/I/l are not in the alphabet: read as the characters they are taken for
    assert binding.code_readings("ABCD2340") == ["ABCD234D", "ABCD234Q"]
    assert binding.code_readings("abcl 2o45") == [
        f"ABC{one}2{round_}45" for one in "JT7" for round_ in "DQ"
    ]
    assert binding.code_readings("OOO12345") == []  # too many guesses for one attempt
    assert binding.format_code("ABCD2345") == "ABCD-2345"
    assert binding.deep_link("@xiangxin_bot", "ABCD2345") == (
        "https://t.me/xiangxin_bot?start=ABCD2345"
    )
    expires = binding.expiry(NOW)
    assert expires - NOW > timedelta(days=get_settings().binding_code_days)
    assert expires - NOW < timedelta(days=get_settings().binding_code_days + 1)


async def test_issue_and_bind(db: Database) -> None:
    town = await make_town(db)
    home = town.households[2]
    async with db.transaction() as s:
        code = await binding.issue_code(s, town.secretary, household=home, now=NOW)
    async with db.session() as s:
        stored = await s.scalar(select(BindingCode))
        assert stored is not None
        assert stored.code_hash != code and code not in stored.code_hash  # only a hash is kept
        assert stored.household_id == home.id and stored.issued_by == town.secretary.id

    async with db.transaction() as s:
        result = await binding.bind_chat(s, "1001", binding.format_code(code).lower(), NOW)
    assert result.ok and result.outcome == BindOutcome.BOUND
    assert result.message == "已绑定：户主3（幸福村-003）"
    assert result.identity is not None and result.identity.role == "household"

    async with db.session() as s:
        who = await binding.identify(s, "1001")
        assert who is not None
        assert who.household is not None and who.household.id == home.id
        assert who.staff is None and who.village.name == "幸福村"
        assert who.name == "户主3" and who.role == "household"
        assert await binding.identify(s, "9999") is None
        used = await s.scalar(select(BindingCode))
        assert used is not None and used.used_at is not None and used.used_by_chat == "1001"
        attempt = await s.scalar(select(BindingAttempt))
        assert attempt is not None and attempt.ok and attempt.chat_id == "1001"


async def test_a_code_binds_once(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        code = await binding.issue_code(s, town.director, household=town.households[0], now=NOW)
    async with db.transaction() as s:
        assert (await binding.bind_chat(s, "1001", code, NOW)).ok
    async with db.transaction() as s:
        again = await binding.bind_chat(s, "2002", code, NOW + timedelta(minutes=1))
    assert not again.ok and again.outcome == BindOutcome.USED
    assert "已经用过" in again.message and again.identity is None
    async with db.transaction() as s:
        same_chat = await binding.bind_chat(s, "1001", code, NOW + timedelta(minutes=2))
    assert same_chat.outcome == BindOutcome.USED and "本聊天" in same_chat.message

    async with db.session() as s:
        assert await binding.identify(s, "2002") is None
        assert await binding.identify(s, "1001") is not None
        stored = await s.scalar(select(BindingCode))
        assert stored is not None and stored.used_by_chat == "1001"
    assert await _count(db, ChatBinding) == 1
    assert await _count(db, BindingAttempt, col(BindingAttempt.ok).is_(False)) == 2


async def test_expired_code_refused(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        code = await binding.issue_code(s, town.secretary, household=town.households[1], now=NOW)
    late = binding.expiry(NOW) + timedelta(seconds=1)
    async with db.transaction() as s:
        result = await binding.bind_chat(s, "1001", code, late)
    assert result.outcome == BindOutcome.EXPIRED and not result.ok
    assert "过期" in result.message and "2026年04月01日" in result.message
    assert await _count(db, ChatBinding) == 0
    async with db.transaction() as s:  # still fine just before the end of its last day
        assert (await binding.bind_chat(s, "1001", code, late - timedelta(seconds=2))).ok


async def test_newer_card_revokes_older(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    async with db.transaction() as s:
        old = await binding.issue_code(s, town.secretary, household=home, now=NOW)
        other = await binding.issue_code(s, town.secretary, household=town.households[2], now=NOW)
    async with db.transaction() as s:
        new = await binding.issue_code(s, town.director, household=home, now=NOW)
    assert new != old
    async with db.transaction() as s:
        refused = await binding.bind_chat(s, "1001", old, NOW)
    assert refused.outcome == BindOutcome.REVOKED and "作废" in refused.message
    async with db.transaction() as s:
        assert (await binding.bind_chat(s, "1001", new, NOW)).ok
        assert (await binding.bind_chat(s, "1002", other, NOW)).ok  # another household's: kept


async def test_bulk_issue(db: Database) -> None:
    town = await make_town(db, households=30)
    async with db.transaction() as s:
        first = await binding.issue_household_codes(
            s, town.secretary, town.village, town.households, NOW
        )
    assert [h.id for h, _ in first] == [h.id for h in town.households]
    assert len({code for _, code in first}) == 30
    async with db.transaction() as s:
        second = await binding.issue_household_codes(
            s, town.director, town.village, town.households[:10], NOW
        )
    assert await _count(db, BindingCode, col(BindingCode.revoked_at).is_not(None)) == 10
    async with db.transaction() as s:
        assert (await binding.bind_chat(s, "1", first[0][1], NOW)).outcome == BindOutcome.REVOKED
        assert (await binding.bind_chat(s, "2", first[10][1], NOW)).ok
        assert (await binding.bind_chat(s, "3", second[0][1], NOW)).ok
    async with db.transaction() as s:
        assert await binding.issue_household_codes(s, town.secretary, town.village, [], NOW) == []


async def test_wrong_codes_are_rate_limited(db: Database) -> None:
    settings = get_settings()
    limit, window = settings.binding_attempts, settings.binding_window_minutes
    town = await make_town(db)
    async with db.transaction() as s:
        code = await binding.issue_code(s, town.secretary, household=town.households[0], now=NOW)
    wrong = "ABCD2345" if code != "ABCD2345" else "ABCD2346"
    lefts = []
    for n in range(limit):
        async with db.transaction() as s:
            result = await binding.bind_chat(s, "666", wrong, NOW + timedelta(seconds=n))
        assert result.outcome == BindOutcome.WRONG
        lefts.append(result.attempts_left)
    assert lefts == list(range(limit - 1, -1, -1))
    assert "分钟后再试" in result.message  # the last wrong one already says so

    async with db.transaction() as s:  # even the right code is refused while the limit lasts
        limited = await binding.bind_chat(s, "666", code, NOW + timedelta(minutes=1))
    assert limited.outcome == BindOutcome.RATE_LIMITED
    assert limited.message == f"输错次数太多，请 {window} 分钟后再试"
    assert await _count(db, BindingAttempt, col(BindingAttempt.chat_id) == "666") == limit + 1
    async with db.session() as s:
        stored = await s.scalar(select(BindingCode))
        assert stored is not None and stored.used_at is None
        assert await binding.identify(s, "666") is None

    async with db.transaction() as s:  # another chat is not affected
        bad = await binding.bind_chat(s, "777", "不是绑定码", NOW + timedelta(minutes=1))
    assert bad.outcome == BindOutcome.BAD_FORMAT and "8 位" in bad.message

    later = NOW + timedelta(minutes=1 + window, seconds=1)
    async with db.transaction() as s:
        assert (await binding.bind_chat(s, "666", code, later)).ok


async def test_only_committee_of_the_village_issues(db: Database) -> None:
    town = await make_town(db)
    other = await make_town(db, name="光明村")
    home = town.households[0]
    async with db.transaction() as s:
        helper = await add_staff(s, town.village, "帮扶干部", "helper")
        county = await add_staff(s, None, "县管理员", "county_admin")
    for actor in (town.shopkeeper, helper):
        async with db.transaction() as s:
            with pytest.raises(Forbidden) as refused:
                await binding.issue_code(s, actor, household=home, now=NOW)
        assert "没有权限" in refused.value.message
    async with db.transaction() as s:
        with pytest.raises(Forbidden) as refused:
            await binding.issue_code(s, other.director, household=home, now=NOW)
        assert refused.value.code == "forbidden_village"
        with pytest.raises(Forbidden):
            await binding.issue_household_codes(
                s, other.director, town.village, town.households, NOW
            )
        with pytest.raises(Forbidden):  # a household of another village slipped in
            await binding.issue_household_codes(
                s, town.secretary, town.village, [home, other.households[0]], NOW
            )
        with pytest.raises(DomainError):
            await binding.issue_code(s, town.secretary, now=NOW)
    assert await _count(db, BindingCode) == 0
    async with db.transaction() as s:
        assert await binding.issue_code(s, county, household=home, now=NOW)


async def test_staff_binding_and_identity(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        code = await binding.issue_code(s, town.director, staff=town.shopkeeper, now=NOW)
    async with db.transaction() as s:
        result = await binding.bind_chat(s, "-42", code, NOW)
    assert result.ok and result.message == "已绑定：幸福村店主（超市店主，幸福村）"
    async with db.session() as s:
        who = await binding.identify(s, "-42")
    assert who is not None and who.is_staff and who.role == "shopkeeper"
    assert who.staff is not None and who.staff.id == town.shopkeeper.id
    assert who.household is None and who.village.id == town.village.id

    async with db.transaction() as s:
        staff = await s.get(StaffMember, town.shopkeeper.id)
        assert staff is not None
        staff.active = False
    async with db.session() as s:
        assert await binding.identify(s, "-42") is None
    async with db.transaction() as s:
        with pytest.raises(DomainError):
            await binding.issue_code(s, town.director, staff=staff, now=NOW)


async def test_rebinding_a_chat_replaces_its_binding(db: Database) -> None:
    town = await make_town(db)
    a, b = town.households[0], town.households[1]
    async with db.transaction() as s:
        code_a = await binding.issue_code(s, town.secretary, household=a, now=NOW)
        code_b = await binding.issue_code(s, town.secretary, household=b, now=NOW)
    async with db.transaction() as s:
        assert (await binding.bind_chat(s, "555", code_a, NOW)).ok
    async with db.transaction() as s:
        assert await binding.unbind(s, "555")
        assert not await binding.unbind(s, "555")
    async with db.session() as s:
        assert await binding.identify(s, "555") is None
    async with db.transaction() as s:
        assert (await binding.bind_chat(s, "555", code_b, NOW)).ok
    async with db.session() as s:
        who = await binding.identify(s, "555")
        assert who is not None and who.household is not None and who.household.id == b.id
        rows = list(await s.scalars(select(ChatBinding)))
    assert len(rows) == 1 and rows[0].active and rows[0].household_id == b.id


async def test_concurrent_binds_with_one_code(db: Database) -> None:
    """Two chats send the same code at the same moment: exactly one is bound."""
    town = await make_town(db)

    async def bind(chat: str, code: str) -> BindOutcome:
        async with db.transaction() as s:
            return (await binding.bind_chat(s, chat, code, NOW)).outcome

    for n, home in enumerate(town.households[:3]):  # a few rounds: the race never lets both in
        async with db.transaction() as s:
            code = await binding.issue_code(s, town.secretary, household=home, now=NOW)
        outcomes = await asyncio.gather(bind(f"{n}-a", code), bind(f"{n}-b", code))
        assert sorted(outcomes) == sorted([BindOutcome.BOUND, BindOutcome.USED]), outcomes
    assert await _count(db, ChatBinding) == 3
    async with db.session() as s:
        codes = list(await s.scalars(select(BindingCode)))
    assert all(c.used_at is not None for c in codes)


async def _supporter(db: Database, town: Town) -> tuple[StaffMember, Supporter]:
    async with db.transaction() as s:
        council = await add_staff(s, town.village, f"{town.village.name}孝善会长", "fund_council")
        son = await add_supporter(s, council, town.village, "王大明", "13812345678", "儿子")
    return council, son


async def test_a_supporter_binds_once_with_the_fund_councils_code(db: Database) -> None:
    town = await make_town(db)
    council, son = await _supporter(db, town)
    async with db.transaction() as s:
        code = await binding.issue_supporter_code(s, council, town.village, son, NOW)
    async with db.session() as s:
        stored = await s.scalar(select(BindingCode))
    assert stored is not None and stored.supporter_id == son.id
    assert stored.household_id is None and stored.staff_id is None

    async with db.transaction() as s:
        result = await binding.bind_chat(s, "3001", binding.format_code(code), NOW)
    assert result.ok and result.message == "已绑定：王大明（赡养人，幸福村）"
    async with db.transaction() as s:
        again = await binding.bind_chat(s, "3002", code, NOW)
    assert again.outcome == BindOutcome.USED
    async with db.session() as s:
        who = await binding.identify(s, "3001")
        assert who is not None and who.supporter is not None and who.supporter.id == son.id
        assert who.role == "supporter" and who.name == "王大明" and not who.is_staff
        assert who.household is None and who.village.id == town.village.id
        assert await binding.identify(s, "3002") is None
        row = await s.scalar(select(ChatBinding).where(ChatBinding.chat_id == "3001"))
        assert row is not None and row.supporter_id == son.id and row.household_id is None

    # the same chat later bound to a household is that household's only
    async with db.transaction() as s:
        home_code = await binding.issue_code(s, town.secretary, household=town.households[1])
        assert (await binding.bind_chat(s, "3001", home_code, NOW)).ok
    async with db.session() as s:
        who = await binding.identify(s, "3001")
        assert who is not None and who.supporter is None and who.role == "household"
        row = await s.scalar(select(ChatBinding).where(ChatBinding.chat_id == "3001"))
        assert row is not None and row.supporter_id is None


async def test_supporter_codes_revoke_older_ones_and_stay_in_their_village(db: Database) -> None:
    town = await make_town(db)
    council, son = await _supporter(db, town)
    other = await make_town(db, name="光明村")
    other_council, other_son = await _supporter(db, other)
    async with db.transaction() as s:
        old = await binding.issue_supporter_code(s, council, town.village, son, NOW)
        home = await binding.issue_code(s, town.secretary, household=town.households[0], now=NOW)
    async with db.transaction() as s:  # the committee, which leads the fund, may issue too
        new = await binding.issue_supporter_code(s, town.director, town.village, son, NOW)
    async with db.transaction() as s:
        assert (await binding.bind_chat(s, "4001", old, NOW)).outcome == BindOutcome.REVOKED
        assert (await binding.bind_chat(s, "4001", new, NOW)).ok
        assert (await binding.bind_chat(s, "4002", home, NOW)).ok  # a household's: kept

    before = await _count(db, BindingCode)
    async with db.transaction() as s:
        with pytest.raises(Forbidden) as refused:
            await binding.issue_supporter_code(s, other_council, town.village, son, NOW)
        assert refused.value.code == "forbidden_village"
        with pytest.raises(Forbidden) as refused:
            await binding.issue_supporter_code(s, town.shopkeeper, town.village, son, NOW)
        assert "没有权限" in refused.value.message
        with pytest.raises(Forbidden) as refused:  # another village's supporter
            await binding.issue_supporter_code(s, council, town.village, other_son, NOW)
        assert refused.value.code == "supporter_other_village"
    assert await _count(db, BindingCode) == before
