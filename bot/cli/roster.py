"""``xiangxin roster …``: import the 建档立卡 list, list and show households, mark 慢性病.

ID-card and phone numbers are printed masked only, problems included.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress
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
from core.catalogue import text
from core.clock import to_local, utcnow
from core.errors import DomainError
from village.masking import mask_id_card, mask_phone
from village.models import Household, Member, Village
from village.registry import find_household, find_staff, get_village
from village.roster import (
    ImportReport,
    Problem,
    Roster,
    age,
    household_members,
    household_phones,
    import_roster,
    parse_roster,
    set_chronic_illness,
    village_households,
)
from village.roster_files import open_roster

app = typer.Typer(no_args_is_help=True)

MAX_PROBLEMS_SHOWN = 1000
FILE_ARGUMENT = typer.Argument(..., help="名单文件（.xlsx 或 .csv，CSV 可为 UTF-8 或 GBK）")


def _read(file: Path, bar: Progress) -> Roster:
    task = bar.add_task(text("roster_reading", name=file.name), total=None)
    try:
        with open_roster(file) as source:
            return parse_roster(
                source, progress=lambda done, total: bar.update(task, completed=done, total=total)
            )
    except DomainError as error:
        raise fail(error.message) from None


def _where(problem: Problem) -> str:
    if problem.sheet is None:
        return str(problem.row)
    return text("roster_sheet_row", sheet=problem.sheet, row=problem.row)


def _show_problems(problems: list[Problem]) -> None:
    table = headed_table(
        "roster_col_row",
        "roster_col_number",
        "roster_col_reason",
        title=text("roster_problems_title", count=len(problems)),
    )
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        table.add_row(_where(problem), problem.number or "—", problem.reason())
    console.print(table)
    if len(problems) > MAX_PROBLEMS_SHOWN:
        say("roster_more_problems", count=len(problems) - MAX_PROBLEMS_SHOWN)


def _show_warnings(warnings: list[Problem]) -> None:
    if not warnings:
        return
    say("roster_warnings_title", count=len(warnings))
    for warning in warnings[:MAX_PROBLEMS_SHOWN]:
        say(
            "roster_warning_line",
            row=warning.row,  # a household row: always on the main sheet
            number=warning.number,
            reason=warning.reason(),
        )
    if len(warnings) > MAX_PROBLEMS_SHOWN:
        say("roster_more_problems", count=len(warnings) - MAX_PROBLEMS_SHOWN)


def _places(places: list[tuple[str | None, int]]) -> str:
    """Row numbers of the main sheet; rows of the 成员 sheet name it."""
    return "、".join(
        str(row) if sheet is None else text("roster_sheet_row", sheet=sheet, row=row)
        for sheet, row in places
    )


def _show_skipped(report: ImportReport) -> None:
    imported = report.households_created + report.households_updated + report.households_unchanged
    say(
        "roster_skipped",
        households=imported,
        people=report.members_total,
        skipped_households=report.households_skipped,
        skipped_people=len(report.skipped_people),
        count=len(report.problems),
    )
    if report.skipped_households:
        say("roster_skipped_households", rows=_places(report.skipped_households))
    if report.skipped_people:
        say("roster_skipped_people", rows=_places(report.skipped_people))
    _show_problems(report.problems)


def _show_summary(report: ImportReport) -> None:
    say(
        "roster_summary",
        created=report.households_created,
        updated=report.households_updated,
        members=report.members_total,
    )
    say(
        "roster_summary_detail",
        unchanged=report.households_unchanged,
        m_created=report.members_created,
        m_updated=report.members_updated,
        m_deactivated=report.members_deactivated,
    )


@app.command(
    "import",
    help=(
        "从 Excel（.xlsx）或 CSV 导入建档立卡户名单。再次导入按户编号更新，不会重复建档；"
        "有问题的行会全部列出，默认一行有错就不写入任何数据"
    ),
)
def import_command(
    file: Path = FILE_ARGUMENT,
    village_ref: str | None = typer.Option(
        None, "--village", "-v", help="村名（文件没有“村”列时必填；有“村”列时每行都须是这个村）"
    ),
    skip_bad: bool = typer.Option(
        False,
        "--skip-bad",
        help="跳过有问题的行：成员行有错只跳过此人，户主行有错跳过整户（问题仍会列出）",
    ),
    by: str | None = typer.Option(
        None, "--by", "-b", help="操作人（工作人员姓名或编号；填写时检查其是否有权导入该村）"
    ),
) -> None:
    with progress_bar() as bar:
        roster = _read(file, bar)
        task = bar.add_task(text("roster_writing"), total=None)

        async def work(session: AsyncSession) -> ImportReport:
            actor = await find_staff(session, by) if by else None
            return await import_roster(
                session,
                roster,
                default_village=village_ref,
                skip_bad=skip_bad,
                actor=actor,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )

        report = run(work)

    if report.stopped:
        _show_problems(report.problems)
        _show_warnings(report.warnings)
        raise fail(text("roster_stopped", count=len(report.problems)))
    _show_summary(report)
    if report.problems:
        _show_skipped(report)
    _show_warnings(report.warnings)


@app.command("list", help="列出某村的农户（电话号码打码显示）")
def list_command(
    village_ref: str = VILLAGE_OPTION,
    group: str | None = typer.Option(None, "--group", "-g", help="只列出这个组"),
) -> None:
    async def work(session: AsyncSession) -> tuple[Village, list[Household]]:
        village = await get_village(session, village_ref)
        return village, await village_households(session, village, group)

    village, households = run(work)
    if not households:
        say("roster_none", village=village.name)
        return
    table = headed_table(
        "roster_col_number",
        "roster_col_head",
        "roster_col_group",
        "roster_col_size",
        "roster_col_type",
        "roster_col_phone",
    )
    for h in households:
        table.add_row(
            h.number,
            h.head_name,
            h.group_name or "—",
            str(h.size),
            text(f"household_type_{h.household_type}"),
            household_phones(h),
        )
    console.print(table)
    say("roster_count", count=len(households))


@app.command("show", help="查看一户及其家庭成员（身份证号、电话打码显示）")
def show_command(
    number: str = typer.Argument(..., help="户编号"),
    village_ref: str | None = typer.Option(None, "--village", "-v", help="村名（可不填）"),
) -> None:
    async def work(session: AsyncSession) -> tuple[Household, Village | None, list[Member]]:
        village_id = (await get_village(session, village_ref)).id if village_ref else None
        household = await find_household(session, number, village_id)
        village = await session.get(Village, household.village_id)
        return household, village, await household_members(session, household)

    household, village, members = run(work)
    today = to_local(utcnow()).date()
    say(
        "roster_show_head",
        number=household.number,
        head=household.head_name,
        village=village.name if village else "—",
        group=household.group_name or "—",
    )
    say(
        "roster_show_ids",
        id_card=mask_id_card(household.id_card),
        phone=household_phones(household),
        size=household.size,
        type=text(f"household_type_{household.household_type}"),
    )
    table = headed_table(
        "roster_col_name",
        "roster_col_relation",
        "roster_col_id_card",
        "roster_col_age",
        "roster_col_phone",
        "roster_col_chronic",
        "roster_col_status",
    )
    for m in members:
        table.add_row(
            m.name,
            m.relation or "—",
            mask_id_card(m.id_card),
            str(age(m.birth_date, today)) if m.birth_date else "—",
            mask_phone(m.phone),
            text("roster_chronic_yes" if m.chronic_illness else "roster_chronic_no"),
            text("roster_member_active" if m.active else "roster_member_inactive"),
        )
    console.print(table)


@app.command(
    "chronic",
    help="登记或取消某位家庭成员的慢性病（用于慢性病卡、健康政策通知）；仅村两委",
)
def chronic_command(
    number: str = typer.Argument(..., help="户编号"),
    person: str = typer.Argument(..., help="成员姓名（同户有重名时填身份证号）"),
    value: bool = typer.Option(True, "--yes/--no", help="--yes 登记为慢性病患者，--no 取消登记"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[Household, Member, bool]:
        village, actor = await actor_in(session, village_ref, by)
        return await set_chronic_illness(session, village, actor, number, person, value)

    household, member, changed = run(work)
    line = text(
        "roster_chronic_marked" if value else "roster_chronic_cleared",
        number=household.number,
        name=member.name,
    )
    console.print(line if changed else line + text("roster_chronic_unchanged"))
