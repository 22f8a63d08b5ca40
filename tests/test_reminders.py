"""The reminder sweep's rules on small cases: steps, clearing, missed days, reach, schedule, CLI."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import col, select

from care.visits import assign_helper, log_visit
from core.clock import SHANGHAI
from core.db import Database
from core.settings import Settings
from fund.pledges import add_supporter, record_contribution, sign_pledge
from notifications.jobs import daily_sweeps, sweep_reminders
from notifications.models import OutboxMessage, Reminder, ReminderStatus
from notifications.scheduler import build_scheduler
from tests.conftest import Invoke, invoke_all
from tests.factories import Town, add_household, make_town
from village.models import Household, Member, StaffMember, Village
from village.registry import add_staff

START = date(2026, 3, 2)


def config() -> Settings:
    return Settings(quiet_start=time(0), quiet_end=time(0))


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


async def visited_town(db: Database, phone: str | None = "+8613800000001") -> tuple[Town, int]:
    """Two households of one helper, both visited on START: due START + 30."""
    town = await make_town(db, households=2)
    async with db.transaction() as session:
        village = await session.get(Village, town.village.id)
        director = await session.get(StaffMember, town.director.id)
        assert village is not None and director is not None
        for person in (town.secretary, town.director):
            member = await session.get(StaffMember, person.id)
            assert member is not None
            member.phone = f"+86139000000{member.id:02d}"
        helper = await add_staff(session, village, "张帮扶", "helper", phone=phone)
        homes = [await session.get(Household, h.id) for h in town.households]
        await assign_helper(
            session, director, village, helper, [h for h in homes if h], now=at(START, 8)
        )
        for home in homes:
            assert home is not None
            await log_visit(session, helper, home, START, "入户", now=at(START, 18))
    return town, helper.id or 0


async def by_status(db: Database) -> dict[str, set[str]]:
    async with db.session() as session:
        found: dict[str, set[str]] = {}
        for row in await session.scalars(select(Reminder)):
            found.setdefault(row.status, set()).add(row.rule)
        return found


async def reminder_messages(db: Database, rule: str = "visit_") -> list[OutboxMessage]:
    """The reminder messages of ``rule`` (a prefix; the Monday summary is ``visit_week``)."""
    async with db.session() as session:
        found = await session.scalars(
            select(OutboxMessage)
            .where(col(OutboxMessage.idempotency_key).like(f"reminder:{rule}%"))
            .order_by(col(OutboxMessage.id))
        )
        return [m for m in found if rule == "visit_week" or ":visit_week:" not in m.idempotency_key]


async def test_ahead_then_a_visit_clears_the_rest(db: Database) -> None:
    town, helper = await visited_town(db)
    due = START + timedelta(days=30)
    await sweep_reminders(db, config(), at(due - timedelta(days=4)))
    assert await reminder_messages(db) == []
    await sweep_reminders(db, config(), at(due - timedelta(days=3)))
    [message] = await reminder_messages(db)
    assert message.staff_id == helper and message.address == "+8613800000001"
    assert "2户将于" in message.body and "户主1" in message.body and "户主2" in message.body
    async with db.transaction() as session:
        helper_row = await session.get(StaffMember, helper)
        home = await session.get(Household, town.households[0].id)
        assert helper_row is not None and home is not None
        await log_visit(session, helper_row, home, due - timedelta(days=1), "电话", now=at(due, 8))
    await sweep_reminders(db, config(), at(due))
    messages = await reminder_messages(db)
    assert len(messages) == 2
    assert "今天" in messages[1].body and "户主2" in messages[1].body
    assert "户主1" not in messages[1].body  # visited yesterday: its reminder was cleared
    assert (await by_status(db))[ReminderStatus.CLEARED.value] == {"visit_day"}
    weeks = await reminder_messages(db, "visit_week")  # Monday's summary, to both of the committee
    assert len(weeks) == 2 and all("本周到期" in m.body for m in weeks)
    # a second run the same day changes nothing
    again = await sweep_reminders(db, config(), at(due, 15))
    assert again.sent == again.planned == 0 and len(await reminder_messages(db)) == 2
    # a week late: the committee hears of household 2 only; household 1's report is cleared
    late = await sweep_reminders(db, config(), at(due + timedelta(days=7)))
    assert late.by_rule["visit_overdue"] == 2 and late.cleared == 2
    reports = (await reminder_messages(db))[2:]
    assert len(reports) == 2 and all("户主2" in m.body and "户主1" not in m.body for m in reports)
    assert {m.staff_id for m in reports} == {town.secretary.id, town.director.id}


async def test_missed_days_send_the_latest_step_once_then_expire(db: Database) -> None:
    await visited_town(db)
    due = START + timedelta(days=30)
    first = await sweep_reminders(db, config(), at(due + timedelta(days=1)))  # down until D+1
    assert first.by_rule == {"visit_day": 2}  # the "3 days ahead" step was overtaken, never planned
    assert (await sweep_reminders(db, config(), at(due + timedelta(days=1), 20))).sent == 0
    late = await sweep_reminders(db, config(), at(due + timedelta(days=10)))  # overdue was D+7
    assert late.sent == 0 and late.expired == 4  # two households × two committee members
    assert ReminderStatus.EXPIRED.value in await by_status(db)


async def test_nobody_to_reach_is_recorded(db: Database) -> None:
    await visited_town(db, phone=None)
    due = START + timedelta(days=30)
    result = await sweep_reminders(db, config(), at(due - timedelta(days=3)))
    assert result.unreachable == 2 and result.sent == 0
    assert (await by_status(db)) == {
        ReminderStatus.UNREACHABLE.value: {"visit_soon"},
        ReminderStatus.PENDING.value: {"visit_day", "visit_overdue"},
    }


async def test_the_sweep_is_one_daily_job_at_the_configured_time(db: Database) -> None:
    settings = Settings(reminder_time=time(9, 30))
    scheduler = build_scheduler({}, daily_sweeps(db, settings))
    [job] = scheduler.get_jobs()
    fire = job.trigger.get_next_fire_time(None, datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
    assert fire == datetime(2026, 3, 3, 9, 30, tzinfo=SHANGHAI)
    assert job.id == "reminders"


def test_cli_runs_the_sweep_and_lists_it(invoke: Invoke, cli_url: str) -> None:
    invoke_all(
        invoke,
        ("village", "add", "幸福村"),
        ("staff", "add", "李主任", "--role", "committee", "-v", "幸福村", "--phone", "13900000001"),
        ("staff", "add", "张帮扶", "--role", "helper", "-v", "幸福村", "--phone", "13800000001"),
    )

    async def seed() -> None:
        database = Database(cli_url)
        try:
            async with database.transaction() as s:
                village = await s.scalar(select(Village).where(Village.name == "幸福村"))
                assert village is not None
                await add_household(s, village, "H001", "张三丰")
        finally:
            await database.dispose()

    asyncio.run(seed())
    today = datetime.now(SHANGHAI).date().isoformat()
    invoke_all(
        invoke,
        ("helpers", "assign", "H001", "-v", "幸福村", "--by", "李主任", "--helper", "张帮扶"),
    )
    ran = invoke("reminders", "run", "--date", today)
    assert ran.exit_code == 0, ran.output
    assert (
        "发出 0 条提醒" not in ran.output
    )  # assigned today: due today (and maybe Monday's summary)
    again = invoke("reminders", "run", "--date", today)
    assert "发出 0 条提醒" in again.output
    listed = invoke("reminders", "list", "--date", today)
    assert listed.exit_code == 0 and "走访当天" in listed.output and "已发" in listed.output
    bad = invoke("reminders", "run", "--date", "明天")
    assert bad.exit_code != 0 and "明天" in bad.output


@pytest.mark.parametrize("status", ["sent", "pending"])
def test_cli_list_when_nothing(invoke: Invoke, status: str) -> None:
    listed = invoke("reminders", "list", "--date", "2026-01-01", "--status", status)
    assert listed.exit_code == 0 and "没有提醒" in listed.output


async def test_supporter_before_the_due_day_cleared_once_paid_and_the_council_on_the_5th(
    db: Database,
) -> None:
    town = await make_town(db, households=1)
    async with db.transaction() as session:
        village = await session.get(Village, town.village.id)
        assert village is not None
        council = await add_staff(
            session, village, "孙理事", "fund_council", phone="+8613700000001"
        )
        elder = Member(
            household_id=town.households[0].id or 0, name="李奶奶", birth_date=date(1950, 5, 1)
        )
        session.add(elder)
        await session.flush()
        son = await add_supporter(session, council, village, "李小军", "13800138000", "儿子")
        pledge = await sign_pledge(
            session,
            council,
            village,
            elder,
            son,
            20000,
            31,
            date(2026, 2, 1),
            now=at(date(2026, 1, 20)),
        )
    await sweep_reminders(db, config(), at(date(2026, 2, 25)))  # 28 February is the due day
    [soon] = await reminder_messages(db, "pledge_soon")
    assert soon.address == "+8613800138000"
    assert "为李奶奶的2026年02月孝心养老金200.00元（2026-02-28到期）" in soon.body
    async with db.transaction() as session:
        await record_contribution(
            session,
            council,
            pledge,
            date(2026, 2, 1),
            20000,
            date(2026, 2, 26),
            "微信",
            now=at(date(2026, 2, 26), 18),
        )
    paid = await sweep_reminders(db, config(), at(date(2026, 2, 28)))
    assert paid.cleared == 1 and await reminder_messages(db, "pledge_day") == []
    async with db.transaction() as session:
        director = await session.get(StaffMember, town.director.id)
        assert director is not None
        director.phone = "+8613900000002"
    await sweep_reminders(db, config(), at(date(2026, 3, 1)))  # last month's 收支公示
    [statement] = await reminder_messages(db, "fund_statement")
    assert statement.staff_id == town.director.id and "2026年2月" in statement.body
    assert "子女缴纳 200.00元" in statement.body
    await sweep_reminders(db, config(), at(date(2026, 3, 31)))  # March: not paid
    await sweep_reminders(db, config(), at(date(2026, 4, 5)))
    [arrears] = await reminder_messages(db, "fund_arrears")
    assert arrears.staff_id == council.id
    assert "共1笔未缴足，涉及1人，合计200.00元" in arrears.body
    assert "李小军（赡养李奶奶）2026年03月欠200.00元" in arrears.body
