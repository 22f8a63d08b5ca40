"""The 孝善基金: pledges and their periods, contributions, matching, payouts, reversals, reports."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, update
from sqlmodel import col, select

from core.db import Database
from core.errors import Conflict, DomainError, Forbidden, NotFound
from fund import ledger, pledges
from fund import report as fund_report
from fund import rule as fund_rule
from fund.messages import propose_family_stars, send_statement, thank_supporter
from fund.models import FundAccount, FundEntry, Pledge, PledgeFrequency
from fund.pledge_schedule import due_date, period_amount, period_of, periods
from fund.pledges import PeriodState
from fund.report import (
    find_honour_roll,
    honour_roll,
    monthly_statement,
    publish_honour_roll,
    statement_text,
)
from notifications.models import OutboxMessage
from points.models import Award, StarCategory
from points.rounds import create_round
from tests.factories import Town, make_town
from village.models import Member, StaffMember, Supporter, Village
from village.registry import add_staff

NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # 10:00 on 20 October in Shanghai
TODAY = date(2026, 10, 20)
OCT = date(2026, 10, 1)
SEP = date(2026, 9, 1)
NOV = date(2026, 11, 1)
towns = itertools.count(1)


@dataclass
class FundTown:
    town: Town
    council: StaffMember
    grandma: Member  # 王奶奶, 76
    grandpa: Member  # 李爷爷, 65
    uncle: Member  # 赵伯, 64
    young: Member  # 李叔, 59
    son: Supporter  # 王大明, lives in the secretary's household
    daughter: Supporter  # 王小红, lives elsewhere

    @property
    def village(self) -> Village:
        return self.town.village


async def fund_town(db: Database, name: str = "幸福村") -> FundTown:
    town = await make_town(db, households=3, name=name)
    homes = town.households
    async with db.transaction() as s:
        council = await add_staff(s, town.village, f"{name}孝善会长", "fund_council")
        people = [
            Member(household_id=homes[1].id or 0, name="王奶奶", birth_date=date(1950, 5, 1)),
            Member(household_id=homes[2].id or 0, name="李爷爷", birth_date=date(1961, 3, 1)),
            Member(household_id=homes[2].id or 0, name="赵伯", birth_date=date(1962, 6, 1)),
            Member(household_id=homes[2].id or 0, name="李叔", birth_date=date(1967, 1, 1)),
            Member(household_id=homes[1].id or 0, name="没生日", birth_date=None),
            Member(household_id=homes[1].id or 0, name="已迁出", birth_date=date(1940, 1, 1)),
        ]
        people[-1].active = False
        s.add_all(people)
        await s.flush()
        son = await pledges.add_supporter(
            s, council, town.village, "王大明", "13812345678", "儿子", household=homes[0]
        )
        daughter = await pledges.add_supporter(
            s, council, town.village, "王小红", "+86 139-1234-5678", "女儿"
        )
    grandma, grandpa, uncle, young = people[:4]
    return FundTown(town, council, grandma, grandpa, uncle, young, son, daughter)


async def sign(
    db: Database,
    w: FundTown,
    elder: Member,
    supporter: Supporter,
    yuan: int,
    due_day: int,
    start: date,
    frequency: PledgeFrequency = PledgeFrequency.MONTHLY,
) -> Pledge:
    async with db.transaction() as s:
        return await pledges.sign_pledge(
            s, w.council, w.village, elder, supporter, yuan * 100, due_day, start, frequency, NOW
        )


async def pay(
    db: Database,
    w: FundTown,
    pledge: Pledge,
    month: date,
    yuan: int,
    on: date = TODAY,
    key: str | None = None,
) -> pledges.Contribution:
    async with db.transaction() as s:
        return await pledges.record_contribution(
            s, w.council, pledge, month, yuan * 100, on, "微信", key=key, now=NOW
        )


async def donate(db: Database, w: FundTown, yuan: int, on: date = TODAY) -> FundEntry:
    async with db.transaction() as s:
        return await ledger.record_donation(
            s, w.council, w.village, "张乡贤", yuan * 100, on, "转账", now=NOW
        )


async def rule(db: Database, w: FundTown, start: date, rate: str, cap: int | None) -> None:
    async with db.transaction() as s:
        await fund_rule.set_fund_rule(
            s,
            w.council,
            w.village,
            start,
            fund_rule.parse_rate(rate),
            None if cap is None else cap * 100,
            NOW,
        )


async def balances(db: Database, w: FundTown) -> tuple[int, int]:
    async with db.session() as s:
        found = await ledger.fund_balances(s, w.village)
        assert await ledger.verify_fund(s, w.village) == []
    return found.balance_fen, found.pool_fen


# ---------------------------------------------------------------- the schedule


def test_due_day_31_falls_on_the_last_day_of_shorter_months_and_quarters_cover_three() -> None:
    assert due_date(31, date(2026, 2, 1)) == date(2026, 2, 28)
    assert due_date(31, date(2028, 2, 1)) == date(2028, 2, 29)
    assert due_date(31, date(2026, 4, 1)) == date(2026, 4, 30)
    assert due_date(29, date(2026, 2, 1)) == date(2026, 2, 28)
    assert due_date(15, date(2026, 2, 1)) == date(2026, 2, 15)
    quarterly = Pledge(
        village_id=1,
        elder_id=1,
        supporter_id=1,
        id=1,
        monthly_fen=10_000,
        due_day=31,
        start_month=date(2026, 1, 1),
        frequency=PledgeFrequency.QUARTERLY.value,
        created_by=1,
    )
    assert period_amount(quarterly) == 30_000
    assert list(periods(quarterly, date(2026, 1, 1), date(2026, 12, 1))) == [
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
    ]
    assert period_of(quarterly, date(2026, 3, 9)) == date(2026, 1, 1)
    assert period_of(quarterly, date(2026, 5, 1)) == date(2026, 4, 1)
    assert period_of(quarterly, date(2025, 12, 1)) is None
    status = pledges.period_status(quarterly, date(2026, 4, 1), [], date(2026, 4, 30))
    assert (status.due_on, status.state, status.period_text) == (
        date(2026, 4, 30),
        PeriodState.NOT_DUE,
        "2026年4月–6月",
    )


def test_ages_and_money_words() -> None:
    assert pledges.age_on(date(1964, 2, 29), date(2024, 2, 28)) == 59
    assert pledges.age_on(date(1964, 2, 29), date(2024, 2, 29)) == 60
    assert pledges.age_on(date(1964, 2, 29), date(2025, 3, 1)) == 61
    assert pledges.born_by(60, date(2025, 2, 28)) == date(1965, 2, 28)
    assert ledger.parse_yuan("100") == 10_000
    assert ledger.parse_yuan("100.5元") == 10_050
    assert ledger.parse_yuan("￥1,000.05") == 100_005
    for bad in ("0", "-5", "1.234", "一百", "1e3"):
        with pytest.raises(DomainError, match="金额"):
            ledger.parse_yuan(bad)
    assert ledger.yuan(10_050) == "100.50元"
    assert ledger.parse_method("微信") is ledger.PayMethod.WECHAT
    assert ledger.parse_method("cash") is ledger.PayMethod.CASH
    with pytest.raises(DomainError, match="现金、转账、微信、支付宝、其他"):
        ledger.parse_method("刷卡")
    assert ledger.parse_month("2026年10月") == ledger.parse_month("2026-10") == OCT
    assert fund_rule.parse_rate("10%") == fund_rule.parse_rate("0.1") == Decimal("0.1")
    assert fund_rule.parse_rate("12.5％") == Decimal("0.125")
    for bad in ("150%", "-1%", "abc", "0.12345"):
        with pytest.raises(DomainError, match="配捐比例"):
            fund_rule.parse_rate(bad)
    assert pledges.parse_frequency("按季") is PledgeFrequency.QUARTERLY


# ---------------------------------------------------------------- elders


async def test_elders_are_members_aged_60_or_the_villages_65(db: Database) -> None:
    w = await fund_town(db)
    async with db.session() as s:
        elders = await pledges.list_elders(s, w.village, TODAY)
    assert [(e.member.name, e.age) for e in elders] == [
        ("王奶奶", 76),
        ("李爷爷", 65),
        ("赵伯", 64),
    ]
    with pytest.raises(DomainError, match="李叔现年 59 岁，未满 60 周岁"):
        await sign(db, w, w.young, w.son, 100, 5, OCT)
    async with db.transaction() as s:
        with pytest.raises(Forbidden):  # the council keeps the fund; the committee sets the line
            await pledges.set_elder_age(s, w.council, w.village, 65)
        with pytest.raises(DomainError, match="60 或 65"):
            await pledges.set_elder_age(s, w.town.director, w.village, 70)
        village = await pledges.set_elder_age(s, w.town.director, w.village, 65)
    async with db.session() as s:
        elders = await pledges.list_elders(s, village, TODAY)
    assert [e.member.name for e in elders] == ["王奶奶", "李爷爷"]
    w.town.village = village
    with pytest.raises(DomainError, match="赵伯现年 64 岁，未满 65 周岁"):
        await sign(db, w, w.uncle, w.son, 100, 5, OCT)
    async with db.session() as s:
        with pytest.raises(DomainError, match="没有登记出生日期"):
            await pledges.find_elder(s, village, "没生日", TODAY)


async def test_supporters_phones_are_normalised_and_pledges_do_not_overlap(db: Database) -> None:
    w = await fund_town(db)
    assert w.son.phone == "+8613812345678"
    assert w.daughter.phone == "+8613912345678"
    async with db.transaction() as s:
        with pytest.raises(DomainError, match="电话号码"):
            await pledges.add_supporter(s, w.council, w.village, "错号", "12345", "儿子")
        with pytest.raises(Conflict, match="已登记"):
            await pledges.add_supporter(s, w.council, w.village, "王大明", "13812345678")
        assert (await pledges.find_supporter(s, w.village, "138 1234 5678")).id == w.son.id
        assert (await pledges.find_supporter(s, w.village, "王小红")).id == w.daughter.id
    first = await sign(db, w, w.grandma, w.son, 200, 31, SEP)
    with pytest.raises(Conflict, match="已有未结束的赡养承诺书"):
        await sign(db, w, w.grandma, w.son, 300, 5, NOV)
    # a supporter may pledge for several elders, an elder may have several supporters
    await sign(db, w, w.grandpa, w.son, 100, 5, OCT)
    await sign(db, w, w.grandma, w.daughter, 100, 5, OCT)
    async with db.transaction() as s:
        with pytest.raises(DomainError, match="早于开始月份"):
            await pledges.end_pledge(s, w.council, first, date(2026, 8, 1))
        ended = await pledges.end_pledge(s, w.council, first, OCT)
        with pytest.raises(Conflict, match="已于2026年10月结束"):
            await pledges.end_pledge(s, w.council, ended, NOV)
    with pytest.raises(DomainError, match="2026年11月不在承诺书期限内"):
        await pay(db, w, ended, NOV, 200)
    again = await sign(db, w, w.grandma, w.son, 300, 5, NOV)  # after the old one ended
    assert again.start_month == NOV


# ---------------------------------------------------------------- contributions


async def test_partial_late_and_overpaid_contributions(db: Database) -> None:
    w = await fund_town(db)
    a = await sign(db, w, w.grandma, w.son, 200, 31, SEP)  # Sep due on the 30th
    b = await sign(db, w, w.grandma, w.daughter, 100, 10, date(2026, 8, 1))

    first = await pay(db, w, a, SEP, 120, date(2026, 9, 25))
    assert (first.status.state, first.status.outstanding_fen) == (PeriodState.PARTIAL, 8_000)
    rest = await pay(db, w, a, date(2026, 9, 15), 80, date(2026, 10, 2))
    assert rest.entry.month == SEP
    assert (rest.status.state, rest.status.paid_on) == (PeriodState.LATE, date(2026, 10, 2))
    await pay(db, w, a, OCT, 50, date(2026, 10, 5))
    with pytest.raises(DomainError, match=re.escape("应缴 200.00元，已缴 50.00元，还欠 150.00元")):
        await pay(db, w, a, OCT, 200)
    with pytest.raises(DomainError, match="已全部缴清"):
        await pay(db, w, a, SEP, 1)
    with pytest.raises(DomainError, match="还没到"):
        await pay(db, w, a, OCT, 10, date(2026, 10, 21))
    with pytest.raises(DomainError, match="2026年7月不在承诺书期限内"):
        await pay(db, w, b, date(2026, 7, 1), 100)
    await pay(db, w, b, date(2026, 8, 1), 100, date(2026, 8, 10))  # on the due day: in time
    await pay(db, w, b, OCT, 30, date(2026, 10, 12))

    async with db.session() as s:
        year = await pledges.pledge_status(s, a, 2026, TODAY)
        owed = await pledges.arrears(s, w.village, TODAY)
        late = await pledges.arrears(s, w.village, date(2026, 11, 1))
    assert [(x.period, x.state) for x in year] == [
        (SEP, PeriodState.LATE),
        (OCT, PeriodState.PARTIAL),
        (NOV, PeriodState.NOT_DUE),
        (date(2026, 12, 1), PeriodState.NOT_DUE),
    ]
    assert [
        (x.line.supporter.name, x.status.period, x.status.state_text, x.status.outstanding_fen)
        for x in owed
    ] == [("王小红", SEP, "欠缴", 10_000), ("王小红", OCT, "部分缴纳", 7_000)]
    assert owed[0].line.supporter_phone == "139****5678"
    assert owed[0].line.elder.name == "王奶奶"
    # On 1 November 王大明's October (due the 31st) has passed with 150 yuan still owed.
    assert [(x.line.supporter.name, x.status.period) for x in late] == [
        ("王大明", OCT),
        ("王小红", SEP),
        ("王小红", OCT),
    ]
    assert await balances(db, w) == (38_000, 0)


async def test_a_quarterly_pledge_is_paid_per_quarter(db: Database) -> None:
    w = await fund_town(db)
    c = await sign(db, w, w.grandpa, w.son, 100, 31, date(2026, 7, 1), PledgeFrequency.QUARTERLY)
    paid = await pay(db, w, c, date(2026, 8, 1), 300, date(2026, 7, 31))
    assert paid.entry.month == date(2026, 7, 1)
    assert (paid.status.state, paid.status.period_text) == (PeriodState.PAID, "2026年7月–9月")
    with pytest.raises(
        DomainError, match=re.escape("2026年10月–12月应缴 300.00元，已缴 0.00元，还欠 300.00元")
    ):
        await pay(db, w, c, date(2026, 12, 1), 301)
    later = await pay(db, w, c, date(2026, 12, 1), 300)
    assert later.entry.month == OCT
    async with db.session() as s:
        year = await pledges.pledge_status(s, c, 2026, TODAY)
    assert [(x.period, x.due_on, x.state) for x in year] == [
        (date(2026, 7, 1), date(2026, 7, 31), PeriodState.PAID),
        (OCT, date(2026, 10, 31), PeriodState.PAID),
    ]


# ---------------------------------------------------------------- matching


async def test_subsidy_by_rate_cap_and_pool_and_rules_never_reach_back(db: Database) -> None:
    w = await fund_town(db)
    a = await sign(db, w, w.grandma, w.son, 200, 31, SEP)
    b = await sign(db, w, w.grandma, w.daughter, 100, 10, OCT)
    c = await sign(db, w, w.grandpa, w.son, 100, 31, OCT, PledgeFrequency.QUARTERLY)
    plain = await pay(db, w, a, SEP, 200, date(2026, 9, 20))
    assert plain.subsidy is None  # no rule yet

    await donate(db, w, 22)
    await rule(db, w, OCT, "10%", None)
    first = await pay(db, w, a, OCT, 200)
    assert first.subsidy is not None and first.subsidy.amount_fen == 2_000  # 10 %
    assert (first.subsidy.source_id, first.subsidy.month) == (first.entry.id, OCT)
    await rule(db, w, OCT, "0.1", 25)  # same month, newer: this one applies
    second = await pay(db, w, b, OCT, 100)
    # 10 yuan by rate, 5 left under the elder's 25-yuan cap for October, only 2 in the pool
    assert second.subsidy is not None and second.subsidy.amount_fen == 200
    third = await pay(db, w, c, OCT, 300)
    assert third.subsidy is None  # 30 by rate, 75 cap for the quarter, but the pool is empty
    assert await balances(db, w) == (82_200, 0)

    with pytest.raises(DomainError, match="不能追溯到2026年9月"):
        await rule(db, w, SEP, "50%", None)
    await donate(db, w, 150)
    await rule(db, w, NOV, "50%", None)
    november = await pay(db, w, a, NOV, 200)
    assert november.subsidy is not None and november.subsidy.amount_fen == 10_000
    capped = await pay(db, w, b, date(2026, 12, 1), 100)  # December: still 50 %, no cap
    assert capped.subsidy is not None and capped.subsidy.amount_fen == 5_000
    async with db.session() as s:
        oct_rule = await fund_rule.rule_for(s, w.village.id or 0, OCT)
        subsidies = list(
            await s.scalars(
                select(FundEntry.amount_fen)
                .where(FundEntry.kind == "subsidy")
                .order_by(col(FundEntry.id))
            )
        )
    assert oct_rule is not None and oct_rule.cap_fen == 2_500
    assert (
        fund_rule.rule_text(oct_rule)
        == "自2026年10月起：按缴纳额的 10% 配捐，每位老人每月最多 25.00元"
    )
    assert subsidies == [2_000, 200, 10_000, 5_000]  # October's stay as they were
    assert await balances(db, w) == (82_200 + 15_000 + 30_000, 0)


async def test_cap_alone_and_elder_cap_across_supporters(db: Database) -> None:
    w = await fund_town(db)
    a = await sign(db, w, w.grandma, w.son, 200, 31, OCT)
    b = await sign(db, w, w.grandma, w.daughter, 300, 31, OCT)
    await donate(db, w, 1_000)
    await rule(db, w, OCT, "0%", 50)
    assert (await pay(db, w, a, OCT, 200)).subsidy is None  # a cap alone adds nothing
    await rule(db, w, OCT, "20%", 50)
    a_sub = (await pay(db, w, a, NOV, 200)).subsidy
    b_sub = (await pay(db, w, b, NOV, 300)).subsidy
    assert a_sub is not None and a_sub.amount_fen == 4_000
    assert b_sub is not None and b_sub.amount_fen == 1_000  # 60 by rate; 50 a month per elder


# ---------------------------------------------------------------- payouts and reversals


async def test_payouts_pay_once_a_month_and_never_more_than_held(db: Database) -> None:
    w = await fund_town(db)
    a = await sign(db, w, w.grandma, w.son, 200, 31, OCT)
    b = await sign(db, w, w.grandma, w.daughter, 100, 31, OCT)
    c = await sign(db, w, w.grandpa, w.son, 300, 31, OCT)
    await pay(db, w, a, OCT, 200)
    await pay(db, w, c, OCT, 300)
    async with db.transaction() as s:
        lines = await ledger.pay_out(s, w.council, w.village, OCT, "现金", NOW)
    assert [(x.label.name, x.entry.amount_fen, x.new) for x in lines] == [
        ("王奶奶", 20_000, True),
        ("李爷爷", 30_000, True),
    ]
    assert lines[0].entry.idempotency_key == f"payout:{w.grandma.id}:2026-10"
    async with db.transaction() as s:
        again = await ledger.pay_out(s, w.council, w.village, OCT, "现金", NOW)
        with pytest.raises(DomainError, match=re.escape("王奶奶名下可发放的只有 0.00元")):
            await ledger.pay_elder(s, w.council, w.village, w.grandma, 100, OCT, now=NOW)
        with pytest.raises(DomainError, match="还没到"):
            await ledger.pay_out(s, w.council, w.village, NOV, "现金", NOW)
    assert [(x.entry.id, x.new) for x in again] == [(x.entry.id, False) for x in lines]

    await pay(db, w, b, OCT, 100)
    async with db.transaction() as s:
        await ledger.pay_elder(s, w.council, w.village, w.grandma, 6_000, OCT, now=NOW)
        with pytest.raises(DomainError, match=re.escape("只有 40.00元，不能发放 50.00元")):
            await ledger.pay_elder(s, w.council, w.village, w.grandma, 5_000, OCT, now=NOW)
        third = await ledger.pay_out(s, w.council, w.village, OCT, "现金", NOW)
        owed = await ledger.owed_by_elder(s, w.village.id or 0)
    assert [x.new for x in third] == [False, False]  # this month's payout is made: once
    assert owed == {w.grandma.id: 4_000, w.grandpa.id: 0}
    assert await balances(db, w) == (4_000, 0)


async def test_reversals_take_the_subsidy_along_and_never_spend_what_is_gone(
    db: Database,
) -> None:
    w = await fund_town(db)
    a = await sign(db, w, w.grandma, w.son, 200, 31, OCT)
    b = await sign(db, w, w.grandma, w.daughter, 100, 31, OCT)
    gift = await donate(db, w, 50)
    await rule(db, w, OCT, "10%", None)
    paid = await pay(db, w, a, OCT, 200)
    assert paid.subsidy is not None
    assert await balances(db, w) == (25_000, 3_000)
    async with db.transaction() as s:
        undo = await ledger.reverse_fund_entry(s, w.council, paid.entry.id or 0, "金额记错", NOW)
        subsidy_undo = await ledger.reversal_of(s, paid.subsidy.id or 0)
    assert (undo.amount_fen, undo.kind, undo.reverses_id) == (
        -20_000,
        "contribution",
        paid.entry.id,
    )
    assert undo.idempotency_key == f"fund_reversal:{paid.entry.id}"
    assert subsidy_undo is not None and subsidy_undo.amount_fen == -2_000
    assert await balances(db, w) == (5_000, 5_000)
    async with db.transaction() as s:
        same = await ledger.reverse_fund_entry(s, w.council, paid.entry.id or 0, "再点一次", NOW)
        assert same.id == undo.id
        with pytest.raises(DomainError, match="本身是冲正记录"):
            await ledger.reverse_fund_entry(s, w.council, undo.id or 0, "x", NOW)
    async with db.session() as s:
        status = await pledges.pledge_status(s, a, 2026, TODAY)
    assert status[0].paid_fen == 0 and status[0].state is PeriodState.NOT_DUE

    second = await pay(db, w, b, OCT, 100)  # 10 yuan subsidy: the donation is partly spent
    assert second.subsidy is not None
    async with db.transaction() as s:
        with pytest.raises(DomainError, match="随缴纳记录一起冲正"):
            await ledger.reverse_fund_entry(s, w.council, second.subsidy.id or 0, "x", NOW)
        with pytest.raises(DomainError, match="已有一部分用于配捐"):
            await ledger.reverse_fund_entry(s, w.council, gift.id or 0, "捐款退回", NOW)
        with pytest.raises(DomainError, match="请写明"):
            await ledger.reverse_fund_entry(s, w.council, second.entry.id or 0, "  ", NOW)
        payout = (await ledger.pay_out(s, w.council, w.village, OCT, "现金", NOW))[0].entry
    async with db.transaction() as s:
        with pytest.raises(DomainError, match="已发放给王奶奶"):
            await ledger.reverse_fund_entry(s, w.council, second.entry.id or 0, "退款", NOW)
    async with db.transaction() as s:
        await ledger.reverse_fund_entry(s, w.council, payout.id or 0, "发错了", NOW)
        await ledger.reverse_fund_entry(s, w.council, second.entry.id or 0, "退款", NOW)
        await ledger.reverse_fund_entry(s, w.council, gift.id or 0, "捐款退回", NOW)
    assert await balances(db, w) == (0, 0)


async def test_idempotency_keys(db: Database) -> None:
    w = await fund_town(db)
    a = await sign(db, w, w.grandma, w.son, 200, 31, OCT)
    first = await pay(db, w, a, OCT, 100, key="WX4200001")
    again = await pay(db, w, a, OCT, 100, key="WX4200001")
    assert (again.entry.id, again.new, first.new) == (first.entry.id, False, True)
    with pytest.raises(Conflict, match="幂等键"):
        await pay(db, w, a, OCT, 50, key="WX4200001")
    async with db.transaction() as s:
        gift = await ledger.record_donation(
            s, w.council, w.village, "某企业", 5_000, TODAY, key="D-1", now=NOW
        )
        same = await ledger.record_donation(
            s, w.council, w.village, "某企业", 5_000, TODAY, key="D-1", now=NOW
        )
    assert gift.id == same.id
    async with db.session() as s:
        count = await s.scalar(select(func.count()).select_from(FundEntry))
    assert count == 2
    assert await balances(db, w) == (15_000, 5_000)


async def test_verify_finds_an_account_that_differs_from_its_entries(db: Database) -> None:
    w = await fund_town(db)
    await donate(db, w, 10)
    async with db.transaction() as s:
        await s.execute(update(FundAccount).values(balance_fen=FundAccount.balance_fen + 1))
    async with db.session() as s:
        problems = await ledger.verify_fund(s, w.village)
    assert [p.code for p in problems] == ["fund_verify_mismatch"]


async def test_only_the_fund_council_and_committee_of_the_village_may_act(db: Database) -> None:
    w = await fund_town(db)
    other = await fund_town(db, "光明村")
    a = await sign(db, w, w.grandma, w.son, 200, 31, OCT)
    async with db.transaction() as s:
        helper = await add_staff(s, w.village, "张帮扶", "helper")
    async with db.transaction() as s:
        with pytest.raises(Forbidden, match="需要：孝善理事会、村两委"):
            await pledges.add_supporter(s, w.town.shopkeeper, w.village, "某人", None)
        with pytest.raises(Forbidden, match="不属于幸福村"):
            await pledges.record_contribution(s, other.council, a, OCT, 100, now=NOW)
        with pytest.raises(Forbidden):
            await ledger.record_donation(s, helper, w.village, "某人", 100, now=NOW)
        with pytest.raises(Forbidden):
            await monthly_statement(s, w.town.shopkeeper, w.village, OCT, NOW)
        with pytest.raises(NotFound, match="年满 60 周岁"):
            await pledges.sign_pledge(
                s, w.council, w.village, other.grandma, w.son, 100, 5, OCT, now=NOW
            )
    paid = await pay(db, w, a, OCT, 100)
    async with db.transaction() as s:
        with pytest.raises(Forbidden):
            await ledger.reverse_fund_entry(s, helper, paid.entry.id or 0, "x", NOW)
        with pytest.raises(Forbidden):
            await ledger.reverse_fund_entry(s, other.council, paid.entry.id or 0, "x", NOW)
        # the committee leads the council: it may record too
        await pledges.record_contribution(s, w.town.director, a, OCT, 10_000, now=NOW)
    assert await balances(db, w) == (20_000, 0)


# ---------------------------------------------------------------- reports and messages


async def _committee_phones(db: Database, w: FundTown) -> None:
    async with db.transaction() as s:
        for staff, phone in ((w.town.secretary, "+8613700000001"), (w.town.director, None)):
            row = await s.get(StaffMember, staff.id)
            assert row is not None
            row.phone = phone or "+8613700000002"


async def test_statement_thanks_and_summary_to_the_committee(db: Database) -> None:
    w = await fund_town(db)
    await _committee_phones(db, w)
    a = await sign(db, w, w.grandma, w.son, 200, 31, SEP)
    await donate(db, w, 100, date(2026, 9, 15))
    await pay(db, w, a, SEP, 200, date(2026, 9, 25))
    await rule(db, w, OCT, "10%", None)
    october = await pay(db, w, a, OCT, 200, date(2026, 10, 5))
    async with db.transaction() as s:
        await ledger.pay_out(s, w.council, w.village, OCT, "现金", NOW)
        september = await monthly_statement(s, w.council, w.village, SEP, NOW)
        statement = await monthly_statement(s, w.council, w.village, OCT, NOW)
        assert await thank_supporter(s, october.entry, NOW)
        assert await send_statement(s, statement, NOW) == 2
        assert await send_statement(s, statement, NOW) == 2
        with pytest.raises(DomainError, match="还没到"):
            await monthly_statement(s, w.council, w.village, NOV, NOW)
    assert (september.opening_fen, september.closing_fen, september.pool_fen) == (0, 30_000, 10_000)
    assert [d.donor for d in september.donations] == ["张乡贤"]
    assert (
        statement.opening_fen,
        statement.contributions_fen,
        statement.subsidies_fen,
        statement.donations_fen,
        statement.payouts_fen,
        statement.closing_fen,
        statement.pool_fen,
    ) == (30_000, 20_000, 2_000, 0, 42_000, 8_000, 8_000)
    assert [(e.name, e.received_fen, e.paid_out_fen) for e in statement.elders] == [
        ("王奶奶", 22_000, 42_000)
    ]
    summary = statement_text(statement)
    assert "幸福村孝善基金2026年10月收支公示" in summary and "期末余额 80.00元" in summary
    async with db.session() as s:
        messages = list(await s.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id))))
    thanks, *to_committee = messages
    assert thanks.idempotency_key == f"fund_thanks:{october.entry.id}"
    assert thanks.address == "+8613812345678"
    assert "王奶奶" in thanks.body and "200.00元" in thanks.body and "配捐 20.00元" in thanks.body
    assert sorted(m.idempotency_key for m in to_committee) == sorted(
        f"fund_statement:{w.village.id}:2026-10:{staff.id}"
        for staff in (w.town.secretary, w.town.director)
    )
    assert all(m.body == summary for m in to_committee)


async def test_honour_roll_names_only_supporters_who_paid_on_time_and_proposes_the_star(
    db: Database,
) -> None:
    w = await fund_town(db)
    a = await sign(db, w, w.grandma, w.son, 200, 31, SEP)  # paid on time: named
    b = await sign(db, w, w.grandma, w.daughter, 100, 10, date(2026, 8, 1))  # misses September
    async with db.transaction() as s:
        friend = await pledges.add_supporter(s, w.council, w.village, "李明", None, "儿子")
        cousin = await pledges.add_supporter(s, w.council, w.village, "李亮", None, "侄子")
    c = await sign(db, w, w.grandpa, friend, 100, 5, OCT)  # on time, not of the village
    d = await sign(db, w, w.grandpa, cousin, 100, 5, OCT)  # in full, but late: 逾期缴清
    await sign(db, w, w.uncle, w.daughter, 100, 31, OCT)  # nothing due yet in October
    await pay(db, w, a, SEP, 200, date(2026, 9, 25))
    await pay(db, w, b, date(2026, 8, 1), 100, date(2026, 8, 1))
    await pay(db, w, c, OCT, 100, date(2026, 10, 5))
    late = await pay(db, w, d, OCT, 100, date(2026, 10, 8))
    assert late.status.state is PeriodState.LATE
    async with db.session() as s:
        roll = await honour_roll(s, w.village, 2026, TODAY)
    assert [(x.supporter, x.elder, x.paid_fen) for x in roll] == [
        ("王大明", "王奶奶", 20_000),
        ("李明", "李爷爷", 10_000),
    ]
    assert roll[0].label == "王大明（王奶奶的儿子）"

    async with db.transaction() as s:
        rnd = await create_round(s, w.village, w.town.director, "2026年第4季度", 2026, NOW)
    with pytest.raises(Forbidden):  # proposing a star is the committee's act: nothing kept
        async with db.transaction() as s:
            await publish_honour_roll(
                s,
                w.council,
                w.village,
                2026,
                NOW,
                propose_stars=propose_family_stars,
                before_year_end=True,
            )
    async with db.transaction() as s:
        published = await publish_honour_roll(
            s,
            w.town.director,
            w.village,
            2026,
            NOW,
            propose_stars=propose_family_stars,
            before_year_end=True,
        )
    assert published.stars is not None
    assert published.stars.round_name == "2026年第4季度"
    assert published.stars.proposed == (f"{w.town.households[0].number} 户主1",)
    assert published.stars.skipped == ("李明不是本村户籍，未提名",)
    async with db.transaction() as s:
        with pytest.raises(DomainError, match="2025年度还没有全年按时足额缴纳的赡养人"):
            await publish_honour_roll(s, w.town.director, w.village, 2025, NOW)
        with pytest.raises(Conflict, match="2026年度孝善光荣榜已于"):
            await publish_honour_roll(s, w.town.director, w.village, 2026, NOW)
        again = await propose_family_stars(s, w.town.director, w.village, roll, 2026, NOW)
        stored = await find_honour_roll(s, w.village, 2026)
        awards = [
            tuple(row)
            for row in await s.execute(
                select(Award.household_id, StarCategory.name)
                .join(StarCategory, col(StarCategory.id) == col(Award.category_id))
                .where(Award.round_id == rnd.id)
            )
        ]
    assert again.proposed == ()
    assert f"{w.town.households[0].number} 户主1在本轮已有良好家风之星提名" in again.skipped
    assert stored is not None and [x.supporter for x in stored[1]] == ["王大明", "李明"]
    assert awards == [(w.town.households[0].id, "良好家风之星")]


async def test_honour_roll_year_paid_is_everything_paid_for_the_years_periods(
    db: Database,
) -> None:
    w = await fund_town(db)
    jul = date(2026, 7, 1)
    a = await sign(db, w, w.grandma, w.son, 200, 31, SEP)
    b = await sign(db, w, w.grandpa, w.daughter, 100, 5, jul, PledgeFrequency.QUARTERLY)
    c = await sign(db, w, w.uncle, w.daughter, 100, 31, OCT)  # nothing due yet
    async with db.transaction() as s:
        friend = await pledges.add_supporter(s, w.council, w.village, "李明", None, "儿子")
    d = await sign(db, w, w.grandpa, friend, 100, 5, SEP)
    await pay(db, w, a, SEP, 200, date(2026, 9, 25))
    await pay(db, w, a, OCT, 200)  # due 31 October: paid, not due yet
    await pay(db, w, a, NOV, 200)  # paid ahead
    await pay(db, w, a, date(2026, 12, 1), 50)  # part of December, ahead
    await pay(db, w, b, jul, 100, date(2026, 7, 1))  # the third quarter in two parts, on time
    await pay(db, w, b, jul, 200, date(2026, 7, 4))
    await pay(db, w, b, OCT, 300, date(2026, 10, 3))
    await pay(db, w, c, NOV, 100, date(2026, 10, 15))
    undone = await pay(db, w, c, OCT, 100, date(2026, 10, 15))
    async with db.transaction() as s:
        await ledger.reverse_fund_entry(s, w.council, undone.entry.id or 0, "记错了", NOW)
    await pay(db, w, d, SEP, 50, date(2026, 9, 3))
    await pay(db, w, d, SEP, 50, date(2026, 9, 10))  # 逾期缴清: off the roll
    await pay(db, w, d, OCT, 100, date(2026, 10, 4))
    async with db.session() as s:
        roll = await honour_roll(s, w.village, 2026, TODAY)
    expected = [
        ("王大明", "王奶奶", 65_000),
        ("王小红", "李爷爷", 60_000),
        ("王小红", "赵伯", 10_000),
    ]
    assert [(x.supporter, x.elder, x.paid_fen) for x in roll] == expected
    async with db.transaction() as s:
        await publish_honour_roll(s, w.council, w.village, 2026, NOW, before_year_end=True)
    async with db.session() as s:
        stored = await find_honour_roll(s, w.village, 2026)
    assert stored is not None
    assert [(x.supporter, x.elder, x.paid_fen) for x in stored[1]] == expected


async def test_publishing_the_honour_roll_before_the_year_ends_needs_confirmation(
    db: Database,
) -> None:
    w = await fund_town(db)
    a = await sign(db, w, w.grandma, w.son, 200, 31, SEP)
    await pay(db, w, a, SEP, 200, date(2026, 9, 25))
    async with db.transaction() as s:
        with pytest.raises(DomainError, match="2026年还没过完，还有 3 期未到期") as refused:
            await publish_honour_roll(s, w.council, w.village, 2026, NOW)
        with pytest.raises(DomainError, match="2027年还没到"):
            await fund_report.open_year_periods(s, w.village, 2027, TODAY)
        assert await fund_report.open_year_periods(s, w.village, 2026, date(2027, 1, 1)) is None
    assert refused.value.code == "fund_honour_year_open"
    async with db.session() as s:
        assert await find_honour_roll(s, w.village, 2026) is None
    async with db.transaction() as s:
        done = await publish_honour_roll(s, w.council, w.village, 2026, NOW, before_year_end=True)
    assert [x.supporter for x in done.lines] == ["王大明"]


async def _donate(
    db: Database,
    w: FundTown,
    donor: str,
    fen: int,
    on: date = TODAY,
    *,
    key: str | None = None,
    again: bool = False,
) -> FundEntry:
    async with db.transaction() as s:
        return await ledger.record_donation(
            s, w.council, w.village, donor, fen, on, "转账", key=key, again=again, now=NOW
        )


async def test_a_donation_typed_twice_is_recorded_once_unless_confirmed(db: Database) -> None:
    w = await fund_town(db)
    gift = await _donate(db, w, "张乡贤", 50_000)
    for typed in ("张乡贤", " 张乡贤　"):  # spaces, full-width ones too, are the same name
        with pytest.raises(Conflict, match=f"已登记过张乡贤的捐赠 500.00元（#{gift.id}）"):
            await _donate(db, w, typed, 50_000)
    assert await balances(db, w) == (50_000, 50_000)
    async with db.session() as s:
        same = await ledger.same_donation(s, w.village, "张乡贤", 50_000, TODAY, NOW)
    assert same is not None and same.id == gift.id

    await _donate(db, w, "张乡贤", 50_000, date(2026, 10, 19))  # another day: another gift
    await _donate(db, w, "张乡贤", 50_000, again=True)  # really twice the same day
    await _donate(db, w, "张乡贤", 50_000, key="donation:R-7")  # or told apart by a receipt
    with pytest.raises(Conflict):
        await _donate(db, w, "张乡贤", 50_000)
    assert await balances(db, w) == (200_000, 200_000)

    wrong = await _donate(db, w, "李企业", 10_000)
    async with db.transaction() as s:
        await ledger.reverse_fund_entry(s, w.council, wrong.id or 0, "方式记错", NOW)
    retyped = await _donate(db, w, "李企业", 10_000)  # once reversed, it may be typed again
    assert retyped.id != wrong.id
    assert await balances(db, w) == (210_000, 210_000)
    async with db.session() as s:
        assert await ledger.verify_fund(s, w.village) == []


# ---------------------------------------------------------------- the ledger's invariant

donate_op = st.tuples(st.just("donate"), st.integers(1, 60))
pay_op = st.tuples(st.just("pay"), st.integers(0, 1), st.integers(0, 2), st.integers(1, 120))
payout_op = st.tuples(st.just("payout"), st.integers(0, 1), st.integers(1, 40))
reverse_op = st.tuples(st.just("reverse"), st.integers(0, 40))
replay_op = st.tuples(st.just("replay"), st.integers(0, 40))
fund_steps = st.lists(
    st.one_of(donate_op, pay_op, payout_op, reverse_op, replay_op), min_size=1, max_size=14
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=fund_steps, rate=st.sampled_from(["0%", "15%", "50%"]))
async def test_fund_balances_equal_their_entries_and_never_go_negative(
    db: Database, ops: list[tuple[int | str, ...]], rate: str
) -> None:
    w = await fund_town(db, f"性质村{next(towns)}")
    elders = [w.grandma, w.grandpa]
    pledged = [
        await sign(db, w, w.grandma, w.son, 100, 31, SEP),
        await sign(db, w, w.grandpa, w.daughter, 100, 31, SEP),
    ]
    await rule(db, w, OCT, rate, 20)
    entries: list[int] = []
    for n, op in enumerate(ops):
        try:
            async with db.transaction() as s:
                if op[0] == "donate":
                    done = await ledger.record_donation(
                        s,
                        w.council,
                        w.village,
                        "乡贤",
                        int(op[1]) * 100,
                        key=f"{w.village.id}:d{n}",
                        now=NOW,
                    )
                    entries.append(done.id or 0)
                elif op[0] == "pay":
                    month = [SEP, OCT, NOV][int(op[2])]
                    paid = await pledges.record_contribution(
                        s, w.council, pledged[int(op[1])], month, int(op[3]) * 100, now=NOW
                    )
                    entries.append(paid.entry.id or 0)
                elif op[0] == "payout":
                    elder = elders[int(op[1])]
                    out = await ledger.pay_elder(
                        s, w.council, w.village, elder, int(op[2]) * 100, OCT, now=NOW
                    )
                    entries.append(out.id or 0)
                elif op[0] == "reverse" and entries:
                    target = entries[int(op[1]) % len(entries)]
                    await ledger.reverse_fund_entry(s, w.council, target, "性质测试", NOW)
                elif op[0] == "replay" and entries:
                    target = entries[int(op[1]) % len(entries)]
                    original = await s.get(FundEntry, target)
                    assert original is not None
                    if original.kind == "donation":
                        again = await ledger.record_donation(
                            s,
                            w.council,
                            w.village,
                            original.donor,
                            original.amount_fen,
                            key=original.idempotency_key,
                            now=NOW,
                        )
                        assert again.id == original.id
        except DomainError as error:
            assert error.code.startswith("fund_"), error.code
        await _invariant(db, w, pledged)


async def _invariant(db: Database, w: FundTown, pledged: list[Pledge]) -> None:
    async with db.session() as s:
        assert await ledger.verify_fund(s, w.village) == []
        held = await ledger.fund_balances(s, w.village)
        owed = await ledger.owed_by_elder(s, w.village.id or 0)
        assert held.balance_fen >= 0 and held.pool_fen >= 0
        assert all(value >= 0 for value in owed.values())
        assert held.balance_fen == held.pool_fen + sum(owed.values())
        for pledge in pledged:
            for status in await pledges.pledge_status(s, pledge, 2026, TODAY):
                assert 0 <= status.paid_fen <= status.amount_fen
