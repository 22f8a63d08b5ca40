"""``xiangxin commend …``: the yearly commendation (年度表彰)."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.context import BY_OPTION, VILLAGE_OPTION, actor_in, console, headed_table, run, say
from core.catalogue import text
from core.clock import local_date_text
from points import commendation
from village.models import StaffMember, Village
from village.registry import get_village

app = typer.Typer(no_args_is_help=True)


YEAR_OPTION = typer.Option(..., "--year", "-y", min=2000, max=9999, help="表彰年度，如 2026")


def _honour_table(winners: list[commendation.Honoured]) -> Table:
    table = headed_table(
        "commendation_col_rank",
        "commendation_col_number",
        "commendation_col_head",
        "commendation_col_stars",
        "commendation_col_bonus",
    )
    for w in winners:
        table.add_row(str(w.rank), w.number, w.head_name, str(w.stars), f"+{w.bonus}")
    return table


@app.command("preview", help="预览某年度的星级排名和将获表彰的农户（不写入任何记录）")
def preview(year: int = YEAR_OPTION, village_ref: str = VILLAGE_OPTION) -> None:
    async def work(session: AsyncSession) -> commendation.Plan:
        village = await get_village(session, village_ref)
        return await commendation.preview(session, village, year)

    plan = run(work)
    if not plan.ranking:
        say("commendation_preview_empty", village=plan.village.name, year=year)
        return
    say(
        "commendation_preview_head",
        village=plan.village.name,
        year=year,
        title=plan.title,
        top_n=plan.top_n,
        bonus=plan.bonus,
    )
    table = headed_table(
        "commendation_col_rank",
        "commendation_col_number",
        "commendation_col_head",
        "commendation_col_stars",
        "commendation_col_winner",
    )
    for r in plan.ranking:
        mark = text("commendation_yes" if r.winner else "commendation_no")
        table.add_row(str(r.rank), r.number, r.head_name, str(r.stars), mark)
    console.print(table)
    say("commendation_preview_count", count=len(plan.winners))


@app.command("run", help="执行年度表彰：授予称号并发放奖励积分（每村每年只能执行一次）")
def run_command(
    year: int = YEAR_OPTION,
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[Village, commendation.Outcome]:
        village, actor = await actor_in(session, village_ref, by)
        return village, await commendation.run_commendation(session, village, year, actor)

    village, outcome = run(work)
    say(
        "commendation_done",
        village=village.name,
        year=year,
        count=len(outcome.winners),
        title=outcome.commendation.title,
        bonus=outcome.commendation.bonus_points,
    )
    console.print(_honour_table(outcome.winners))


@app.command("show", help="查看某年度已完成的表彰名单")
def show(year: int = YEAR_OPTION, village_ref: str = VILLAGE_OPTION) -> None:
    async def work(session: AsyncSession) -> tuple[Village, commendation.Outcome, str]:
        village = await get_village(session, village_ref)
        outcome = await commendation.show_commendation(session, village, year)
        actor = await session.get(StaffMember, outcome.commendation.actor_id)
        return village, outcome, actor.name if actor else "—"

    village, outcome, actor_name = run(work)
    say(
        "commendation_show_head",
        village=village.name,
        year=year,
        date=local_date_text(outcome.commendation.created_at),
        actor=actor_name,
        title=outcome.commendation.title,
        bonus=outcome.commendation.bonus_points,
    )
    console.print(_honour_table(outcome.winners))
