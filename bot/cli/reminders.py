"""``xiangxin reminders …``: run the daily reminder sweep by hand, and see what it did."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import typer
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.cli.context import console, headed_table, run, say
from care.visits import parse_visit_date
from core.catalogue import text
from core.clock import SHANGHAI, local_today
from core.db import Database
from core.settings import get_settings
from migrations import upgrade_async
from notifications.jobs import sweep_reminders
from notifications.models import Reminder, ReminderStatus
from notifications.reminders import SweepResult

app = typer.Typer(no_args_is_help=True)

DATE_OPTION = typer.Option(None, "--date", "-d", help="按哪一天（默认今天），如 2026-10-05")


def _day(on: str | None) -> date:
    return parse_visit_date(on) if on else local_today()


@app.command(
    "run", help="立即执行当天的提醒扫描（服务每天在设定时间自动执行；重复执行不会重复发送）"
)
def run_sweep(on: str | None = DATE_OPTION) -> None:
    settings = get_settings()
    day = run(lambda _session: _parsed(on))
    moment = datetime.combine(day, settings.reminder_time, SHANGHAI)

    async def main() -> SweepResult:
        await upgrade_async(settings.database_url)
        database = Database(settings.database_url)
        try:
            return await sweep_reminders(database, settings, moment)
        finally:
            await database.dispose()

    result = asyncio.run(main())
    say(
        "reminders_swept",
        date=day.isoformat(),
        sent=result.sent,
        messages=result.messages,
        cleared=result.cleared,
        expired=result.expired,
        unreachable=result.unreachable,
    )


async def _parsed(on: str | None) -> date:
    return _day(on)  # inside run(), so that a bad date is answered in Chinese


@app.command("list", help="查看某天应发的提醒及其结果（已发、已撤销、过期、无法送达、待发）")
def list_reminders(
    on: str | None = DATE_OPTION,
    status: str | None = typer.Option(
        None, "--status", "-s", help="只看某种状态：pending/sent/cleared/expired/unreachable"
    ),
) -> None:
    async def work(session: AsyncSession) -> tuple[date, list[Reminder]]:
        day = _day(on)
        query = select(Reminder).where(Reminder.send_on == day)
        if status:
            query = query.where(Reminder.status == status)
        return day, list(
            await session.scalars(query.order_by(col(Reminder.rule), col(Reminder.id)))
        )

    day, rows = run(work)
    if not rows:
        say("reminders_none", date=day.isoformat())
        return
    table = headed_table(
        "reminders_col_rule",
        "reminders_col_key",
        "reminders_col_occurs",
        "reminders_col_status",
        title=text("reminders_title", date=day.isoformat()),
    )
    for row in rows:
        table.add_row(
            text(f"reminders_rule_{row.rule}"),
            row.key,
            row.occurs_on.isoformat(),
            text(f"reminders_status_{ReminderStatus(row.status).value}"),
        )
    console.print(table)
