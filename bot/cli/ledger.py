"""``xiangxin ledger …``"""

from __future__ import annotations

import typer
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from bot.cli.context import (
    BY_OPTION,
    VILLAGE_OPTION,
    actor_in,
    console,
    errors,
    headed_table,
    run,
    say,
)
from core.catalogue import text
from core.clock import local_text
from points import ledger
from points.models import LedgerEntry, PointsAccount
from village.models import Household, StaffMember
from village.registry import get_village

app = typer.Typer(no_args_is_help=True)


@app.command("show", help="查看一户的积分余额和最近流水")
def show(
    number: str = typer.Argument(..., help="户编号"),
    village_ref: str = VILLAGE_OPTION,
    limit: int = typer.Option(10, "--limit", "-n", min=1, help="显示最近几条"),
) -> None:
    async def work(
        session: AsyncSession,
    ) -> tuple[Household, ledger.Statement, str, dict[int, str]]:
        village = await get_village(session, village_ref)
        household, statement = await ledger.household_statement(session, number, village.id, limit)
        names = {s.id or 0: s.name for s in await session.scalars(select(StaffMember))}
        return household, statement, str(village.point_value_yuan * statement.balance), names

    household, statement, yuan, names = run(work)
    say(
        "balance_line",
        name=household.head_name,
        number=household.number,
        balance=statement.balance,
        yuan=yuan,
    )
    table = headed_table(
        "col_id",
        "col_time",
        "col_kind",
        "col_amount",
        "col_balance_after",
        "col_reason",
        "col_actor",
    )
    for e in statement.entries:
        table.add_row(
            str(e.id),
            local_text(e.created_at),
            text(f"kind_{e.kind}"),
            f"{e.amount:+d}",
            str(e.balance_after),
            e.reason,
            names.get(e.actor_id, str(e.actor_id)),
        )
    console.print(table)


@app.command("reverse", help="冲正一条积分记录（原记录保留，新增一条相反的记录）")
def reverse(
    entry_id: int = typer.Argument(..., help="要冲正的记录编号"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
    reason: str = typer.Option(..., "--reason", help="冲正原因"),
) -> None:
    async def work(session: AsyncSession) -> LedgerEntry:
        _village, actor = await actor_in(session, village_ref, by)
        return await ledger.reverse(session, entry_id, actor, reason)

    entry = run(work)
    say(
        "reversed", entry_id=entry_id, id=entry.id, amount=entry.amount, balance=entry.balance_after
    )


@app.command("verify", help="从流水重新计算每个余额，核对冲正关联；有问题时退出码非零")
def verify() -> None:
    async def work(session: AsyncSession) -> tuple[list[ledger.Problem], int, int]:
        problems = await ledger.verify(session)
        accounts = await session.scalar(select(func.count()).select_from(PointsAccount))
        entries = await session.scalar(select(func.count()).select_from(LedgerEntry))
        return problems, accounts or 0, entries or 0

    problems, accounts, entries = run(work)
    if not problems:
        say("verify_ok", accounts=accounts, entries=entries)
        return
    for p in problems:
        errors.print(
            text(
                "verify_problem_line",
                household=p.household_id or "—",
                entry=p.entry_id or "—",
                problem=text(p.code),
                detail=p.detail,
            )
        )
    errors.print(text("verify_failed", count=len(problems)))
    raise typer.Exit(code=1)
