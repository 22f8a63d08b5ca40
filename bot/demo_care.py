"""The demo's care steps: home visits and 求助, the 孝善基金, and ten days of reminders.

Kept apart from :mod:`bot.demo` (the points and outreach steps) so each stays
readable; these run on the same demo village, database and clock.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from bot.household import answer_sms
from care.checklist import checks_from_problems
from care.follow_ups import open_follow_ups
from care.visits import assign_helper, log_visit
from core.clock import SHANGHAI, local_today
from core.settings import Settings
from fund.ledger import record_donation
from fund.messages import thank_supporter
from fund.models import Pledge
from fund.pledge_schedule import month_start
from fund.pledges import (
    add_supporter,
    list_elders,
    record_contribution,
    sign_pledge,
)
from fund.report import monthly_statement, statement_text
from fund.rule import set_fund_rule
from notifications.inbound import receive_sms
from notifications.jobs import sweep_reminders
from notifications.models import OutboxMessage, Reminder, ReminderStatus
from village.masking import mask_phone
from village.registry import add_staff, find_household

if TYPE_CHECKING:
    from bot.demo import Demo

HELPER = "刘干部"
COUNCIL = "孙理事"
PHONES = {"周主任": "+8613912340001", HELPER: "+8613912340002", COUNCIL: "+8613912340003"}


async def visits_and_help(demo: Demo) -> None:
    """A helper with three households, a visit that finds a problem, and a 求助 by SMS."""
    demo.step("demo_step_visits")

    async def assign(session: Any) -> list[str]:
        village, staff = await demo.village_and_staff(session)
        for name, phone in PHONES.items():
            person = staff.get(name) or await add_staff(
                session, village, name, "helper" if name == HELPER else "fund_council"
            )
            person.phone = phone
        staff = (await demo.village_and_staff(session))[1]
        homes = [await find_household(session, n, village.id) for n in ("XF002", "XF003", "XF005")]
        await assign_helper(session, staff["周主任"], village, staff[HELPER], homes, now=demo.now)
        return [h.head_name for h in homes]

    demo.say("demo_visits_assigned", helper=HELPER, heads="、".join(await demo.act(assign)))

    async def visit(session: Any) -> str:
        village, staff = await demo.village_and_staff(session)
        home = await find_household(session, "XF003", village.id)
        checks = checks_from_problems(["住房安全:东屋屋顶漏雨"])
        await log_visit(
            session,
            staff[HELPER],
            home,
            local_today(demo.now),
            "入户",
            "老人身体尚可",
            demo.now,
            checks,
        )
        return home.head_name

    demo.say("demo_visits_logged", helper=HELPER, head=await demo.act(visit))

    async def household_phone(session: Any) -> str:
        village, _ = await demo.village_and_staff(session)
        return (await find_household(session, "XF005", village.id)).phone or ""

    phone = await demo.act(household_phone)
    demo.say("demo_sms_said", phone=mask_phone(phone), text="QZ 老伴因病住院，缺钱")
    reply = await demo.act(partial(texted, phone, "QZ 老伴因病住院，缺钱", demo.now))
    demo.out.print(reply, style="cyan")

    async def open_items(session: Any) -> list[str]:
        village, _ = await demo.village_and_staff(session)
        items = await open_follow_ups(session, village)
        alerts = await session.scalars(
            select(OutboxMessage.address).where(
                col(OutboxMessage.idempotency_key).like("hardship:%")
            )
        )
        demo.say("demo_hardship_alerted", count=len(list(alerts)))
        return [f"{i.household.head_name}：{i.about}（{i.follow_up.note}）" for i in items]

    for line in await demo.act(open_items):
        demo.say("demo_follow_up", line=line)


async def filial_fund(demo: Demo) -> Pledge:
    """Matching rule, a donation, a pledge for an elder, a contribution with its subsidy."""
    demo.step("demo_step_fund")
    today = local_today(demo.now)

    async def set_up(session: Any) -> dict[str, Any]:
        village, staff = await demo.village_and_staff(session)
        council = staff[COUNCIL]
        await set_fund_rule(
            session, council, village, month_start(today), Decimal("0.10"), 5000, demo.now
        )
        await record_donation(
            session, council, village, "乡贤王先生", 200000, today, "转账", now=demo.now
        )
        elder = next(
            e for e in await list_elders(session, village, today) if e.household.number == "XF002"
        )
        supporter = await add_supporter(session, council, village, "李小军", "13800138000", "儿子")
        due = today + timedelta(days=3)
        pledge = await sign_pledge(
            session,
            council,
            village,
            elder.member,
            supporter,
            20000,
            due.day,
            month_start(due),
            now=demo.now,
        )
        return {
            "elder": elder.member.name,
            "age": elder.age,
            "supporter": supporter.name,
            "pledge": pledge,
            "due": due,
        }

    made = await demo.act(set_up)
    pledge: Pledge = made.pop("pledge")
    demo.say("demo_fund_pledge", **made)
    return pledge


async def reminder_days(demo: Demo, pledge: Pledge) -> None:
    """Ten days of the daily sweep: what went to whom, and what was cleared because it was done."""
    demo.step("demo_step_reminders")
    settings = Settings(database_url=demo.db.url)
    start = local_today(demo.now)
    for offset in range(10):
        day = start + timedelta(days=offset)
        morning = datetime.combine(day, time(9), SHANGHAI)
        demo.now = morning
        before = await _reminder_messages(demo)
        result = await sweep_reminders(demo.db, settings, morning)
        new = (await _reminder_messages(demo))[len(before) :]
        demo.say(
            "demo_reminders_day", date=day.isoformat(), sent=result.messages, cleared=result.cleared
        )
        for message in new:
            demo.out.print(
                f"  → {mask_phone(message.address)}：{message.body}", style="cyan", soft_wrap=True
            )
        if offset == 1:
            await _pay(demo, pledge)
    demo.say("demo_reminders_total", **await _totals(demo))


async def _pay(demo: Demo, pledge: Pledge) -> None:
    """The son pays in the evening of the second day: his due-day reminder will be cleared."""
    evening = demo.now.replace(hour=19)

    async def pay(session: Any) -> str:
        village, staff = await demo.village_and_staff(session)
        done = await record_contribution(
            session,
            staff[COUNCIL],
            pledge,
            pledge.start_month,
            20000,
            local_today(evening),
            "微信",
            now=evening,
        )
        await thank_supporter(session, done.entry, evening)
        statement = await monthly_statement(
            session, staff[COUNCIL], village, local_today(evening), evening
        )
        return statement_text(statement)

    demo.say("demo_fund_paid")
    demo.out.print(await demo.act(pay), style="cyan")


async def _reminder_messages(demo: Demo) -> list[OutboxMessage]:
    async with demo.db.session() as session:
        return list(
            await session.scalars(
                select(OutboxMessage)
                .where(col(OutboxMessage.idempotency_key).like("reminder:%"))
                .order_by(col(OutboxMessage.id))
            )
        )


async def _totals(demo: Demo) -> dict[str, int]:
    async with demo.db.session() as session:
        rows = list(await session.scalars(select(Reminder.status)))
    return {
        "sent": rows.count(ReminderStatus.SENT.value),
        "cleared": rows.count(ReminderStatus.CLEARED.value),
        "pending": rows.count(ReminderStatus.PENDING.value),
    }


async def texted(phone: str, body: str, now: datetime, session: Any) -> str:
    """What the village's number answers an SMS from ``phone``."""
    return await receive_sms(session, phone, body, now=now, conversation=answer_sms)
