"""``xiangxin broadcast …``: policy notices from the committee's terminal.

``send`` fires the notice and watches it go out with a live bar. It also runs
the channels' senders in this process, so a broadcast goes out even when the
service is not running; when the service (or another worker) already holds a
channel, this process only watches.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import datetime

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.context import (
    BY_OPTION,
    VILLAGE_OPTION,
    actor_in,
    console,
    fail,
    headed_table,
    run,
    say,
)
from bot.household import answer_sms
from core.catalogue import text
from core.clock import SHANGHAI, local_text, utcnow
from core.db import Database
from core.errors import DomainError
from core.settings import get_settings
from migrations import upgrade_async
from notifications.engine import Outreach
from notifications.models import FINISHED, MessageStatus, Notice
from notifications.quiet import QuietHours
from outreach import notices as broadcast
from outreach.audience import Audience
from village.models import HouseholdType
from village.registry import find_staff, get_village
from village.roster import HOUSEHOLD_TYPES

app = typer.Typer(no_args_is_help=True)

NEXT_FIRES_SHOWN = 3
STALL_SECONDS = 60  # no message settled for this long: stop watching, the outbox keeps them


def _local_time(value: str) -> datetime:
    for layout in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        with contextlib.suppress(ValueError):
            return datetime.strptime(value.strip(), layout).replace(tzinfo=SHANGHAI)
    raise fail(text("notice_bad_time", value=value))


def _types(values: list[str]) -> tuple[HouseholdType, ...]:
    found = []
    for value in values:
        kind = HOUSEHOLD_TYPES.get(value.strip())
        if kind is None:
            raise fail(text("audience_bad_type", value=value))
        found.append(kind)
    return tuple(found)


def _schedule_text(notice: Notice) -> str:
    if notice.cron:
        return text(
            "broadcast_schedule_cron", cron=notice.cron, next=local_text(notice.next_run_at)
        )
    if notice.next_run_at:
        return text("broadcast_schedule_at", at=local_text(notice.next_run_at))
    return text(f"broadcast_status_{notice.status}")


@app.command("create", help="写一条政策通知：标题、正文、发送对象和发送时间")
def create(
    title: str = typer.Option(..., "--title", "-t", help="标题，如 医保缴费提醒"),
    body: str = typer.Option(..., "--body", help="正文（中文，最多500字）"),
    household_type: list[str] = typer.Option(
        [], "--type", help="户类型：脱贫户、监测户、一般户（可重复）"
    ),
    elder: bool = typer.Option(False, "--elder", help="只发给有60岁以上老人的户"),
    school_child: bool = typer.Option(False, "--school-child", help="只发给有6–15岁学生的户"),
    chronic: bool = typer.Option(False, "--chronic", help="只发给有慢性病患者的户"),
    households: str = typer.Option("", "--households", help="指定户编号，逗号分隔"),
    at: str | None = typer.Option(None, "--at", help="定时发送（北京时间），如 2026-09-01 09:00"),
    cron: str | None = typer.Option(
        None, "--cron", help="周期发送（分 时 日 月 星期），如 '0 9 1 9 *' 每年9月1日9点"
    ),
    all_villages: bool = typer.Option(False, "--all-villages", help="发给全县所有村（县级管理员）"),
    village_ref: str | None = typer.Option(None, "--village", "-v", help="村名或村编号"),
    by: str = BY_OPTION,
    force: bool = typer.Option(
        False, "--force", help="确认周期发送比每天一次更频繁（默认拒绝，以免误发大量短信）"
    ),
) -> None:
    audience = Audience(
        household_types=_types(household_type),
        with_elder=elder,
        with_school_age_child=school_child,
        with_chronic_illness=chronic,
        households=tuple(n.strip() for n in households.split(",") if n.strip()),
    )
    when = _local_time(at) if at else None

    async def work(session: AsyncSession) -> tuple[Notice, dict[str, object]]:
        if all_villages or village_ref is None:
            village = None
            actor = await find_staff(session, by, None)
        else:
            village, actor = await actor_in(session, village_ref, by)
        notice = await broadcast.create_notice(
            session, actor, village, title, body, audience, at=when, cron=cron, force=force
        )
        return notice, {
            "id": notice.id,
            "audience": audience.describe(),
            "schedule": _schedule_text(notice),
        }

    notice, described = run(work)
    say("broadcast_created", **described)
    if notice.cron and notice.next_run_at is not None:
        say_next_fires(notice.cron, notice.next_run_at)


def say_next_fires(cron: str, first: datetime) -> None:
    """The next firings in Beijing time, so the committee sees what the schedule means."""
    fires = [first, *broadcast.next_fires(cron, first, NEXT_FIRES_SHOWN - 1)]
    say("broadcast_next_fires", count=len(fires))
    for moment in fires:
        console.print(f"  {local_text(moment)}")


@app.command("preview", help="发送前预览：各渠道人数、短信条数和费用")
def preview(notice_id: int = typer.Argument(..., help="通知编号"), by: str = BY_OPTION) -> None:
    settings = get_settings()

    async def work(session: AsyncSession) -> broadcast.Preview:
        actor = await find_staff(session, by, None)
        notice = await broadcast.get_notice(session, notice_id, actor)
        return await broadcast.preview(session, notice, settings.sms_price_yuan)

    console.print(run(work).describe(settings.sms_price_yuan))


@app.command("list", help="本村的通知和发送时间")
def list_notices(village_ref: str = VILLAGE_OPTION) -> None:
    async def work(session: AsyncSession) -> list[Notice]:
        return await broadcast.list_notices(session, await get_village(session, village_ref))

    table = headed_table("col_id", "col_title", "col_audience", "col_schedule")
    for notice in run(work):
        audience = broadcast.audience_of(notice).describe()
        table.add_row(str(notice.id), notice.title, audience, _schedule_text(notice))
    console.print(table)


@app.command("show", help="一条通知每次发送的进度（排队、已发送、已送达、失败）")
def show(notice_id: int = typer.Argument(..., help="通知编号"), by: str = BY_OPTION) -> None:
    async def work(session: AsyncSession) -> list[tuple[str, dict[str, int]]]:
        actor = await find_staff(session, by, None)
        notice = await broadcast.get_notice(session, notice_id, actor)
        rows = []
        for occurrence in await broadcast.occurrences_of(session, notice):
            counts = await broadcast.progress(session, [occurrence.id or 0])
            rows.append((local_text(occurrence.occurs_at), counts))
        return rows

    table = headed_table("col_time", *(f"status_{s.value}" for s in MessageStatus))
    for when, counts in run(work):
        table.add_row(when, *(str(counts[s.value]) for s in MessageStatus))
    console.print(table)


@app.command("cancel", help="撤销一条通知：不再发送，未发出的消息作废")
def cancel(notice_id: int = typer.Argument(..., help="通知编号"), by: str = BY_OPTION) -> None:
    async def work(session: AsyncSession) -> int:
        actor = await find_staff(session, by, None)
        return await broadcast.cancel_notice(
            session, await broadcast.get_notice(session, notice_id, actor), actor
        )

    say("broadcast_cancelled", id=notice_id, count=run(work))


@app.command("send", help="立即发送一条通知，并显示发送进度")
def send(
    notice_id: int = typer.Argument(..., help="通知编号"),
    by: str = BY_OPTION,
    wait: bool = typer.Option(True, "--wait/--no-wait", help="等待发送完毕并显示进度"),
) -> None:
    try:
        asyncio.run(_send(notice_id, by, wait))
    except DomainError as error:
        raise fail(error.message) from None
    except KeyboardInterrupt:
        say("broadcast_left_running")


async def _send(notice_id: int, by: str, wait: bool) -> None:
    settings = get_settings()
    await upgrade_async(settings.database_url)
    database = Database(settings.database_url)
    try:
        async with database.transaction() as session:
            actor = await find_staff(session, by, None)
            notice = await broadcast.get_notice(session, notice_id, actor)
            occurrence = await broadcast.send_now(session, notice)
        say("broadcast_fired", id=notice_id, count=occurrence.recipients)
        if wait and occurrence.recipients:
            await _watch(database, occurrence.id or 0, occurrence.recipients)
    finally:
        await database.dispose()


async def _watch(database: Database, occurrence_id: int, total: int) -> None:
    settings = get_settings()
    quiet = QuietHours(settings.quiet_start, settings.quiet_end)
    stop = asyncio.Event()
    engine = asyncio.create_task(Outreach(database, settings, conversation=answer_sms).run(stop))
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console) as bar:
            task = bar.add_task(text("broadcast_sending"), total=total, counts="")
            last_done, last_change = -1, time.monotonic()
            while True:
                async with database.session() as session:
                    counts = await broadcast.progress(session, [occurrence_id])
                    held = await broadcast.held_for_quiet_hours(session, occurrence_id)
                done = sum(counts[s.value] for s in FINISHED)
                bar.update(
                    task,
                    completed=done,
                    counts=text("broadcast_counts", **counts),
                )
                if done >= total:
                    break
                if quiet.active(utcnow()) and done + held >= total:
                    say(
                        "broadcast_held_quiet", count=held, end=settings.quiet_end.strftime("%H:%M")
                    )
                    break
                if done != last_done:
                    last_done, last_change = done, time.monotonic()
                elif time.monotonic() - last_change > STALL_SECONDS:
                    say("broadcast_stalled", seconds=STALL_SECONDS)
                    break
                await asyncio.sleep(0.5)
    finally:
        stop.set()
        await asyncio.wait_for(engine, 60)
