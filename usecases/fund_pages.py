"""The 孝善基金 in the console: what the fund holds, who is behind, and money coming in.

Every rule (who may record, overpaying, a gift typed twice, matching) lives in
:mod:`fund.ledger` and :mod:`fund.pledges`; these use cases only gather
what a page shows and turn a form's words into the domain's calls. The 孝善理事会
and the 村两委 act; the 村务监督委员会 reads the same pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.catalogue import text
from core.clock import local_today, to_local
from core.errors import Conflict
from core.models import Role
from fund import ledger, pledges
from fund import report as fund_report
from fund.messages import thank_supporter
from usecases.exports import Export, workbook
from usecases.principal import Principal, village_for
from village.models import Village

#: Who may open the fund's pages (a county administrator always may).
READERS = (Role.FUND_COUNCIL, Role.COMMITTEE, Role.SUPERVISOR)
#: Who may record money (the domain checks it again on every write).
KEEPERS = (Role.FUND_COUNCIL, Role.COMMITTEE)


def may_keep(principal: Principal) -> bool:
    """Whether the page shows the forms: a read-only visitor sees figures only."""
    return principal.holds(*KEEPERS)


@dataclass(frozen=True)
class FundView:
    village: Village
    may_act: bool
    today: date
    balances: ledger.FundBalances
    month: fund_report.FundStatement  # this month so far
    arrears: list[pledges.ArrearsLine]
    pledges: list[pledges.PledgeLine]
    methods: tuple[str, ...]

    @property
    def arrears_fen(self) -> int:
        return sum(line.status.outstanding_fen for line in self.arrears)


async def fund_page(
    session: AsyncSession, principal: Principal, village_id: int, now: datetime
) -> FundView:
    """Balance and pool, this month's figures, the arrears and the pledges to pay against."""
    village = await village_for(session, principal, village_id, *READERS)
    today = local_today(now)
    return FundView(
        village=village,
        may_act=may_keep(principal),
        today=today,
        balances=await ledger.fund_balances(session, village),
        month=await fund_report.build_statement(session, village, today, now),
        arrears=await pledges.arrears(session, village, today),
        pledges=await pledges.pledge_lines(session, village),
        methods=tuple(method.value for method in ledger.PayMethod),
    )


@dataclass(frozen=True)
class PledgesView:
    village: Village
    year: int
    lines: list[pledges.PledgeLine]
    periods: dict[int, list[pledges.PeriodStatus]]  # pledge id → its periods in ``year``


async def fund_pledges_page(
    session: AsyncSession, principal: Principal, village_id: int, year: int, now: datetime
) -> PledgesView:
    """Every pledge with its periods of ``year`` and where each stands (已缴, 欠缴, …)."""
    village = await village_for(session, principal, village_id, *READERS)
    lines = await pledges.pledge_lines(session, village)
    periods = await pledges.period_statuses(
        session,
        [line.pledge for line in lines],
        date(year, 1, 1),
        date(year, 12, 1),
        local_today(now),
    )
    return PledgesView(village, year, lines, periods)


@dataclass(frozen=True)
class ContributionInput:
    pledge_id: int
    month: str  # 2026-10
    amount: str  # yuan as typed: 100, 100.50
    day: str  # the day paid; "" is today
    method: str
    once: str  # the form's one-time token: a second click of the same form records nothing


async def record_contribution(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    form: ContributionInput,
    now: datetime,
) -> str:
    """Record a supporter's payment (matched from the pool); thank them; say what happened."""
    village = await village_for(session, principal, village_id)
    actor = await principal.staff(session)
    pledge = await pledges.find_pledge(session, village, form.pledge_id)
    done = await pledges.record_contribution(
        session,
        actor,
        pledge,
        ledger.parse_month(form.month),
        ledger.parse_yuan(form.amount),
        ledger.parse_day(form.day) if form.day.strip() else None,
        form.method,
        key=f"console:{form.once}" if form.once else None,
        now=now,
    )
    if done.new:
        await thank_supporter(session, done.entry, now)
    subsidy = ledger.yuan(done.subsidy.amount_fen) if done.subsidy else ledger.yuan(0)
    return text(
        "console_fund_contribution_done" if done.new else "console_fund_contribution_before",
        period=done.status.period_text,
        amount=ledger.yuan(done.entry.amount_fen),
        subsidy=subsidy,
        state=done.status.state_text,
        owed=ledger.yuan(done.status.outstanding_fen),
    )


@dataclass(frozen=True)
class DonationInput:
    donor: str
    amount: str
    day: str  # "" is today
    method: str
    ref: str  # the receipt's number: the same number is recorded once
    note: str
    again: bool  # the person confirmed it is another gift, not the same one typed twice


@dataclass(frozen=True)
class DonationOutcome:
    message: str
    twice: bool  # nothing recorded: the same gift seems typed twice; ask before recording it


async def record_donation(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    form: DonationInput,
    now: datetime,
) -> DonationOutcome:
    """Record a gift; the domain's "typed twice?" refusal becomes a question, not an error."""
    village = await village_for(session, principal, village_id)
    actor = await principal.staff(session)
    ref = form.ref.strip()
    try:
        entry = await ledger.record_donation(
            session,
            actor,
            village,
            form.donor,
            ledger.parse_yuan(form.amount),
            ledger.parse_day(form.day) if form.day.strip() else None,
            form.method,
            form.note,
            key=f"donation:{village.id}:{ref}" if ref else None,
            again=form.again,
            now=now,
        )
    except Conflict as error:
        if error.code != "fund_donation_twice":
            raise
        return DonationOutcome(error.message, twice=True)
    held = await ledger.fund_balances(session, village)
    message = text(
        "console_fund_donation_done",
        donor=entry.donor,
        amount=ledger.yuan(entry.amount_fen),
        balance=ledger.yuan(held.balance_fen),
        pool=ledger.yuan(held.pool_fen),
    )
    return DonationOutcome(message, twice=False)


async def fund_statement(
    session: AsyncSession, principal: Principal, village_id: int, month: str, now: datetime
) -> fund_report.FundStatement:
    """The 收支公示 of ``month`` (YYYY-MM), for the printable page and the workbook."""
    village = await village_for(session, principal, village_id, *READERS)
    return await fund_report.build_statement(session, village, ledger.parse_month(month), now)


async def fund_statement_export(
    session: AsyncSession, principal: Principal, village_id: int, month: str, now: datetime
) -> Export:
    """The 收支公示 as a workbook: the totals, then a line per elder, then the donations."""
    village = await village_for(session, principal, village_id, *READERS)
    found = await fund_report.build_statement(session, village, ledger.parse_month(month), now)
    totals = [
        (text(f"fund_html_{name}"), ledger.yuan(fen))
        for name, fen in (
            ("opening", found.opening_fen),
            ("contributions", found.contributions_fen),
            ("donations", found.donations_fen),
            ("subsidies", found.subsidies_fen),
            ("payouts", found.payouts_fen),
            ("closing", found.closing_fen),
            ("pool", found.pool_fen),
        )
    ]
    elders = [
        (
            e.household_number,
            e.name,
            ledger.yuan(e.contributions_fen),
            ledger.yuan(e.subsidies_fen),
            ledger.yuan(e.received_fen),
            ledger.yuan(e.paid_out_fen),
        )
        for e in found.elders
    ]
    gifts = [
        (g.booked_on.isoformat(), g.donor, ledger.yuan(g.amount_fen), g.method, g.note)
        for g in found.donations
    ]
    elder_head = [
        text(f"fund_col_{c}")
        for c in ("household", "elder", "contributions", "subsidies", "received", "paid_out")
    ]
    gift_head = [text(f"fund_col_{c}") for c in ("date", "donor", "amount", "method", "note")]
    rows = [
        (found.title,),
        *totals,
        (),
        (text("fund_html_elders"),),
        elder_head,
        *elders,
        (),
        (text("fund_html_donation_list"),),
        gift_head,
        *gifts,
    ]
    headers = [text("console_fund_col_item"), text("fund_col_amount")]
    content = workbook(text("console_fund_statement_sheet"), headers, rows)
    filename = text(
        "console_fund_statement_filename",
        village=village.name,
        month=ledger.month_key(found.month),
        day=to_local(now).date().isoformat(),
    )
    return Export(filename, content)


@dataclass(frozen=True)
class HonourView:
    village: Village
    year: int
    lines: list[fund_report.HonourLine]
    published: bool  # False: who stands on the roll so far; not yet fixed
    issued: str


async def honour_page(
    session: AsyncSession, principal: Principal, village_id: int, year: int, now: datetime
) -> HonourView:
    """The year's 孝善光荣榜: as published, or else who has kept every period so far."""
    village = await village_for(session, principal, village_id, *READERS)
    today = local_today(now)
    stored = await fund_report.find_honour_roll(session, village, year)
    if stored is not None:
        return HonourView(village, year, stored[1], True, today.isoformat())
    lines = await fund_report.honour_roll(session, village, year, today)
    return HonourView(village, year, lines, False, today.isoformat())
