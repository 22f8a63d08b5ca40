"""``xiangxin followups …``: the committee's follow-ups (待办) and the households' 求助."""

from __future__ import annotations

from datetime import timedelta

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.context import (
    BY_OPTION,
    VILLAGE_OPTION,
    actor_in,
    console,
    headed_table,
    run,
    say,
)
from care.follow_ups import OpenFollowUp, close_follow_up, item_text, open_follow_ups
from care.hardship import ReportedHardship, kind_text, recent_reports
from core.catalogue import text
from core.clock import local_text, utcnow
from village.models import Household, Village
from village.registry import get_village

app = typer.Typer(no_args_is_help=True)


@app.command("list", help="列出未处理的待办事项（走访发现的问题、农户求助），最早的在前")
def list_command(village_ref: str = VILLAGE_OPTION) -> None:
    async def work(session: AsyncSession) -> tuple[Village, list[OpenFollowUp]]:
        village = await get_village(session, village_ref)
        return village, await open_follow_ups(session, village)

    village, items = run(work)
    if not items:
        say("care_followups_empty", village=village.name)
        return
    table = headed_table(
        "care_followups_col_id",
        "care_followups_col_opened",
        "care_followups_col_household",
        "care_followups_col_source",
        "care_followups_col_item",
        "care_followups_col_note",
        title=text("care_followups_title", village=village.name, count=len(items)),
    )
    for entry in items:
        follow_up = entry.follow_up
        table.add_row(
            str(follow_up.id),
            local_text(follow_up.opened_at),
            text(
                "bot_household_button",
                name=entry.household.head_name,
                number=entry.household.number,
            ),
            entry.source,
            entry.about,
            follow_up.note or "—",
        )
    console.print(table)


@app.command("close", help="登记待办事项的处理结果（处理后不再列出）；村两委操作")
def close_command(
    follow_up_id: int = typer.Argument(..., help="待办编号（followups list 第一列）"),
    resolution: str = typer.Option(..., "--resolution", "-r", help="处理结果，如：已申请临时救助"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> dict[str, object]:
        _, actor = await actor_in(session, village_ref, by)
        follow_up = await close_follow_up(session, actor, follow_up_id, resolution)
        household = await session.get_one(Household, follow_up.household_id)
        return {
            "id": follow_up.id,
            "head": household.head_name,
            "number": household.number,
            "item": item_text(follow_up.item),
            "resolution": follow_up.resolution,
            "actor": actor.name,
        }

    say("care_followups_closed", **run(work))


@app.command("hardship", help="列出农户最近的求助（短信或 Telegram 发“求助”或 QZ），最新的在前")
def hardship_command(
    village_ref: str = VILLAGE_OPTION,
    days: int = typer.Option(30, "--days", "-d", min=1, help="最近多少天（默认 30）"),
) -> None:
    async def work(session: AsyncSession) -> tuple[Village, list[ReportedHardship]]:
        village = await get_village(session, village_ref)
        since = utcnow() - timedelta(days=days)
        return village, await recent_reports(session, village, since)

    village, reports = run(work)
    if not reports:
        say("care_hardship_none", village=village.name, days=days)
        return
    table = headed_table(
        "care_followups_col_time",
        "care_followups_col_household",
        "care_followups_col_kind",
        "care_followups_col_words",
        "care_followups_col_channel",
        title=text("care_hardship_title", village=village.name, days=days, count=len(reports)),
    )
    for entry in reports:
        report = entry.report
        table.add_row(
            local_text(report.reported_at),
            text(
                "bot_household_button",
                name=entry.household.head_name,
                number=entry.household.number,
            ),
            kind_text(report.kind),
            report.text or "—",
            report.channel or "—",
        )
    console.print(table)
