"""``xiangxin village …`` and ``xiangxin staff …``"""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation

import typer
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
from core.catalogue import text
from core.clock import local_text
from village.action_log import ActionLine, recent
from village.masking import mask_phone
from village.models import StaffMember, Village
from village.registry import (
    add_staff,
    create_village,
    find_staff,
    get_village,
    list_staff,
    list_villages,
    update_village,
)
from village.staff_login import set_password

app = typer.Typer(no_args_is_help=True)
staff_app = typer.Typer(no_args_is_help=True)


def _yuan(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise fail(text("bad_number", value=value)) from None
    if not amount.is_finite():  # NaN and Infinity parse, but are no amount
        raise fail(text("bad_number", value=value))
    return amount  # its range is the domain's rule (village.registry.check_point_value)


@app.command("add", help="新建一个村")
def add(
    name: str = typer.Argument(..., help="村名，如 幸福村"),
    township: str = typer.Option("", "--township", help="所属乡镇"),
    county: str = typer.Option("", "--county", help="所属县"),
    point_value: str = typer.Option("1", "--point-value", help="1 积分折合多少元"),
    publicity_days: int = typer.Option(5, "--publicity-days", min=1, help="公示天数"),
    contact: str = typer.Option("", "--contact", help="公示期间提出异议的联系方式"),
) -> None:
    value = _yuan(point_value)
    if value is None:
        value = Decimal("1")

    async def work(session: AsyncSession) -> Village:
        return await create_village(
            session,
            name,
            township=township,
            county=county,
            point_value_yuan=value,
            publicity_days=publicity_days,
            objection_contact=contact,
        )

    village = run(work)
    say(
        "village_created",
        name=village.name,
        id=village.id,
        value=village.point_value_yuan,
        days=village.publicity_days,
    )


@app.command("list", help="列出所有村")
def list_command() -> None:
    villages = run(list_villages)
    table = headed_table(
        "col_id", "col_name", "col_township", "col_point_value", "col_publicity_days"
    )
    for v in villages:
        table.add_row(str(v.id), v.name, v.township, str(v.point_value_yuan), str(v.publicity_days))
    console.print(table)


@app.command("set", help="修改村的设置（积分折合、公示天数、年度表彰规则）")
def set_command(
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
    point_value: str | None = typer.Option(None, "--point-value", help="1 积分折合多少元"),
    publicity_days: int | None = typer.Option(None, "--publicity-days", min=1, help="公示天数"),
    top_n: int | None = typer.Option(None, "--commend-top", min=1, help="年度表彰户数"),
    bonus: int | None = typer.Option(None, "--commend-bonus", min=0, help="年度表彰奖励积分"),
    title: str | None = typer.Option(None, "--commend-title", help="年度表彰称号"),
    contact: str | None = typer.Option(None, "--contact", help="异议联系方式"),
) -> None:
    value = _yuan(point_value)

    async def work(session: AsyncSession) -> Village:
        village, actor = await actor_in(session, village_ref, by)
        return await update_village(
            session,
            village,
            actor,
            point_value_yuan=value,
            publicity_days=publicity_days,
            commendation_top_n=top_n,
            commendation_bonus=bonus,
            commendation_title=title,
            objection_contact=contact,
        )

    say("village_updated", name=run(work).name)


@app.command("log", help="操作记录：谁指派了帮扶责任人、改了走访计划、更正了赡养人、撤销了通知……")
def log_command(
    village_ref: str = VILLAGE_OPTION,
    limit: int = typer.Option(50, "--limit", "-n", min=1, max=1000, help="显示最近多少条"),
) -> None:
    async def work(session: AsyncSession) -> list[ActionLine]:
        village = await get_village(session, village_ref)
        return await recent(session, village.id, limit)

    table = headed_table(
        "console_actions_col_at", "console_actions_col_actor", "console_actions_col_detail"
    )
    for line in run(work):
        table.add_row(local_text(line.at), line.actor, line.detail)
    console.print(table)


@staff_app.command(
    "add",
    help=(
        "登记工作人员（角色：committee 村两委, shopkeeper 店主, helper 帮扶责任人,"
        " fund_council 孝善理事会, supervisor 村务监督委员会（只读）, county_admin 县级管理员）"
    ),
)
def staff_add(
    name: str = typer.Argument(..., help="姓名"),
    role: str = typer.Option(..., "--role", "-r", help="角色"),
    village_ref: str | None = typer.Option(None, "--village", "-v", help="村名（县级管理员不填）"),
    household: str | None = typer.Option(None, "--household", help="本人所属户的户编号"),
    phone: str | None = typer.Option(None, "--phone", help="手机号"),
) -> None:
    async def work(session: AsyncSession) -> tuple[StaffMember, str]:
        village = await get_village(session, village_ref) if village_ref else None
        staff = await add_staff(
            session, village, name, role, household_number=household, phone=phone
        )
        return staff, village.name if village else "县"

    staff, village_name = run(work)
    say(
        "staff_created",
        name=staff.name,
        id=staff.id,
        role=text(f"role_{staff.role}"),
        village=village_name,
    )


@staff_app.command("list", help="列出工作人员")
def staff_list(
    village_ref: str | None = typer.Option(None, "--village", "-v", help="村名"),
) -> None:
    async def work(session: AsyncSession) -> list[StaffMember]:
        village_id = (await get_village(session, village_ref)).id if village_ref else None
        return await list_staff(session, village_id)

    table = headed_table("col_id", "col_name", "col_role", "col_household", "col_phone")
    for s in run(work):
        table.add_row(
            str(s.id),
            s.name,
            text(f"role_{s.role}"),
            str(s.household_id or "—"),
            mask_phone(s.phone),
        )
    console.print(table)


@staff_app.command("password", help="设置工作人员登录网页工作台的密码（之前的登录随即失效）")
def staff_password(
    name: str = typer.Argument(..., help="姓名或编号"),
    village_ref: str | None = typer.Option(None, "--village", "-v", help="村名（县级管理员不填）"),
    from_stdin: bool = typer.Option(
        False, "--password-stdin", help="从标准输入读一行作密码（脚本用）"
    ),
) -> None:
    password: str
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(
            text("password_prompt"), hide_input=True, confirmation_prompt=text("password_again")
        )

    async def work(session: AsyncSession) -> tuple[StaffMember, str]:
        village = await get_village(session, village_ref) if village_ref else None
        # Without -v: an id, or a name no one else bears (a county administrator's).
        staff = await find_staff(session, name, village.id if village else None)
        if village is None and staff.village_id is not None:
            village = await session.get(Village, staff.village_id)
        await set_password(session, staff, password)
        return staff, village.name if village else "县"

    staff, village_name = run(work)
    say("password_set", name=staff.name, village=village_name)
