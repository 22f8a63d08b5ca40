"""``xiangxin fund …``: the 孝善基金 from the 孝善理事会's terminal.

Each command parses its arguments, calls the domain (:mod:`fund.pledges`,
:mod:`fund.ledger`, :mod:`fund.report`) in one transaction and prints
the outcome; who may act, and every money rule, is checked there. Amounts are
typed in yuan ("100", "100.50") and kept in fen. The printable pages (收支公示,
光荣榜) are laid out here from ``bot/templates/fund_*.html``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import cards as cli_cards
from bot.cli.context import (
    BY_OPTION,
    VILLAGE_OPTION,
    actor_in,
    console,
    errors,
    fail,
    headed_table,
    run,
    say,
)
from core.catalogue import text
from core.clock import local_date_text, local_today, utcnow
from core.pages import page_environment
from fund import ledger, pledges
from fund import report as fund_report
from fund import rule as fund_rule
from fund.messages import propose_family_stars, send_statement, thank_supporter
from fund.models import FundEntry, FundRule, Pledge
from village import binding
from village.masking import mask_phone
from village.models import Supporter, Village
from village.registry import find_household, get_village

app = typer.Typer(no_args_is_help=True)
supporter_app = typer.Typer(no_args_is_help=True)
pledge_app = typer.Typer(no_args_is_help=True)
rule_app = typer.Typer(no_args_is_help=True)
app.add_typer(supporter_app, name="supporter", help="赡养人（子女）：登记、查看")
app.add_typer(pledge_app, name="pledge", help="赡养承诺书：签订、结束、查看今年缴纳情况")
app.add_typer(rule_app, name="rule", help="配捐规则：比例、每位老人每月上限")

MONTH_OPTION = typer.Option(..., "--month", "-m", help="月份，如 2026-10")
DATE_OPTION = typer.Option(None, "--date", "-d", help="日期（默认今天），如 2026-10-05")
METHOD_OPTION = typer.Option("现金", "--method", help="方式：现金、转账、微信、支付宝、其他")
OUT_OPTION = typer.Option(None, "--out", "-o", help="写出可打印的网页文件，如 公示.html")


def _day(value: str | None) -> date | None:
    return ledger.parse_day(value) if value else None


def _write(path: Path, page: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    except OSError as error:
        raise fail(str(error)) from None
    say("fund_cli_written", path=str(path))


def _confirm(yes: bool, warning: str, question: str) -> None:
    """Show the warning; go on with --yes or a typed "y", else stop having done nothing."""
    console.print(warning)
    if yes:
        return
    try:
        if typer.confirm(text(question), default=False):
            return
    except typer.Abort:  # no terminal to answer from (a script, a pipe)
        pass
    raise fail(text("fund_cli_not_confirmed"))


def _render(template: str, **context: Any) -> str:
    return (
        page_environment()
        .get_template(template)
        .render(yuan=ledger.yuan, t=lambda code, **params: text(code, **params), **context)
    )


# ---------------------------------------------------------------- supporters


@supporter_app.command("add", help="登记赡养人（子女，可在外地）；电话用于短信提醒和感谢")
def supporter_add(
    name: str = typer.Argument(..., help="赡养人姓名"),
    phone: str | None = typer.Option(None, "--phone", "-p", help="手机号（收短信用）"),
    relation: str = typer.Option("", "--relation", "-r", help="与老人关系，如 儿子、女儿"),
    household: str | None = typer.Option(
        None, "--household", help="赡养人本人在本村的户编号（评良好家风之星用）"
    ),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> Supporter:
        village, actor = await actor_in(session, village_ref, by)
        home = await find_household(session, household, village.id) if household else None
        return await pledges.add_supporter(session, actor, village, name, phone, relation, home)

    supporter = run(work)
    say(
        "fund_cli_supporter_added",
        name=supporter.name,
        id=supporter.id,
        phone=mask_phone(supporter.phone),
    )


@supporter_app.command("list", help="列出本村赡养人（电话已打码）")
def supporter_list(village_ref: str = VILLAGE_OPTION) -> None:
    async def work(session: AsyncSession) -> list[Supporter]:
        return await pledges.list_supporters(session, await get_village(session, village_ref))

    supporters = run(work)
    if not supporters:
        say("fund_cli_no_supporters")
        return
    table = headed_table("fund_col_id", "fund_col_supporter", "fund_col_relation", "fund_col_phone")
    for s in supporters:
        table.add_row(str(s.id), s.name, s.relation or "—", mask_phone(s.phone))
    console.print(table)


@supporter_app.command(
    "code", help="为赡养人生成一次性绑定码：本人在 Telegram 打开链接或发送 /start 绑定码即可绑定"
)
def supporter_code(
    supporter_ref: str = typer.Argument(..., help="赡养人（姓名、电话或编号）"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    username, lookup_error = cli_cards.bot_username_or_reason()
    now = utcnow()

    async def work(session: AsyncSession) -> tuple[Village, Supporter, str]:
        village, actor = await actor_in(session, village_ref, by)
        supporter = await pledges.find_supporter(session, village, supporter_ref)
        code = await binding.issue_supporter_code(session, actor, village, supporter, now)
        return village, supporter, code

    village, supporter, code = run(work)
    printed = binding.format_code(code)
    say(
        "supporter_code_issued",
        name=supporter.name,
        village=village.name,
        code=printed,
        date=local_date_text(binding.expiry(now)),
    )
    cli_cards.say_how_to_bind(code, username, lookup_error)


# ---------------------------------------------------------------- elders


@app.command("elders", help="列出本村老人（在册、达到年龄线的成员）及年龄")
def elders(
    village_ref: str = VILLAGE_OPTION,
    on: str | None = DATE_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[Village, list[pledges.Elder]]:
        village = await get_village(session, village_ref)
        return village, await pledges.list_elders(session, village, _day(on))

    village, found = run(work)
    table = headed_table(
        "fund_col_id",
        "fund_col_elder",
        "fund_col_household",
        "fund_col_age",
        title=text("fund_cli_elders_title", village=village.name, age=village.elder_age),
    )
    for elder in found:
        table.add_row(
            str(elder.member.id), elder.member.name, elder.household.number, str(elder.age)
        )
    console.print(table)
    say("fund_cli_elders_count", count=len(found))


@app.command("elder-age", help="设定老人年龄线：60 或 65 周岁（村两委）")
def elder_age(
    age: int = typer.Argument(..., help="60 或 65"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> Village:
        village, actor = await actor_in(session, village_ref, by)
        return await pledges.set_elder_age(session, actor, village, age)

    village = run(work)
    say("fund_cli_elder_age", village=village.name, age=village.elder_age)


# ---------------------------------------------------------------- pledges


@pledge_app.command("sign", help="签订赡养承诺书：赡养人每月为老人缴纳孝心养老金")
def pledge_sign(
    elder: str = typer.Option(..., "--elder", "-e", help="老人（姓名或成员编号）"),
    supporter: str = typer.Option(..., "--supporter", "-s", help="赡养人（姓名、电话或编号）"),
    amount: str = typer.Option(..., "--amount", "-a", help="每月金额（元），如 200"),
    due_day: int = typer.Option(
        ..., "--due-day", min=1, max=31, help="每月缴纳日 1–31（小月按月末）"
    ),
    start: str = typer.Option(..., "--start", help="开始月份，如 2026-10"),
    frequency: str = typer.Option("按月", "--frequency", "-f", help="按月 或 按季"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[Pledge, str, str]:
        village, actor = await actor_in(session, village_ref, by)
        member = await pledges.find_member(session, village, elder)
        payer = await pledges.find_supporter(session, village, supporter)
        pledge = await pledges.sign_pledge(
            session,
            actor,
            village,
            member,
            payer,
            ledger.parse_yuan(amount),
            due_day,
            ledger.parse_month(start),
            pledges.parse_frequency(frequency),
        )
        return pledge, member.name, payer.name

    pledge, elder_name, supporter_name = run(work)
    say(
        "fund_cli_pledge_signed",
        id=pledge.id,
        supporter=supporter_name,
        elder=elder_name,
        amount=ledger.yuan(pledge.monthly_fen),
        frequency=pledges.frequency_text(pledge.frequency),
        day=pledge.due_day,
        start=ledger.month_text(pledge.start_month),
    )


@pledge_app.command("end", help="结束赡养承诺书：写明最后一个月（承诺书只能改这一项）")
def pledge_end(
    pledge_id: int = typer.Argument(..., help="承诺书编号"),
    month: str = MONTH_OPTION,
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> Pledge:
        village, actor = await actor_in(session, village_ref, by)
        pledge = await pledges.find_pledge(session, village, pledge_id)
        return await pledges.end_pledge(session, actor, pledge, ledger.parse_month(month))

    pledge = run(work)
    assert pledge.end_month is not None
    say("fund_cli_pledge_ended", id=pledge.id, month=ledger.month_text(pledge.end_month))


def _year_summary(statuses: list[pledges.PeriodStatus]) -> str:
    if not statuses:
        return "—"
    counts = Counter(s.state for s in statuses)
    return "\n".join(
        f"{text(f'fund_state_{state.value}')} {counts[state]}"
        for state in pledges.PeriodState
        if counts[state]
    )


@pledge_app.command("list", help="列出赡养承诺书及今年各期缴纳情况")
def pledge_list(
    village_ref: str = VILLAGE_OPTION,
    year: int | None = typer.Option(None, "--year", "-y", help="年份（默认今年）"),
) -> None:
    today = local_today()
    shown = year or today.year

    async def work(
        session: AsyncSession,
    ) -> tuple[list[pledges.PledgeLine], dict[int, list[pledges.PeriodStatus]]]:
        village = await get_village(session, village_ref)
        lines = await pledges.pledge_lines(session, village)
        statuses = await pledges.period_statuses(
            session, [x.pledge for x in lines], date(shown, 1, 1), date(shown, 12, 1), today
        )
        return lines, statuses

    lines, statuses = run(work)
    if not lines:
        say("fund_cli_no_pledges")
        return
    table = headed_table(
        "fund_col_id",
        "fund_col_elder",
        "fund_col_supporter",
        "fund_col_pledge",
        "fund_col_year",
        title=text("fund_cli_pledges_title", year=shown),
    )
    for x in lines:
        p = x.pledge
        start = ledger.month_key(p.start_month)
        term = (
            text("fund_cli_term_closed", start=start, end=ledger.month_key(p.end_month))
            if p.end_month
            else text("fund_cli_term_open", start=start)
        )
        table.add_row(
            str(p.id),
            f"{x.elder.name}\n{x.elder.household_number}",
            f"{x.supporter.name}（{x.supporter.relation or '—'}）\n{x.supporter_phone}",
            text(
                "fund_cli_pledge_terms",
                amount=ledger.yuan(p.monthly_fen),
                frequency=pledges.frequency_text(p.frequency),
                day=p.due_day,
                term=term,
            ),
            _year_summary(statuses[p.id or 0]),
        )
    console.print(table)


# ---------------------------------------------------------------- money in


@app.command("pay", help="登记子女缴纳（可分次缴；多缴会被拒绝），自动配捐并发感谢消息")
def pay(
    pledge_id: int = typer.Option(..., "--pledge", "-p", help="承诺书编号"),
    month: str = MONTH_OPTION,
    amount: str = typer.Option(..., "--amount", "-a", help="金额（元），如 100"),
    on: str | None = typer.Option(None, "--date", "-d", help="缴款日期（默认今天）"),
    method: str = METHOD_OPTION,
    ref: str | None = typer.Option(
        None, "--ref", help="转账流水号等凭证号：同一凭证重复登记只记一次"
    ),
    note: str = typer.Option("", "--note", "-n", help="备注"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[pledges.Contribution, bool, Supporter]:
        village, actor = await actor_in(session, village_ref, by)
        pledge = await pledges.find_pledge(session, village, pledge_id)
        done = await pledges.record_contribution(
            session,
            actor,
            pledge,
            ledger.parse_month(month),
            ledger.parse_yuan(amount),
            _day(on),
            method,
            note,
            key=ref,
        )
        thanked = await thank_supporter(session, done.entry) if done.new else True
        supporter = await session.get(Supporter, pledge.supporter_id)
        assert supporter is not None
        return done, thanked, supporter

    done, thanked, supporter = run(work)
    entry, status = done.entry, done.status
    say(
        "fund_cli_paid" if done.new else "fund_cli_paid_before",
        id=entry.id,
        supporter=supporter.name,
        period=status.period_text,
        amount=ledger.yuan(entry.amount_fen),
        method=entry.method,
        date=entry.booked_on.isoformat(),
    )
    say(
        "fund_cli_period_status",
        state=status.state_text,
        due=ledger.yuan(status.amount_fen),
        paid=ledger.yuan(status.paid_fen),
        owed=ledger.yuan(status.outstanding_fen),
        due_on=status.due_on.isoformat(),
    )
    if done.subsidy is not None:
        say("fund_cli_subsidy", amount=ledger.yuan(done.subsidy.amount_fen))
    else:
        say("fund_cli_no_subsidy")
    if done.new:
        if thanked:
            say("fund_cli_thanked", name=supporter.name, phone=mask_phone(supporter.phone))
        else:
            say("fund_cli_not_thanked", name=supporter.name)


@app.command("donate", help="登记乡贤、企业对孝善基金的捐赠（用于配捐）")
def donate(
    donor: str = typer.Option(..., "--donor", help="捐赠人或单位"),
    amount: str = typer.Option(..., "--amount", "-a", help="金额（元）"),
    on: str | None = DATE_OPTION,
    method: str = METHOD_OPTION,
    note: str = typer.Option("", "--note", "-n", help="备注"),
    ref: str | None = typer.Option(None, "--ref", help="凭证号：同一凭证重复登记只记一次"),
    yes: bool = typer.Option(
        False, "--yes", help="同一捐赠人同日同额已登记过时，确认这是又一笔、另记一笔"
    ),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def earlier(session: AsyncSession) -> FundEntry | None:
        village = await get_village(session, village_ref)
        return await ledger.same_donation(
            session, village, donor, ledger.parse_yuan(amount), _day(on)
        )

    again = yes
    if ref is None and not yes:
        same = run(earlier)
        if same is not None:
            warning = text(
                "fund_donation_twice",
                date=same.booked_on.isoformat(),
                donor=same.donor,
                amount=ledger.yuan(same.amount_fen),
                id=same.id,
            )
            _confirm(False, warning, "fund_cli_confirm_donation")
            again = True

    async def work(session: AsyncSession) -> tuple[FundEntry, ledger.FundBalances]:
        village, actor = await actor_in(session, village_ref, by)
        entry = await ledger.record_donation(
            session,
            actor,
            village,
            donor,
            ledger.parse_yuan(amount),
            _day(on),
            method,
            note,
            key=f"donation:{village.id}:{ref}" if ref else None,
            again=again,
        )
        return entry, await ledger.fund_balances(session, village)

    entry, held = run(work)
    say(
        "fund_cli_donated",
        id=entry.id,
        donor=entry.donor,
        amount=ledger.yuan(entry.amount_fen),
        balance=ledger.yuan(held.balance_fen),
        pool=ledger.yuan(held.pool_fen),
    )


# ---------------------------------------------------------------- money out


@app.command("payout", help="按月发放给老人：每位老人名下的全部余额（同一月只发一次）")
def payout(
    month: str = MONTH_OPTION,
    method: str = METHOD_OPTION,
    elder: str | None = typer.Option(None, "--elder", "-e", help="只发给这一位老人"),
    amount: str | None = typer.Option(None, "--amount", "-a", help="只发给一位老人时的金额（元）"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    if amount is not None and elder is None:
        raise fail(text("fund_cli_amount_needs_elder"))

    async def work(session: AsyncSession) -> list[tuple[str, str, int, bool]]:
        village, actor = await actor_in(session, village_ref, by)
        paid_month = ledger.parse_month(month)
        if elder is None:
            lines = await ledger.pay_out(session, actor, village, paid_month, method)
            return [
                (x.label.name, x.label.household_number, x.entry.amount_fen, x.new) for x in lines
            ]
        member = await pledges.find_member(session, village, elder)
        owed = await ledger.elder_owed(session, member.id or 0)
        fen = ledger.parse_yuan(amount) if amount is not None else owed
        if fen <= 0 and amount is None:
            return []
        entry = await ledger.pay_elder(session, actor, village, member, fen, paid_month, method)
        return [(member.name, "", entry.amount_fen, True)]

    lines = run(work)
    if not lines:
        say("fund_cli_nothing_to_pay")
        return
    table = headed_table("fund_col_elder", "fund_col_household", "fund_col_amount", "fund_col_note")
    for name, number, fen, new in lines:
        table.add_row(
            name, number or "—", ledger.yuan(fen), "" if new else text("fund_cli_paid_earlier")
        )
    console.print(table)
    new_total = sum(fen for _, _, fen, new in lines if new)
    say(
        "fund_cli_payout_total",
        count=sum(1 for *_, new in lines if new),
        total=ledger.yuan(new_total),
    )


@app.command("reverse", help="冲正一条基金记录（原记录保留；缴纳的配捐一并冲正）")
def reverse(
    entry_id: int = typer.Argument(..., help="要冲正的记录编号"),
    reason: str = typer.Option(..., "--reason", help="冲正原因"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[FundEntry, ledger.FundBalances]:
        village, actor = await actor_in(session, village_ref, by)
        await ledger.get_entry(session, village, entry_id)
        undo = await ledger.reverse_fund_entry(session, actor, entry_id, reason)
        return undo, await ledger.fund_balances(session, village)

    undo, held = run(work)
    say(
        "fund_cli_reversed",
        entry_id=entry_id,
        id=undo.id,
        kind=text(f"fund_kind_{undo.kind}"),
        amount=ledger.yuan(undo.amount_fen),
        balance=ledger.yuan(held.balance_fen),
        pool=ledger.yuan(held.pool_fen),
    )


# ---------------------------------------------------------------- the matching rule


@rule_app.command("set", help="设定配捐规则，从某月起生效（不能追溯以前的月份）")
def rule_set(
    start: str = typer.Option(..., "--from", help="从哪个月起，如 2027-01（不早于本月）"),
    rate: str = typer.Option("0%", "--rate", help="配捐比例，如 10% 或 0.1"),
    cap: str | None = typer.Option(
        None, "--cap", help="每位老人每月最多配捐（元）；不写则不设上限"
    ),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> FundRule:
        village, actor = await actor_in(session, village_ref, by)
        cap_fen = ledger.parse_yuan(cap, allow_zero=True) if cap is not None else None
        return await fund_rule.set_fund_rule(
            session, actor, village, ledger.parse_month(start), fund_rule.parse_rate(rate), cap_fen
        )

    say("fund_cli_rule_set", rule=fund_rule.rule_text(run(work)))


@rule_app.command("show", help="查看配捐规则及本月适用的规则")
def rule_show(village_ref: str = VILLAGE_OPTION) -> None:
    async def work(session: AsyncSession) -> tuple[list[FundRule], FundRule | None]:
        village = await get_village(session, village_ref)
        current = await fund_rule.rule_for(session, village.id or 0, local_today())
        return await fund_rule.list_rules(session, village), current

    rules, current = run(work)
    if not rules:
        say("fund_cli_no_rules")
        return
    for item in rules:
        mark = text("fund_cli_rule_current") if current and item.id == current.id else ""
        console.print(f"#{item.id} {fund_rule.rule_text(item)}{mark}")


# ---------------------------------------------------------------- reading


@app.command("arrears", help="欠缴名单：到期未缴足的各期（电话已打码）")
def arrears(
    village_ref: str = VILLAGE_OPTION,
    on: str | None = DATE_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[date, list[pledges.ArrearsLine]]:
        village = await get_village(session, village_ref)
        today = _day(on) or local_today()
        return today, await pledges.arrears(session, village, today)

    today, lines = run(work)
    if not lines:
        say("fund_cli_no_arrears", date=today.isoformat())
        return
    table = headed_table(
        "fund_col_elder",
        "fund_col_supporter",
        "fund_col_phone",
        "fund_col_period",
        "fund_col_due_on",
        "fund_col_due",
        "fund_col_paid",
        "fund_col_owed",
        "fund_col_state",
        title=text("fund_cli_arrears_title", date=today.isoformat()),
    )
    for x in lines:
        s = x.status
        table.add_row(
            f"{x.line.elder.name}（{x.line.elder.household_number}）",
            x.line.supporter.name,
            x.line.supporter_phone,
            s.period_text,
            s.due_on.isoformat(),
            ledger.yuan(s.amount_fen),
            ledger.yuan(s.paid_fen),
            ledger.yuan(s.outstanding_fen),
            text("fund_cli_due_today") if s.state is pledges.PeriodState.NOT_DUE else s.state_text,
        )
    console.print(table)
    say(
        "fund_cli_arrears_total",
        count=len(lines),
        total=ledger.yuan(sum(x.status.outstanding_fen for x in lines)),
    )


@app.command("statement", help="月度收支公示：打印网页（--out）、发给村两委（--send）")
def statement(
    month: str = MONTH_OPTION,
    out: Path | None = OUT_OPTION,
    send: bool = typer.Option(False, "--send", help="把摘要发给村两委每位成员"),
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
) -> None:
    async def work(session: AsyncSession) -> tuple[fund_report.FundStatement, int | None]:
        village, actor = await actor_in(session, village_ref, by)
        found = await fund_report.monthly_statement(
            session, actor, village, ledger.parse_month(month)
        )
        return found, await send_statement(session, found) if send else None

    found, sent = run(work)
    console.print(fund_report.statement_text(found))
    if found.elders:
        table = headed_table(
            "fund_col_household",
            "fund_col_elder",
            "fund_col_contributions",
            "fund_col_subsidies",
            "fund_col_paid_out",
        )
        for e in found.elders:
            table.add_row(
                e.household_number,
                e.name,
                ledger.yuan(e.contributions_fen),
                ledger.yuan(e.subsidies_fen),
                ledger.yuan(e.paid_out_fen),
            )
        console.print(table)
    if out is not None:
        _write(out, _render("fund_statement.html", statement=found))
    if sent is not None:
        say("fund_cli_statement_sent", count=sent)


@app.command(
    "honour", help="孝善光荣榜：全年按时足额缴纳的子女；--publish 发布，--stars 提名良好家风之星"
)
def honour(
    year: int = typer.Option(..., "--year", "-y", help="年度，如 2026"),
    publish: bool = typer.Option(False, "--publish", help="发布（每年一次，名单随即固定）"),
    stars: bool = typer.Option(
        False, "--stars", help="发布时为上榜子女本户提名良好家风之星（进行中的评定轮次）"
    ),
    yes: bool = typer.Option(False, "--yes", help="年度未结束时确认现在发布"),
    out: Path | None = OUT_OPTION,
    village_ref: str = VILLAGE_OPTION,
    by: str | None = typer.Option(None, "--by", "-b", help="操作人（发布时必填）"),
) -> None:
    if (publish or stars) and not by:
        raise fail(text("fund_cli_publish_needs_by"))
    if stars and not publish:
        raise fail(text("fund_cli_stars_need_publish"))

    async def to_come(session: AsyncSession) -> int | None:
        village = await get_village(session, village_ref)
        if await fund_report.find_honour_roll(session, village, year) is not None:
            return None  # published already: publishing says so
        return await fund_report.open_year_periods(session, village, year)

    if publish:
        periods = run(to_come)
        if periods is not None:
            warning = text("fund_honour_year_open", year=year, periods=periods)
            _confirm(yes, warning, "fund_cli_confirm_publish")

    async def work(
        session: AsyncSession,
    ) -> tuple[Village, list[fund_report.HonourLine], fund_report.StarOutcome | None, bool]:
        if publish and by:
            village, actor = await actor_in(session, village_ref, by)
            done = await fund_report.publish_honour_roll(
                session,
                actor,
                village,
                year,
                propose_stars=propose_family_stars if stars else None,
                before_year_end=True,  # confirmed above when the year is not over
            )
            return village, done.lines, done.stars, True
        village = await get_village(session, village_ref)
        stored = await fund_report.find_honour_roll(session, village, year)
        if stored is not None:
            return village, stored[1], None, True
        return village, await fund_report.honour_roll(session, village, year), None, False

    village, lines, outcome, published = run(work)
    console.print(fund_report.honour_text(village, year, lines))
    if not published:
        say("fund_cli_honour_draft")
    if outcome is not None:
        _say_stars(outcome)
    if out is not None:
        page = _render(
            "fund_honour.html",
            title=text("fund_honour_title", village=village.name, year=year),
            village=village.name,
            year=year,
            lines=lines,
            issued=local_today().isoformat(),
        )
        _write(out, page)


def _say_stars(outcome: fund_report.StarOutcome) -> None:
    if outcome.proposed:
        say(
            "fund_cli_stars_proposed",
            round=outcome.round_name or "—",
            households="、".join(outcome.proposed),
        )
    for reason in outcome.skipped:
        console.print(reason)


@app.command("verify", help="核对：从流水重新计算余额与配捐池；有问题时退出码非零")
def verify(village_ref: str = VILLAGE_OPTION) -> None:
    async def work(
        session: AsyncSession,
    ) -> tuple[Village, list[ledger.FundProblem], ledger.FundBalances, int]:
        village = await get_village(session, village_ref)
        problems = await ledger.verify_fund(session, village)
        entries = await ledger.count_entries(session, village)
        return village, problems, await ledger.fund_balances(session, village), entries

    village, problems, held, entries = run(work)
    if not problems:
        say(
            "fund_verify_ok",
            village=village.name,
            entries=entries,
            balance=ledger.yuan(held.balance_fen),
            pool=ledger.yuan(held.pool_fen),
        )
        return
    for p in problems:
        errors.print(
            text(
                "fund_verify_problem",
                entry=p.entry_id or "—",
                problem=text(p.code),
                detail=p.detail,
            )
        )
    errors.print(text("fund_verify_failed", count=len(problems)))
    raise typer.Exit(code=1)
