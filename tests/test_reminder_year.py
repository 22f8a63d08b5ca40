"""A whole simulated year of reminders for one village: nothing missing, nothing twice.

50 households with 20 helpers, 30 pledges and both festival visits switched
on. Every simulated day the sweep runs at 09:00 Shanghai time; in the evening
helpers log visits and the fund council records contributions, some early,
some late, some partial, some never, from a seeded random plan. A reference
written here from the issue's rules, independently of the sweep, says which
reminders must have gone out; the test compares the two sets exactly.

Along the way the service "restarts" (a new Database on the same URL) in
July, the sweep runs twice on some days, crashes half-way on one (the
transaction rolls back and the re-run sends each reminder once), and on
PostgreSQL two sweeps race on the same day.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from care.festivals import Festival, festival_date, stored_festivals
from care.models import HelperAssignment
from care.visits import assign_helper, log_visit
from core.clock import SHANGHAI
from core.db import Database
from core.settings import Settings
from fund.models import Pledge, PledgeFrequency
from fund.pledge_schedule import period_amount, periods_due_between
from fund.pledges import add_supporter, record_contribution, sign_pledge
from notifications.jobs import sweep_reminders
from notifications.models import OutboxMessage, Reminder, ReminderStatus
from notifications.outbox import tell_many as real_tell_many
from tests.factories import make_town
from village.models import Household, Member, StaffMember, Village
from village.registry import add_staff

YEAR = 2026
FIRST, LAST = date(YEAR, 1, 1), date(YEAR, 12, 31)
BEFORE, OVERDUE, WINDOW, ARREARS_DAY = 3, 7, 15, 5


def settings() -> Settings:
    return Settings(
        visit_interval_days=30,
        visit_remind_days_before=BEFORE,
        visit_overdue_report_days=OVERDUE,
        festival_visit_window_days=WINDOW,
        pledge_remind_days_before=BEFORE,
        fund_arrears_day=ARREARS_DAY,
        reminder_grace_days=2,
        quiet_start=time(0),
        quiet_end=time(0),
    )


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


@dataclass
class World:
    """What the village did, as the reference model sees it."""

    village_id: int
    committee: list[int]
    council: list[int]
    helper_of: dict[int, int]
    every: dict[int, int]
    pledges: list[Pledge]
    visits: dict[int, list[date]] = field(default_factory=lambda: defaultdict(list))
    paid: dict[tuple[int, date], list[tuple[date, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def due_on(self, household: int, before: date) -> date:
        """The household's due date as known the morning of ``before``."""
        done = [d for d in self.visits[household] if d < before]
        return done[-1] + timedelta(days=self.every[household]) if done else FIRST

    def last_visit(self, household: int, before: date) -> date | None:
        done = [d for d in self.visits[household] if d < before]
        return done[-1] if done else None

    def paid_by(self, pledge: Pledge, period: date, before: date) -> int:
        return sum(amount for day, amount in self.paid[(pledge.id or 0, period)] if day < before)


def expected_on(world: World, today: date) -> set[str]:
    """The reminders that must go out on ``today`` (the sweep runs before the day's work)."""
    keys: set[str] = set()
    for household, helper in world.helper_of.items():
        due = world.due_on(household, today)
        occasion = f"h{household}:{due}"
        known_since = world.last_visit(household, today) or FIRST
        if today == due - timedelta(days=BEFORE) and known_since < today:
            keys.add(f"visit_soon:s{helper}:{occasion}")
        if today == due:
            keys.add(f"visit_day:s{helper}:{occasion}")
        if today == due + timedelta(days=OVERDUE):
            keys |= {f"visit_overdue:s{c}:{occasion}" for c in world.committee}
        for festival in Festival:
            day = festival_date(festival, YEAR)
            last = world.last_visit(household, today)
            if last is not None and last >= day - timedelta(days=WINDOW):
                continue
            occasion = f"h{household}:{festival.value}:{day}"
            if today == day - timedelta(days=BEFORE):
                keys.add(f"festival_soon:s{helper}:{occasion}")
            if today == day:
                keys.add(f"festival_day:s{helper}:{occasion}")
            if today == day + timedelta(days=OVERDUE):
                keys |= {f"festival_overdue:s{c}:{occasion}" for c in world.committee}
    if today.weekday() == 0:
        keys |= {f"visit_week:s{c}:w{today}" for c in world.committee}
    arrears = False
    for pledge in world.pledges:
        for period, due in periods_due_between(pledge, FIRST, LAST + timedelta(days=BEFORE)):
            unpaid = world.paid_by(pledge, period, today) < period_amount(pledge)
            occasion = f"g{pledge.id}:{period}"
            if unpaid and today == due - timedelta(days=BEFORE):
                keys.add(f"pledge_soon:p{pledge.supporter_id}:{occasion}")
            if unpaid and today == due:
                keys.add(f"pledge_day:p{pledge.supporter_id}:{occasion}")
            arrears |= unpaid and due < today
    if today.day == ARREARS_DAY and arrears:
        keys |= {f"fund_arrears:s{c}:m{today:%Y-%m}" for c in world.council}
    money_in = any(day < today for paid in world.paid.values() for day, _ in paid)
    if today.day == 1 and money_in:
        last_month = (today - timedelta(days=1)).replace(day=1)
        keys |= {f"fund_statement:s{c}:s{last_month:%Y-%m}" for c in world.committee}
    return keys


async def build(db: Database, rng: random.Random) -> World:
    town = await make_town(db, households=50)
    assert town.village.id is not None
    async with db.transaction() as session:
        village = await session.get(Village, town.village.id)
        assert village is not None
        village.festival_visits = stored_festivals(list(Festival))
        for person in (town.secretary, town.director):
            staff = await session.get(StaffMember, person.id)
            assert staff is not None
            staff.phone = f"+861390000000{staff.id}"
        helpers = [
            await add_staff(session, village, f"帮扶{i}", "helper", phone=f"+8613800{i:06d}")
            for i in range(20)
        ]
        council = await add_staff(
            session, village, "理事长", "fund_council", phone="+8613700000001"
        )
        director = await session.get(StaffMember, town.director.id)
        assert director is not None
        helper_of: dict[int, int] = {}
        for index, household in enumerate(town.households):
            helper = helpers[index % 20]
            await assign_helper(session, director, village, helper, [household], now=at(FIRST, 8))
            helper_of[household.id or 0] = helper.id or 0
        every = {h: 30 for h in helper_of}
        for household_id in list(helper_of)[:10]:  # some households are visited more often
            every[household_id] = 14
            assignment = await session.scalar(
                select(HelperAssignment).where(HelperAssignment.household_id == household_id)
            )
            assert assignment is not None
            assignment.every_days = 14
        pledges = []
        for index in range(30):
            household = town.households[index % 50]
            elder = Member(
                household_id=household.id or 0, name=f"老人{index}", birth_date=date(1950, 1, 1)
            )
            session.add(elder)
            await session.flush()
            supporter = await add_supporter(
                session, council, village, f"子女{index}", f"+8613600{index:06d}", "儿子"
            )
            pledge = await sign_pledge(
                session,
                council,
                village,
                elder,
                supporter,
                monthly_fen=10000 + 1000 * (index % 5),
                due_day=[1, 10, 15, 28, 29, 30, 31][index % 7],
                start_month=date(YEAR, 2 + index % 3, 1),
                frequency=PledgeFrequency.QUARTERLY if index % 6 == 0 else PledgeFrequency.MONTHLY,
                now=at(FIRST, 8),
            )
            pledges.append(pledge)
        await session.flush()
        committee = sorted([town.secretary.id or 0, town.director.id or 0])
    return World(town.village.id, committee, [council.id or 0], helper_of, every, pledges)


@dataclass
class Plan:
    """The seeded script of who visits and who pays when."""

    rng: random.Random
    visit_on: dict[int, date] = field(default_factory=dict)
    pay: dict[date, list[tuple[Pledge, date, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def schedule_visit(self, household: int, due: date) -> None:
        offset = self.rng.choice([-5, -2, -1, 0, 0, 1, 3, 8, 12, 20])
        self.visit_on[household] = max(due + timedelta(days=offset), FIRST)

    def schedule_payments(self, pledges: list[Pledge]) -> None:
        for pledge in pledges:
            for period, due in periods_due_between(pledge, FIRST, LAST):
                amount = period_amount(pledge)
                kind = self.rng.random()
                if kind < 0.1:
                    continue  # never paid: arrears
                if kind < 0.2:
                    self.pay[due - timedelta(days=1)].append((pledge, period, amount // 2))
                    self.pay[due + timedelta(days=4)].append((pledge, period, amount - amount // 2))
                else:
                    day = due + timedelta(days=self.rng.choice([-6, -4, -3, -1, 0, 2, 9]))
                    self.pay[day].append((pledge, period, amount))


async def evening(db: Database, world: World, plan: Plan, today: date) -> None:
    """The day's visits and contributions, recorded at 18:00."""
    moment = at(today, 18)
    async with db.transaction() as session:
        for household, day in sorted(plan.visit_on.items()):
            if day != today:
                continue
            helper = await session.get(StaffMember, world.helper_of[household])
            home = await session.get(Household, household)
            assert helper is not None and home is not None
            await log_visit(session, helper, home, today, "入户", now=moment)
            world.visits[household].append(today)
            plan.schedule_visit(household, today + timedelta(days=world.every[household]))
        council = await session.get(StaffMember, world.council[0])
        assert council is not None
        for pledge, period, amount in plan.pay.get(today, []):
            await record_contribution(
                session, council, pledge, period, amount, today, "转账", now=moment
            )
            world.paid[(pledge.id or 0, period)].append((today, amount))


async def sent_keys(db: Database) -> list[str]:
    async with db.session() as session:
        return list(
            await session.scalars(
                select(Reminder.key).where(Reminder.status == ReminderStatus.SENT.value)
            )
        )


class Crash(RuntimeError):
    pass


async def crashing_sweep(
    database: Database, config: Settings, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep that dies after queueing its messages, before marking them sent."""

    async def queue_then_crash(*args: Any, **kwargs: Any) -> set[str]:
        await real_tell_many(*args, **kwargs)
        raise Crash("power cut")

    monkeypatch.setattr("notifications.reminders.tell_many", queue_then_crash)
    try:
        with pytest.raises(Crash):
            await sweep_reminders(database, config, now)
    finally:
        monkeypatch.setattr("notifications.reminders.tell_many", real_tell_many)


async def test_a_year_of_reminders(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(20260101)
    world = await build(db, rng)
    plan = Plan(rng)
    for household in world.helper_of:
        plan.schedule_visit(household, FIRST)
    plan.schedule_payments(world.pledges)
    config = settings()
    database = Database(db.url)
    expected: set[str] = set()
    day = FIRST
    crashed = False
    try:
        while day <= LAST:
            expected |= expected_on(world, day)
            morning = at(day, 9)
            if day == date(YEAR, 7, 1):  # the service restarts: a new process, the same database
                await database.dispose()
                database = Database(db.url)
            if not crashed and day >= date(YEAR, 3, 10) and day.weekday() == 0:
                await crashing_sweep(database, config, morning, monkeypatch)
                crashed = True
            if db.dialect == "postgresql" and day.day == 15:
                other = Database(db.url)
                try:
                    await asyncio.gather(
                        sweep_reminders(database, config, morning),
                        sweep_reminders(other, config, morning),
                    )
                finally:
                    await other.dispose()
            else:
                await sweep_reminders(database, config, morning)
            if day.day % 10 == 0:
                await sweep_reminders(database, config, morning + timedelta(hours=2))
            await evening(database, world, plan, day)
            day += timedelta(days=1)
        sent = await sent_keys(database)
        assert len(sent) == len(set(sent))
        assert crashed
        missing, extra = expected - set(sent), set(sent) - expected
        assert not missing and not extra, (sorted(missing)[:10], sorted(extra)[:10])
        rules = {key.split(":")[0] for key in sent}
        assert rules == {
            "visit_soon",
            "visit_day",
            "visit_overdue",
            "festival_soon",
            "festival_day",
            "festival_overdue",
            "visit_week",
            "pledge_soon",
            "pledge_day",
            "fund_arrears",
            "fund_statement",
        }
        async with database.session() as session:
            statuses = dict(
                (
                    await session.execute(
                        select(Reminder.status, func.count()).group_by(col(Reminder.status))
                    )
                ).all()
            )
            # each message went into the outbox once, and every sent reminder names one
            message_keys = set(
                await session.scalars(
                    select(Reminder.message_key).where(Reminder.status == ReminderStatus.SENT.value)
                )
            )
            queued = list(
                await session.scalars(
                    select(OutboxMessage.idempotency_key).where(
                        col(OutboxMessage.idempotency_key).like("reminder:%")
                    )
                )
            )
            late = await session.scalar(
                select(func.count())
                .select_from(Reminder)
                .where(Reminder.status == ReminderStatus.PENDING.value)
                .where(col(Reminder.send_on) <= LAST)
            )
        assert sorted(queued) == sorted(message_keys)
        assert (
            statuses.get(ReminderStatus.CLEARED.value, 0) > 50
        )  # visits and payments overtook them
        assert ReminderStatus.EXPIRED.value not in statuses  # the sweep never missed a day
        assert late == 0
    finally:
        await database.dispose()
