"""``xiangxin helpers …``: helper cadres (帮扶责任人): assign, plan, import, list, log visits."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.context import (
    BY_OPTION,
    VILLAGE_OPTION,
    actor_in,
    console,
    fail,
    headed_table,
    progress_bar,
    run,
    say,
)
from care.checklist import checks_from_problems, problems_of, problems_text
from care.festivals import Festival, festival_name, parse_festival, village_festivals
from care.helper_import import HelperImportReport, HelperList, import_helpers, read_helper_list
from care.models import Visit
from care.visits import (
    VisitState,
    VisitStatus,
    assign_helper,
    interval_days,
    log_visit,
    method_text,
    my_households,
    parse_visit_date,
    set_festival_visits,
    set_visit_plan,
    visit_every,
)
from core.catalogue import text
from core.clock import local_today
from core.errors import DomainError
from village.models import StaffMember
from village.registry import find_household, find_staff, get_village
from village.roster import Problem

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


def _plan(status: VisitStatus) -> str:
    if status.every_days is None:
        return text("helpers_every_default", days=status.interval)
    return text("helpers_every_own", days=status.every_days)


def _festivals(festivals: list[Festival]) -> str:
    return "、".join(festival_name(f) for f in festivals) or text("helpers_festivals_none")


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
    async def work(
        session: AsyncSession,
    ) -> tuple[StaffMember, date, list[VisitStatus], list[Festival]]:
        village = await get_village(session, village_ref)
        helper = await find_staff(session, helper_ref, village.id)
        today = parse_visit_date(on) if on else local_today()
        festivals = village_festivals(village.festival_visits)
        return helper, today, await my_households(session, helper, today), festivals

    helper, today, statuses, festivals = run(work)
    if not statuses:
        say("helpers_empty", helper=helper.name)
        return
    table = headed_table(
        "helpers_col_number",
        "helpers_col_head",
        "helpers_col_last",
        "helpers_col_every",
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
            _plan(status),
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
    say("helpers_festivals_line", festivals=_festivals(festivals))


@app.command("visit", help="登记一次走访（帮扶责任人本人或村两委登记）")
def visit(
    number: str = typer.Argument(..., help="户编号"),
    on: str | None = typer.Option(None, "--date", "-d", help="走访日期（默认今天），如 2026-03-01"),
    method: str = typer.Option("入户", "--method", "-m", help="走访方式：入户 或 电话"),
    note: str = typer.Option("", "--note", "-n", help="走访情况（最多 500 字）"),
    problems: list[str] = typer.Option(
        [],
        "--problem",
        "-p",
        help=(
            "两不愁三保障中发现的问题，可写多次，如 --problem 住房安全:屋顶漏雨 --problem 饮水；"
            "项目：吃穿、义务教育、基本医疗、住房安全、饮水安全（或 吃、教育、医疗、住房、饮水）；"
            "未写的项目记为无问题。每个问题转村两委待办"
        ),
    ),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    try:
        checks = checks_from_problems(problems)
    except DomainError as error:
        raise fail(error.message) from None

    async def work(session: AsyncSession) -> dict[str, object]:
        village, actor = await actor_in(session, village_ref, by)
        household = await find_household(session, number, village.id)
        visited_on = parse_visit_date(on) if on else local_today()
        logged = await log_visit(session, actor, household, visited_on, method, note, checks=checks)
        every = await visit_every(session, household)
        return {
            "head": household.head_name,
            "number": household.number,
            "date": logged.visited_on.isoformat(),
            "method": method_text(logged.method),
            "actor": actor.name,
            "due": (logged.visited_on + timedelta(days=every)).isoformat(),
        }

    say("visit_logged", **run(work))
    found = problems_of(checks)
    if found:
        say("visit_checked_problems", count=len(found), problems=problems_text(checks))
    else:
        say("visit_checked_fine")


@app.command("plan", help="设定农户的走访周期（每几天走访一次）；村两委操作")
def plan(
    numbers: list[str] = typer.Argument(..., help="户编号，可写多个"),
    every: int | None = typer.Option(None, "--every", "-e", help="每几天走访一次（7–365）"),
    default: bool = typer.Option(False, "--default", help="恢复为默认走访周期"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    if (every is None) == (not default):
        raise fail(text("helpers_plan_choose"))

    async def work(session: AsyncSession) -> int:
        village, actor = await actor_in(session, village_ref, by)
        households = [await find_household(session, n, village.id) for n in numbers]
        return await set_visit_plan(session, actor, village, households, every)

    count = run(work)
    if every is None:
        say("helpers_plan_reset", count=count, days=interval_days())
    else:
        say("helpers_plan_set", count=count, days=every)


@app.command("festivals", help="开启或关闭节日走访（春节、中秋）；不带选项时查看；村两委操作")
def festivals(
    on: list[str] = typer.Option([], "--on", help="开启的节日，可写多次：春节、中秋"),
    off: bool = typer.Option(False, "--off", help="关闭全部节日走访"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    if on and off:
        raise fail(text("helpers_festivals_choose"))
    try:
        chosen = [parse_festival(name) for name in on]
    except DomainError as error:
        raise fail(error.message) from None

    async def work(session: AsyncSession) -> tuple[str, list[Festival]]:
        village, actor = await actor_in(session, village_ref, by)
        if not on and not off:
            return village.name, village_festivals(village.festival_visits)
        return village.name, await set_festival_visits(session, actor, village, chosen)

    name, switched_on = run(work)
    say("helpers_festivals_set", village=name, festivals=_festivals(switched_on))


def _show_problems(problems: list[Problem]) -> None:
    table = headed_table(
        "helpers_import_col_row",
        "helpers_import_col_number",
        "helpers_import_col_reason",
        title=text("helpers_import_problems_title", count=len(problems)),
    )
    for problem in problems:
        table.add_row(str(problem.row), problem.number or "—", problem.reason())
    console.print(table)


@app.command(
    "import",
    help=(
        "从 Excel（.xlsx）或 CSV 导入帮扶责任人分配：列为 户编号、帮扶责任人，"
        "可选 帮扶责任人电话、走访周期（天）。名单中新的帮扶责任人自动建档；"
        "有问题的行全部列出，一行有错就不导入任何数据"
    ),
)
def import_command(
    file: Path = typer.Argument(..., help="分配文件（.xlsx 或 .csv，CSV 可为 UTF-8 或 GBK）"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    with progress_bar() as bar:
        task = bar.add_task(text("helpers_import_reading", name=file.name), total=None)
        try:
            parsed: HelperList = read_helper_list(
                file, lambda done, total: bar.update(task, completed=done, total=total)
            )
        except DomainError as error:
            raise fail(error.message) from None
        writing = bar.add_task(text("helpers_import_writing"), total=None)

        async def work(session: AsyncSession) -> HelperImportReport:
            village, actor = await actor_in(session, village_ref, by)
            return await import_helpers(
                session,
                actor,
                village,
                parsed,
                progress=lambda done, total: bar.update(writing, completed=done, total=total),
            )

        report = run(work)
    if report.stopped:
        _show_problems(report.problems)
        raise fail(text("helpers_import_stopped", count=len(report.problems)))
    say(
        "helpers_import_done",
        rows=report.rows,
        assigned=report.assigned,
        unchanged=report.unchanged,
        plans=report.plans,
    )
    if report.helpers_created:
        names = "、".join(report.helpers_created)
        say("helpers_import_created", count=len(report.helpers_created), names=names)
