"""What the 孝善 chat shows: a supporter's own pledges and payments, the fund council's summaries.

Everything here only reads, and comes back already in words (from the
catalogue), so the chat handlers stay thin. A supporter sees only what they
pledged and paid; the council's summaries check the fund role like the CLI does.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import local_today
from fund.ledger import (
    Kind,
    elder_labels,
    fund_balances,
    month_text,
    row_id,
    yuan,
)
from fund.models import FundEntry, Pledge
from fund.pledge_schedule import month_start, step
from fund.pledges import (
    PeriodState,
    PeriodStatus,
    arrears,
    frequency_text,
    period_statuses,
    period_text,
)
from fund.report import monthly_statement, statement_text
from village.access import require_fund_role
from village.masking import mask_phone
from village.models import StaffMember, Supporter, Village

PAYMENTS_SHOWN = 10
ARREARS_SHOWN = 20


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


# ---------------------------------------------------------------- the supporter


async def supporter_pledges(session: AsyncSession, supporter: Supporter, year: int) -> list[Pledge]:
    """The supporter's pledges that run in ``year`` (or start later), oldest first."""
    return list(
        await session.scalars(
            select(Pledge)
            .where(
                Pledge.supporter_id == row_id(supporter.id),
                (col(Pledge.end_month).is_(None)) | (col(Pledge.end_month) >= date(year, 1, 1)),
            )
            .order_by(col(Pledge.start_month), col(Pledge.id))
        )
    )


def _period_line(status: PeriodStatus) -> str:
    if status.settled:
        assert status.paid_on is not None
        detail = text("supporter_detail_paid", date=_day(status.paid_on))
    elif status.state is PeriodState.PARTIAL:
        detail = text(
            "supporter_detail_partial",
            paid=yuan(status.paid_fen),
            owed=yuan(status.outstanding_fen),
            due=_day(status.due_on),
        )
    elif status.state is PeriodState.ARREARS:
        detail = text(
            "supporter_detail_arrears", due=_day(status.due_on), owed=yuan(status.outstanding_fen)
        )
    else:
        detail = text("supporter_detail_not_due", due=_day(status.due_on))
    return text(
        "supporter_period_line",
        period=status.period_text,
        amount=yuan(status.amount_fen),
        state=status.state_text,
        detail=detail,
    )


def _term(pledge: Pledge) -> str:
    start = month_text(pledge.start_month)
    if pledge.end_month is None:
        return text("supporter_term_open", start=start)
    return text("supporter_term_closed", start=start, end=month_text(pledge.end_month))


async def supporter_summary(session: AsyncSession, supporter: Supporter, today: date) -> str:
    """我的承诺: each pledge (elder, amount, due day, frequency) and this year's periods."""
    year = today.year
    found = await supporter_pledges(session, supporter, year)
    if not found:
        village = await session.get(Village, supporter.village_id)
        return text("supporter_no_pledges", village=village.name if village else "")
    labels = await elder_labels(session, [p.elder_id for p in found])
    statuses = await period_statuses(session, found, date(year, 1, 1), date(year, 12, 1), today)
    lines = [text("supporter_pledges_title", name=supporter.name, year=year)]
    for index, pledge in enumerate(found, start=1):
        label = labels[pledge.elder_id]
        lines.append(
            text(
                "supporter_pledge_head",
                index=index,
                elder=label.name,
                household=label.household_number,
                amount=yuan(pledge.monthly_fen),
                frequency=frequency_text(pledge.frequency),
                day=pledge.due_day,
                term=_term(pledge),
            )
        )
        shown = statuses[row_id(pledge.id)]
        lines.extend(_period_line(s) for s in shown)
        if not shown:
            lines.append(text("supporter_no_periods", year=year))
    past_due = [s for shown in statuses.values() for s in shown if s.due_on < today]
    owing = [s for s in past_due if not s.settled]
    if owing:
        total = sum(s.outstanding_fen for s in owing)
        lines.append(text("supporter_owed_total", count=len(owing), total=yuan(total)))
    elif past_due:
        lines.append(text("supporter_all_paid"))
    return "\n".join(lines)


async def supporter_sms(session: AsyncSession, supporter: Supporter, today: date) -> str:
    """The short answer to any SMS from a supporter's phone: each pledge and what is owed.

    Supporters often live elsewhere and are not on the roster; replying to a
    reminder must not tell them their number is unknown.
    """
    village = await session.get(Village, supporter.village_id)
    found = await supporter_pledges(session, supporter, today.year)
    if not found:
        return text("supporter_no_pledges", village=village.name if village else "")
    labels = await elder_labels(session, [p.elder_id for p in found])
    statuses = await period_statuses(
        session, found, date(today.year, 1, 1), date(today.year, 12, 1), today
    )
    parts = []
    for pledge in found:
        owing = [s for s in statuses[row_id(pledge.id)] if s.due_on < today and not s.settled]
        parts.append(
            text(
                "supporter_sms_pledge",
                elder=labels[pledge.elder_id].name,
                amount=yuan(pledge.monthly_fen),
                day=pledge.due_day,
                state=text(
                    "supporter_sms_owing",
                    count=len(owing),
                    total=yuan(sum(s.outstanding_fen for s in owing)),
                )
                if owing
                else text("supporter_sms_clear"),
            )
        )
    return text(
        "supporter_sms",
        name=supporter.name,
        village=village.name if village else "",
        pledges="；".join(parts),
    )


async def supporter_payments(
    session: AsyncSession, supporter: Supporter, limit: int = PAYMENTS_SHOWN
) -> str:
    """缴费记录: the supporter's latest contributions, each with the fund's matching subsidy."""
    entries = list(
        await session.scalars(
            select(FundEntry)
            .where(
                FundEntry.supporter_id == row_id(supporter.id),
                FundEntry.kind == Kind.CONTRIBUTION.value,
                col(FundEntry.reverses_id).is_(None),
            )
            .order_by(col(FundEntry.booked_on).desc(), col(FundEntry.id).desc())
            .limit(limit)
        )
    )
    if not entries:
        return text("supporter_no_payments")
    ids = [row_id(e.id) for e in entries]
    subsidies = {
        s.source_id: s
        for s in await session.scalars(
            select(FundEntry).where(
                FundEntry.kind == Kind.SUBSIDY.value,
                col(FundEntry.source_id).in_(ids),
                col(FundEntry.reverses_id).is_(None),
            )
        )
    }
    reversed_ids = set(
        await session.scalars(
            select(FundEntry.reverses_id).where(col(FundEntry.reverses_id).in_(ids))
        )
    )
    pledge_ids = {e.pledge_id for e in entries if e.pledge_id is not None}
    months = {
        row_id(p.id): step(p)
        for p in await session.scalars(select(Pledge).where(col(Pledge.id).in_(pledge_ids)))
    }
    labels = await elder_labels(session, [e.elder_id for e in entries if e.elder_id is not None])
    lines = [text("supporter_payments_title", count=len(entries))]
    for entry in entries:
        subsidy = subsidies.get(entry.id)
        label = labels.get(entry.elder_id or 0)
        lines.append(
            text(
                "supporter_payment_line",
                date=entry.booked_on.isoformat(),
                elder=label.name if label else "",
                period=period_text(entry.month, months.get(entry.pledge_id or 0, 1))
                if entry.month
                else "",
                amount=yuan(entry.amount_fen),
                method=entry.method or "—",
                subsidy=text("supporter_payment_subsidy", amount=yuan(subsidy.amount_fen))
                if subsidy is not None
                else text("supporter_payment_no_subsidy"),
                reversed=text("supporter_payment_reversed") if entry.id in reversed_ids else "",
            )
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- the fund council


async def council_arrears(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    today: date,
    limit: int = ARREARS_SHOWN,
) -> str:
    """欠缴名单 as of ``today``: at most ``limit`` lines, then how many there are in all."""
    require_fund_role(actor, village)
    found = await arrears(session, village, today)
    if not found:
        return text("council_no_arrears", date=today.isoformat())
    lines = [text("council_arrears_title", date=today.isoformat())]
    for index, item in enumerate(found[:limit], start=1):
        s = item.status
        lines.append(
            text(
                "council_arrears_line",
                index=index,
                elder=item.line.elder.name,
                household=item.line.elder.household_number,
                supporter=item.line.supporter.name,
                phone=mask_phone(item.line.supporter.phone),
                period=s.period_text,
                amount=yuan(s.amount_fen),
                paid=yuan(s.paid_fen),
                owed=yuan(s.outstanding_fen),
                state=text("council_due_today") if s.state is PeriodState.NOT_DUE else s.state_text,
            )
        )
    if len(found) > limit:
        lines.append(text("council_arrears_more", count=len(found)))
    total = sum(item.status.outstanding_fen for item in found)
    lines.append(text("council_arrears_total", count=len(found), total=yuan(total)))
    return "\n".join(lines)


async def council_month(
    session: AsyncSession, actor: StaffMember, village: Village, now: datetime
) -> str:
    """本月收支: the summary of this month's 收支公示 so far (months in Asia/Shanghai)."""
    month = month_start(local_today(now))
    statement = await monthly_statement(session, actor, village, month, now)
    return statement_text(statement)


async def council_balance(session: AsyncSession, actor: StaffMember, village: Village) -> str:
    """基金余额: the cash held, the donations pool, and what is held for the elders."""
    require_fund_role(actor, village)
    balances = await fund_balances(session, village)
    return text(
        "council_balance",
        village=village.name,
        balance=yuan(balances.balance_fen),
        pool=yuan(balances.pool_fen),
        held=yuan(balances.balance_fen - balances.pool_fen),
    )
