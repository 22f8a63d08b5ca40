"""The 孝善基金 in the console: what the fund holds, who is behind, money in and out.

Every rule (who may record, overpaying, a gift typed twice, matching) lives in
:mod:`fund.ledger` and :mod:`fund.pledges`; these use cases only gather
what a page shows and turn a form's words into the domain's calls. The 孝善理事会
and the 村两委 act; the 村务监督委员会 reads the same pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import local_today, to_local
from core.errors import Conflict, DomainError
from core.models import Role
from fund import ledger, pledges
from fund import report as fund_report
from fund import rule as fund_rule
from fund.messages import propose_family_stars, thank_supporter
from fund.models import FundEntry, FundEntryKind, PledgeFrequency
from usecases.exports import Export, workbook
from usecases.principal import Principal, village_for
from village.masking import mask_phone
from village.models import Household, Supporter, Village
from village.registry import find_household

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


# ---------------------------------------------------------------- money out: payouts


@dataclass(frozen=True)
class OwedLine:
    """What the fund holds for one elder (contributions and subsidies not yet paid out)."""

    elder_id: int
    name: str
    household_number: str
    owed_fen: int


@dataclass(frozen=True)
class PayoutsView:
    village: Village
    may_act: bool
    today: date
    owed: list[OwedLine]
    paid: fund_report.FundStatement  # this month's payouts, per elder
    methods: tuple[str, ...]

    @property
    def owed_fen(self) -> int:
        return sum(line.owed_fen for line in self.owed)


async def payouts_page(
    session: AsyncSession, principal: Principal, village_id: int, now: datetime
) -> PayoutsView:
    """Who the fund holds money for, and what this month has paid out so far."""
    village = await village_for(session, principal, village_id, *READERS)
    today = local_today(now)
    owed = await ledger.owed_by_elder(session, village.id or 0)
    labels = await ledger.elder_labels(session, owed)
    lines = [
        OwedLine(elder, labels[elder].name, labels[elder].household_number, fen)
        for elder, fen in owed.items()
        if fen > 0
    ]
    lines.sort(key=lambda x: (x.household_number, x.name, x.elder_id))
    return PayoutsView(
        village=village,
        may_act=may_keep(principal),
        today=today,
        owed=lines,
        paid=await fund_report.build_statement(session, village, today, now),
        methods=tuple(method.value for method in ledger.PayMethod),
    )


@dataclass(frozen=True)
class PayoutInput:
    month: str  # 2026-10: the month paid for
    method: str
    elder_id: int  # 0: every elder, all they are owed
    amount: str  # one elder only; "" is all they are owed
    once: str  # the form's one-time token: a second click pays nobody twice


async def pay_out(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    form: PayoutInput,
    now: datetime,
) -> str:
    """The month's payout to every elder (once a month), or to one elder; say what was paid."""
    village = await village_for(session, principal, village_id, *KEEPERS)
    actor = await principal.staff(session)
    month = ledger.parse_month(form.month)
    if not form.elder_id:
        lines = await ledger.pay_out(session, actor, village, month, form.method, now)
        new = [line for line in lines if line.new]
        if not lines:
            return text("console_fund_nothing_to_pay")
        return text(
            "console_fund_paid_out",
            month=ledger.month_text(month),
            count=len(new),
            total=ledger.yuan(sum(line.entry.amount_fen for line in new)),
            earlier=len(lines) - len(new),
        )
    elder = await pledges.find_member(session, village, form.elder_id)
    fen = (
        ledger.parse_yuan(form.amount)
        if form.amount.strip()
        else await ledger.elder_owed(session, elder.id or 0)
    )
    if fen <= 0:
        return text("console_fund_nothing_to_pay")
    entry = await ledger.pay_elder(
        session,
        actor,
        village,
        elder,
        fen,
        month,
        form.method,
        now,
        key=f"console:payout:{form.once}" if form.once else None,
    )
    return text(
        "console_fund_paid_elder",
        elder=elder.name,
        amount=ledger.yuan(entry.amount_fen),
        month=ledger.month_text(month),
    )


# ---------------------------------------------------------------- the journal and reversals

#: How many of the latest entries the journal page lists (older ones: the 收支公示).
JOURNAL_LENGTH = 200


@dataclass(frozen=True)
class EntryLine:
    entry: FundEntry
    who: str  # the elder (and supporter), or the donor
    reversed_by: int | None  # the reversal's id, once reversed

    @property
    def kind_text(self) -> str:
        return text(f"fund_kind_{self.entry.kind}")

    @property
    def reversible(self) -> bool:
        """Not a reversal, not reversed, not a subsidy (it goes with its contribution)."""
        entry = self.entry
        return (
            entry.reverses_id is None
            and self.reversed_by is None
            and not (entry.kind == FundEntryKind.SUBSIDY and entry.source_id is not None)
        )


@dataclass(frozen=True)
class JournalView:
    village: Village
    may_act: bool
    lines: list[EntryLine]


async def journal_page(session: AsyncSession, principal: Principal, village_id: int) -> JournalView:
    """The latest entries of the fund's journal, newest first, each reversible once."""
    village = await village_for(session, principal, village_id, *READERS)
    entries = list(
        await session.scalars(
            select(FundEntry)
            .where(FundEntry.village_id == (village.id or 0))
            .order_by(col(FundEntry.id).desc())
            .limit(JOURNAL_LENGTH)
        )
    )
    ids = [entry.id or 0 for entry in entries]
    reversals = {
        int(original or 0): int(undo or 0)
        for original, undo in await session.execute(
            select(col(FundEntry.reverses_id), col(FundEntry.id)).where(
                col(FundEntry.reverses_id).in_(ids)
            )
        )
    }
    labels = await ledger.elder_labels(session, [e.elder_id for e in entries if e.elder_id])
    supporter_ids = {e.supporter_id for e in entries if e.supporter_id}
    names = {
        s.id: s.name
        for s in await session.scalars(
            select(Supporter).where(col(Supporter.id).in_(supporter_ids))
        )
    }

    def who(entry: FundEntry) -> str:
        if entry.elder_id is None:
            return entry.donor
        elder = labels[entry.elder_id]
        supporter = names.get(entry.supporter_id) if entry.supporter_id else None
        return f"{elder.name}（{elder.household_number}）" + (
            f" ← {supporter}" if supporter else ""
        )

    lines = [EntryLine(e, who(e), reversals.get(e.id or 0)) for e in entries]
    return JournalView(village, may_keep(principal), lines)


@dataclass(frozen=True)
class ReversalInput:
    entry_id: int
    reason: str


async def reverse_entry(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    form: ReversalInput,
    now: datetime,
) -> str:
    """冲正 an entry with its reason; a contribution's subsidy goes back to the pool with it."""
    village = await village_for(session, principal, village_id, *KEEPERS)
    actor = await principal.staff(session)
    original = await ledger.get_entry(session, village, form.entry_id)
    undo = await ledger.reverse_fund_entry(session, actor, form.entry_id, form.reason, now)
    subsidy = (
        await ledger.subsidy_of(session, form.entry_id)
        if original.kind == FundEntryKind.CONTRIBUTION
        else None
    )
    held = await ledger.fund_balances(session, village)
    return text(
        "console_fund_reversed",
        entry_id=form.entry_id,
        kind=text(f"fund_kind_{original.kind}"),
        amount=ledger.yuan(-undo.amount_fen),
        subsidy=text("console_fund_reversed_subsidy", amount=ledger.yuan(subsidy.amount_fen))
        if subsidy is not None
        else "",
        balance=ledger.yuan(held.balance_fen),
        pool=ledger.yuan(held.pool_fen),
    )


# ---------------------------------------------------------------- supporters


@dataclass(frozen=True)
class SupporterLine:
    supporter: Supporter
    household_number: str  # their own household in the village, or ""

    @property
    def phone(self) -> str:
        return mask_phone(self.supporter.phone)


@dataclass(frozen=True)
class SupportersView:
    village: Village
    may_act: bool
    lines: list[SupporterLine]


async def supporters_page(
    session: AsyncSession, principal: Principal, village_id: int
) -> SupportersView:
    """The village's 赡养人 (phones masked), to add to and correct."""
    village = await village_for(session, principal, village_id, *READERS)
    supporters = await pledges.list_supporters(session, village)
    homes = {s.household_id for s in supporters if s.household_id}
    numbers = {
        h.id: h.number
        for h in await session.scalars(select(Household).where(col(Household.id).in_(homes)))
    }
    lines = [SupporterLine(s, numbers.get(s.household_id, "")) for s in supporters]
    return SupportersView(village, may_keep(principal), lines)


@dataclass(frozen=True)
class SupporterInput:
    name: str
    phone: str  # a mobile; "" is none
    relation: str  # 儿子, 女儿 …
    household: str  # their own 户编号 in the village; "" is none (adding only)


async def add_supporter(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    form: SupporterInput,
) -> str:
    """Register a 赡养人; a landline or a bad number is refused (reminders go by SMS)."""
    village = await village_for(session, principal, village_id, *KEEPERS)
    actor = await principal.staff(session)
    home = (
        await find_household(session, form.household, village.id)
        if form.household.strip()
        else None
    )
    supporter = await pledges.add_supporter(
        session, actor, village, form.name, form.phone, form.relation, home
    )
    return text(
        "console_fund_supporter_added",
        name=supporter.name,
        id=supporter.id,
        phone=mask_phone(supporter.phone),
    )


async def edit_supporter(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    supporter_id: int,
    form: SupporterInput,
) -> str:
    """Correct a 赡养人's name, mobile or relation; a blank number keeps the one on file
    (the page shows numbers masked, so it cannot offer the old one to edit)."""
    village = await village_for(session, principal, village_id, *KEEPERS)
    actor = await principal.staff(session)
    supporter = await pledges.find_supporter(session, village, supporter_id)
    phone = form.phone if form.phone.strip() else supporter.phone
    supporter = await pledges.edit_supporter(
        session, actor, supporter, form.name, phone, form.relation
    )
    return text(
        "console_fund_supporter_saved",
        name=supporter.name,
        id=supporter.id,
        phone=mask_phone(supporter.phone),
    )


# ---------------------------------------------------------------- pledges: signing and ending


@dataclass(frozen=True)
class PledgeFormsView:
    """What the forms on the pledges page choose from."""

    elders: list[pledges.Elder]
    supporters: list[Supporter]
    month: str  # this month, the default start
    frequencies: tuple[tuple[str, str], ...]  # (value, 按月)


async def pledge_forms(
    session: AsyncSession, principal: Principal, village_id: int, now: datetime
) -> PledgeFormsView | None:
    """The elders and supporters to sign a pledge between; None for a read-only visitor."""
    village = await village_for(session, principal, village_id, *READERS)
    if not may_keep(principal):
        return None
    today = local_today(now)
    return PledgeFormsView(
        elders=await pledges.list_elders(session, village, today),
        supporters=await pledges.list_supporters(session, village),
        month=ledger.month_key(today),
        frequencies=tuple((f.value, pledges.frequency_text(f.value)) for f in PledgeFrequency),
    )


@dataclass(frozen=True)
class PledgeInput:
    elder_id: int
    supporter_id: int
    amount: str  # yuan a month
    due_day: str  # 1–31
    start: str  # 2026-10
    frequency: str


async def sign_pledge(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    form: PledgeInput,
    now: datetime,
) -> str:
    """Record a 赡养承诺书 between an elder and a supporter of the village."""
    village = await village_for(session, principal, village_id, *KEEPERS)
    actor = await principal.staff(session)
    elder = await pledges.find_member(session, village, form.elder_id)
    supporter = await pledges.find_supporter(session, village, form.supporter_id)
    day = form.due_day.strip()
    if not (day.isdecimal() and len(day) <= 2):
        raise DomainError("fund_bad_due_day", day=day)
    pledge = await pledges.sign_pledge(
        session,
        actor,
        village,
        elder,
        supporter,
        ledger.parse_yuan(form.amount),
        int(day),
        ledger.parse_month(form.start),
        pledges.parse_frequency(form.frequency),
        now,
    )
    return text(
        "console_fund_pledge_signed",
        id=pledge.id,
        supporter=supporter.name,
        elder=elder.name,
        amount=ledger.yuan(pledge.monthly_fen),
        frequency=pledges.frequency_text(pledge.frequency),
        day=pledge.due_day,
        start=ledger.month_text(pledge.start_month),
    )


@dataclass(frozen=True)
class PledgeEndInput:
    pledge_id: int
    month: str  # the last month pledged


async def end_pledge(
    session: AsyncSession, principal: Principal, village_id: int, form: PledgeEndInput
) -> str:
    """Set a pledge's last month (the one change a pledge allows)."""
    village = await village_for(session, principal, village_id, *KEEPERS)
    actor = await principal.staff(session)
    pledge = await pledges.find_pledge(session, village, form.pledge_id)
    pledge = await pledges.end_pledge(session, actor, pledge, ledger.parse_month(form.month))
    assert pledge.end_month is not None
    return text(
        "console_fund_pledge_ended", id=pledge.id, month=ledger.month_text(pledge.end_month)
    )


# ---------------------------------------------------------------- publishing the 光荣榜


@dataclass(frozen=True)
class HonourInput:
    year: str
    stars: bool  # also propose the 良好家风之星 for the named supporters' households
    confirmed: bool  # the council knows the year is not over and publishes all the same


@dataclass(frozen=True)
class HonourOutcome:
    message: str
    ask: bool  # nothing published: the year is still open; ask before publishing


async def publish_honour(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    form: HonourInput,
    now: datetime,
) -> HonourOutcome:
    """Publish the year's roll; the domain's "year still open" refusal becomes a question."""
    village = await village_for(session, principal, village_id, *KEEPERS)
    actor = await principal.staff(session)
    year = form.year.strip()
    if not (year.isdecimal() and len(year) == 4):
        raise DomainError("console_fund_bad_year", value=year)
    try:
        done = await fund_report.publish_honour_roll(
            session,
            actor,
            village,
            int(year),
            now,
            propose_stars=propose_family_stars if form.stars else None,
            before_year_end=form.confirmed,
        )
    except DomainError as error:
        if error.code != "fund_honour_year_open":
            raise
        return HonourOutcome(error.message, ask=True)
    message = text(
        "console_fund_honour_published",
        year=year,
        count=len({line.supporter_id for line in done.lines}),
    )
    if done.stars is not None and done.stars.proposed:
        message += text(
            "console_fund_stars_proposed",
            round=done.stars.round_name or "—",
            households="、".join(done.stars.proposed),
        )
    if done.stars is not None and done.stars.skipped:
        message += " " + "；".join(done.stars.skipped)
    return HonourOutcome(message, ask=False)


# ---------------------------------------------------------------- the matching rule (配捐规则)


@dataclass(frozen=True)
class RuleView:
    village: Village
    may_act: bool
    rules: list[tuple[str, bool]]  # each rule in words, and whether it is in force now
    month: str  # this month: the earliest a new rule may start


async def rule_page(
    session: AsyncSession, principal: Principal, village_id: int, now: datetime
) -> RuleView:
    """The 村集体配比 rules in order, the one in force this month marked."""
    village = await village_for(session, principal, village_id, *READERS)
    today = local_today(now)
    current = await fund_rule.rule_for(session, village.id or 0, today)
    rules = [
        (fund_rule.rule_text(r), current is not None and r.id == current.id)
        for r in await fund_rule.list_rules(session, village)
    ]
    return RuleView(village, may_keep(principal), rules, ledger.month_key(today))


@dataclass(frozen=True)
class RuleInput:
    start: str  # 2027-01, not before this month
    rate: str  # 10% or 0.1
    cap: str  # yuan per elder and month; "" is no cap


async def set_rule(
    session: AsyncSession,
    principal: Principal,
    village_id: int,
    form: RuleInput,
    now: datetime,
) -> str:
    """A matching rule from a month on; the subsidies already recorded stay as they are."""
    village = await village_for(session, principal, village_id, *KEEPERS)
    actor = await principal.staff(session)
    cap = ledger.parse_yuan(form.cap, allow_zero=True) if form.cap.strip() else None
    rule = await fund_rule.set_fund_rule(
        session,
        actor,
        village,
        ledger.parse_month(form.start),
        fund_rule.parse_rate(form.rate),
        cap,
        now,
    )
    return text("console_fund_rule_set", rule=fund_rule.rule_text(rule))
