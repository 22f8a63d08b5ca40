"""``xiangxin helpers …``: assign households to helper cadres (帮扶责任人), list, log visits."""

from __future__ import annotations

from datetime import date

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
from core.catalogue import text
from village.models import StaffMember, Visit
from village.registry import find_household, find_staff, get_village
from village.visits import (
    VisitState,
    VisitStatus,
    assign_helper,
    interval_days,
    local_today,
    log_visit,
    method_text,
    my_households,
    next_due,
    parse_visit_date,
)

app = typer.Typer(no_args_is_help=True)

HELPER_OPTION = typer.Option(..., "--helper", help="帮扶责任人（姓名或编号）")


@app.command("assign", help="把农户分配给帮扶责任人（原有责任人的农户改由其负责）；村两委操作")
def assign(
    numbers: list[str] = typer.Argument(..., help="户编号，可写多个"),
    helper_ref: str = HELPER_OPTION,
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[StaffMember, int]:
        village, actor = await actor_in(session, village_ref, by)
        helper = await find_staff(session, helper_ref, village.id)
        households = [await find_household(session, n, village.id) for n in numbers]
        return helper, await assign_helper(session, actor, village, helper, households)

    helper, count = run(work)
    say("helpers_assigned", count=count, helper=helper.name)
    unchanged = len({n.strip() for n in numbers}) - count
    if unchanged > 0:
        say("helpers_already", count=unchanged, helper=helper.name)


def _last_visit(visit: Visit | None) -> str:
    if visit is None:
        return text("visit_never")
    return text(
        "visit_last_text", date=visit.visited_on.isoformat(), method=method_text(visit.method)
    )


def _state_style(status: VisitStatus, today: date) -> str:
    state = status.state(today)
    label = status.state_text(today)
    if state is VisitState.OVERDUE:
        return f"[bold red]{label}[/bold red]"
    if state is VisitState.THIS_WEEK:
        return f"[yellow]{label}[/yellow]"
    return label


@app.command("list", help="查看帮扶责任人负责的农户：上次走访、应访日期，逾期的排在前面")
def list_households(
    helper_ref: str = HELPER_OPTION,
    village_ref: str = VILLAGE_OPTION,
    on: str | None = typer.Option(
        None, "--date", "-d", help="按哪一天计算（默认今天），如 2026-03-01"
    ),
) -> None:
    async def work(session: AsyncSession) -> tuple[StaffMember, date, list[VisitStatus]]:
        village = await get_village(session, village_ref)
        helper = await find_staff(session, helper_ref, village.id)
        today = parse_visit_date(on) if on else local_today()
        return helper, today, await my_households(session, helper, today)

    helper, today, statuses = run(work)
    if not statuses:
        say("helpers_empty", helper=helper.name)
        return
    table = headed_table(
        "helpers_col_number",
        "helpers_col_head",
        "helpers_col_last",
        "helpers_col_due",
        "helpers_col_state",
        title=text(
            "helpers_title",
            helper=helper.name,
            date=today.isoformat(),
            days=interval_days(),
        ),
    )
    for status in statuses:
        table.add_row(
            status.household.number,
            status.household.head_name,
            _last_visit(status.last_visit),
            status.due_on.isoformat(),
            _state_style(status, today),
        )
    console.print(table)
    states = [s.state(today) for s in statuses]
    say(
        "helpers_summary",
        total=len(statuses),
        overdue=states.count(VisitState.OVERDUE),
        week=states.count(VisitState.THIS_WEEK),
    )


@app.command("visit", help="登记一次走访（帮扶责任人本人或村两委登记）")
def visit(
    number: str = typer.Argument(..., help="户编号"),
    on: str | None = typer.Option(None, "--date", "-d", help="走访日期（默认今天），如 2026-03-01"),
    method: str = typer.Option("入户", "--method", "-m", help="走访方式：入户 或 电话"),
    note: str = typer.Option("", "--note", "-n", help="走访情况（最多 500 字）"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> dict[str, object]:
        village, actor = await actor_in(session, village_ref, by)
        household = await find_household(session, number, village.id)
        visited_on = parse_visit_date(on) if on else local_today()
        logged = await log_visit(session, actor, household, visited_on, method, note)
        return {
            "head": household.head_name,
            "number": household.number,
            "date": logged.visited_on.isoformat(),
            "method": method_text(logged.method),
            "actor": actor.name,
            "due": next_due(logged).isoformat(),
        }

    say("visit_logged", **run(work))
