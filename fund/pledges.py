"""孝善 pledges: elders, their supporters, the 赡养承诺书, contributions and what is owed.

Every due date comes from :mod:`fund.pledge_schedule` (the reminder sweeps
use it too). A contribution is for one pledge and one *period* (a month, or a
quarter for a quarterly pledge): ``FundEntry.month`` is the period's first
month, and the period counts as paid once its contributions add up to
``period_amount``. The matching subsidy is computed when the contribution is
recorded, under the rule in force for the period's month, and never changes
afterwards: a new rule applies from its month on.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_FLOOR
from enum import StrEnum

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from core.catalogue import text
from core.clock import local_today, utcnow
from core.errors import Conflict, DomainError, NotFound
from core.models import Role
from fund.ledger import (
    ElderLabel,
    FundPosting,
    Kind,
    PayMethod,
    by_key,
    clip_note,
    elder_labels,
    lock_account,
    month_text,
    parse_method,
    past_or_today,
    post,
    row_id,
    subsidy_of,
    yuan,
)
from fund.models import FundEntry, Pledge, PledgeFrequency
from fund.pledge_schedule import (
    add_months,
    month_start,
    period_amount,
    period_due,
    period_of,
    periods,
    step,
)
from fund.rule import rule_for
from village import action_log
from village.access import require_fund_role, require_role
from village.masking import mask_phone
from village.models import Household, Member, StaffMember, Supporter, Village
from village.phones import e164, is_mobile, masked_typo

ELDER_AGES = (60, 65)
NAME_LENGTH = 64
RELATION_LENGTH = 20
MAX_MONTHLY_FEN = 10_000_000  # 10万元 a month: anything above is a typing slip
CHUNK = 500


# ---------------------------------------------------------------- elders


def age_on(birth: date, day: date) -> int:
    """Whole years on ``day`` (born on 29 February: a year older on 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def born_by(age: int, day: date) -> date:
    """The latest birth date of someone at least ``age`` years old on ``day``."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - age, day=28)


@dataclass(frozen=True)
class Elder:
    member: Member
    household: Household
    age: int


async def list_elders(
    session: AsyncSession, village: Village, today: date | None = None
) -> list[Elder]:
    """Active members of the village aged ``village.elder_age`` or more on ``today``."""
    today = today or local_today()
    rows = await session.execute(
        select(Member, Household)
        .join(Household, col(Household.id) == col(Member.household_id))
        .where(
            Household.village_id == row_id(village.id),
            col(Member.active).is_(True),
            col(Member.birth_date).is_not(None),
            col(Member.birth_date) <= born_by(village.elder_age, today),
        )
        .order_by(col(Household.number), col(Member.birth_date), col(Member.id))
    )
    return [
        Elder(member, household, age_on(member.birth_date or today, today))
        for member, household in rows
    ]


async def find_member(session: AsyncSession, village: Village, ref: str | int) -> Member:
    """A registry member of ``village`` by id or by name."""
    text_ref = str(ref).strip()
    query = (
        select(Member)
        .join(Household, col(Household.id) == col(Member.household_id))
        .where(Household.village_id == row_id(village.id))
    )
    if text_ref.isdigit():
        query = query.where(Member.id == int(text_ref))
    else:
        query = query.where(Member.name == text_ref, col(Member.active).is_(True))
    found = list(await session.scalars(query))
    if not found:
        raise NotFound(
            "fund_elder_not_found", ref=text_ref, village=village.name, limit=village.elder_age
        )
    if len(found) > 1:
        raise Conflict(
            "fund_member_ambiguous", ref=text_ref, ids=", ".join(str(m.id) for m in found)
        )
    return found[0]


def check_elder(member: Member, village: Village, day: date) -> int:
    """The member's age on ``day``; refused unless they are one of the village's elders."""
    if member.birth_date is None:
        raise DomainError("fund_elder_no_birth", name=member.name, limit=village.elder_age)
    age = age_on(member.birth_date, day)
    if not member.active or age < village.elder_age:
        raise DomainError("fund_not_elder", name=member.name, age=age, limit=village.elder_age)
    return age


async def find_elder(
    session: AsyncSession, village: Village, ref: str | int, today: date | None = None
) -> Elder:
    member = await find_member(session, village, ref)
    household = await session.get(Household, member.household_id)
    assert household is not None
    return Elder(member, household, check_elder(member, village, today or local_today()))


async def set_elder_age(
    session: AsyncSession, actor: StaffMember, village: Village, age: int
) -> Village:
    """The 村两委 decides whether its elders are 60 (the seed's fund) or 65 (its 台账) and over."""
    require_role(actor, village, Role.COMMITTEE)
    if age not in ELDER_AGES:
        raise DomainError("fund_bad_elder_age", age=age)
    if village.elder_age != age:
        village.elder_age = age
        session.add(village)
        await action_log.record(session, actor, village, "elder_age", age=age)
    await session.flush()
    return village


# ---------------------------------------------------------------- supporters


def normalise_phone(value: str) -> str:
    """E.164 (+8613812345678), as the roster stores phones; a bad number is shown masked.

    A 座机 is refused: supporters get their 孝善 reminders by SMS.
    """
    number = e164(value)
    if number is None:
        raise DomainError("fund_bad_phone", value=masked_typo(value))
    if not is_mobile(number):
        raise DomainError("phone_landline", value=masked_typo(value))
    return number


async def _checked_supporter(
    session: AsyncSession,
    village: Village,
    name: str,
    phone: str | None,
    relation: str,
    supporter_id: int | None = None,
) -> tuple[str, str | None, str]:
    """Name, mobile and relation as kept; refused when another supporter has the same name and number."""
    name, relation = name.strip(), relation.strip()
    if not name or len(name) > NAME_LENGTH:
        raise DomainError("fund_bad_supporter_name", limit=NAME_LENGTH)
    if len(relation) > RELATION_LENGTH:
        raise DomainError("fund_bad_relation", limit=RELATION_LENGTH)
    number = normalise_phone(phone) if phone and phone.strip() else None
    same = await session.scalar(
        select(Supporter).where(
            Supporter.village_id == row_id(village.id),
            Supporter.name == name,
            Supporter.phone == number,
            Supporter.id != (supporter_id or 0),
        )
    )
    if same is not None:
        raise Conflict("fund_supporter_exists", name=name, id=same.id)
    return name, number, relation


def _supporter_text(name: str, phone: str | None, relation: str) -> str:
    """A supporter as the action log names them, the number masked: 李小军（儿子，138****8000）."""
    return text(
        "action_supporter_text", name=name, relation=relation or "—", phone=mask_phone(phone)
    )


async def add_supporter(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    name: str,
    phone: str | None,
    relation: str = "",
    household: Household | None = None,
) -> Supporter:
    """A 赡养人; ``household`` is their own household in the village, if they have one."""
    require_fund_role(actor, village)
    if household is not None and household.village_id != village.id:
        raise NotFound("household_not_found", ref=household.number)
    name, number, relation = await _checked_supporter(session, village, name, phone, relation)
    supporter = Supporter(
        village_id=row_id(village.id),
        name=name,
        phone=number,
        relation=relation,
        household_id=household.id if household else None,
    )
    session.add(supporter)
    await session.flush()
    await action_log.record(
        session,
        actor,
        village,
        "add_supporter",
        id=supporter.id,
        supporter=_supporter_text(name, number, relation),
    )
    return supporter


async def edit_supporter(
    session: AsyncSession,
    actor: StaffMember,
    supporter: Supporter,
    name: str,
    phone: str | None,
    relation: str = "",
) -> Supporter:
    """Correct a 赡养人's name, mobile or relation (a new number, a typo); pledges stay theirs.

    The same rules as :func:`add_supporter`: a mobile only, and no second
    supporter of the same name and number in the village.
    """
    village = await session.get(Village, supporter.village_id)
    assert village is not None
    require_fund_role(actor, village)
    name, number, relation = await _checked_supporter(
        session, village, name, phone, relation, supporter.id
    )
    before = (supporter.name, supporter.phone, supporter.relation)
    if before != (name, number, relation):
        supporter.name, supporter.phone, supporter.relation = name, number, relation
        session.add(supporter)
        await action_log.record(
            session,
            actor,
            village,
            "edit_supporter",
            id=supporter.id,
            before=_supporter_text(*before),
            after=_supporter_text(name, number, relation),
        )
    await session.flush()
    return supporter


async def list_supporters(session: AsyncSession, village: Village) -> list[Supporter]:
    return list(
        await session.scalars(
            select(Supporter)
            .where(Supporter.village_id == row_id(village.id))
            .order_by(col(Supporter.id))
        )
    )


async def find_supporter(session: AsyncSession, village: Village, ref: str | int) -> Supporter:
    """By id, by phone number (11 digits or more) or by name, within the village."""
    text_ref = str(ref).strip()
    query = select(Supporter).where(Supporter.village_id == row_id(village.id))
    digits = "".join(ch for ch in text_ref if ch.isdigit())
    if text_ref.isdigit() and len(text_ref) < 11:
        query = query.where(Supporter.id == int(text_ref))
    elif len(digits) >= 11:
        query = query.where(Supporter.phone == normalise_phone(text_ref))
    else:
        query = query.where(Supporter.name == text_ref)
    found = list(await session.scalars(query))
    if not found:
        raise NotFound("fund_supporter_not_found", ref=text_ref, village=village.name)
    if len(found) > 1:
        raise Conflict(
            "fund_supporter_ambiguous", ref=text_ref, ids=", ".join(str(s.id) for s in found)
        )
    return found[0]


# ---------------------------------------------------------------- pledges


_FREQUENCY_WORDS = {
    PledgeFrequency.MONTHLY: ("monthly", "month", "m", "按月", "月", "每月", "月缴"),
    PledgeFrequency.QUARTERLY: ("quarterly", "quarter", "q", "按季", "季", "每季", "季度", "季缴"),
}


def parse_frequency(value: str) -> PledgeFrequency:
    key = unicodedata.normalize("NFKC", value).strip().lower()
    for frequency, words in _FREQUENCY_WORDS.items():
        if key in words:
            return frequency
    raise DomainError("fund_bad_frequency", value=value)


def frequency_text(value: str) -> str:
    return text(f"fund_frequency_{value}")


async def sign_pledge(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    elder: Member,
    supporter: Supporter,
    monthly_fen: int,
    due_day: int,
    start_month: date,
    frequency: PledgeFrequency | str = PledgeFrequency.MONTHLY,
    now: datetime | None = None,
) -> Pledge:
    """Record a 赡养承诺书: ``supporter`` pays ``monthly_fen`` a month for ``elder``."""
    require_fund_role(actor, village)
    start = month_start(start_month)
    household = await session.get(Household, elder.household_id)
    if household is None or household.village_id != village.id:
        raise NotFound(
            "fund_elder_not_found", ref=elder.name, village=village.name, limit=village.elder_age
        )
    check_elder(elder, village, max(local_today(now), start))
    if supporter.village_id != village.id:
        raise NotFound("fund_supporter_not_found", ref=supporter.name, village=village.name)
    if not 0 < monthly_fen <= MAX_MONTHLY_FEN:
        raise DomainError("fund_bad_monthly", amount=yuan(monthly_fen), max=yuan(MAX_MONTHLY_FEN))
    if not 1 <= due_day <= 31:
        raise DomainError("fund_bad_due_day", day=due_day)
    chosen = frequency if isinstance(frequency, PledgeFrequency) else parse_frequency(frequency)
    running = await session.scalar(
        select(Pledge).where(
            Pledge.elder_id == row_id(elder.id),
            Pledge.supporter_id == row_id(supporter.id),
            (col(Pledge.end_month).is_(None)) | (col(Pledge.end_month) >= start),
        )
    )
    if running is not None:
        raise Conflict(
            "fund_pledge_exists", id=running.id, elder=elder.name, supporter=supporter.name
        )
    pledge = Pledge(
        village_id=row_id(village.id),
        elder_id=row_id(elder.id),
        supporter_id=row_id(supporter.id),
        monthly_fen=monthly_fen,
        due_day=due_day,
        start_month=start,
        frequency=chosen.value,
        created_by=row_id(actor.id),
        created_at=now or utcnow(),
    )
    session.add(pledge)
    await session.flush()
    return pledge


async def find_pledge(session: AsyncSession, village: Village, pledge_id: int) -> Pledge:
    pledge = await session.get(Pledge, pledge_id)
    if pledge is None or pledge.village_id != village.id:
        raise NotFound("fund_pledge_not_found", id=pledge_id, village=village.name)
    return pledge


async def end_pledge(
    session: AsyncSession, actor: StaffMember, pledge: Pledge, end_month: date
) -> Pledge:
    """Set the last month pledged (the one change a pledge allows), not before money paid."""
    village = await session.get(Village, pledge.village_id)
    assert village is not None
    require_fund_role(actor, village)
    if pledge.end_month is not None:
        raise Conflict(
            "fund_pledge_already_ended", id=pledge.id, month=month_text(pledge.end_month)
        )
    end = month_start(end_month)
    if end < pledge.start_month:
        raise DomainError(
            "fund_end_before_start", month=month_text(end), start=month_text(pledge.start_month)
        )
    paid_later = await session.scalar(
        sa_select(col(FundEntry.month))
        .where(
            col(FundEntry.pledge_id) == row_id(pledge.id),
            col(FundEntry.kind) == Kind.CONTRIBUTION.value,
            col(FundEntry.month) > end,
        )
        .group_by(col(FundEntry.month))
        .having(func.sum(col(FundEntry.amount_fen)) > 0)
        .order_by(col(FundEntry.month).desc())
        .limit(1)
    )
    if paid_later is not None:
        raise DomainError("fund_end_paid_after", month=month_text(end), paid=month_text(paid_later))
    pledge.end_month = end
    session.add(pledge)
    await action_log.record(
        session, actor, village, "end_pledge", id=pledge.id, month=month_text(end)
    )
    return pledge


@dataclass(frozen=True)
class PledgeLine:
    """A pledge with the names a printed list needs (the phone masked)."""

    pledge: Pledge
    elder: ElderLabel
    supporter: Supporter

    @property
    def supporter_phone(self) -> str:
        return mask_phone(self.supporter.phone)


async def pledge_lines(
    session: AsyncSession, village: Village, pledge_ids: Sequence[int] | None = None
) -> list[PledgeLine]:
    """The village's pledges by household, elder and supporter (for printing)."""
    query = (
        select(Pledge, Supporter)
        .join(Supporter, col(Supporter.id) == col(Pledge.supporter_id))
        .where(Pledge.village_id == row_id(village.id))
    )
    if pledge_ids is not None:
        query = query.where(col(Pledge.id).in_(list(pledge_ids)))
    rows = list(await session.execute(query))
    labels = await elder_labels(session, [p.elder_id for p, _ in rows])
    lines = [PledgeLine(p, labels[p.elder_id], s) for p, s in rows]
    lines.sort(
        key=lambda x: (x.elder.household_number, x.elder.name, x.supporter.name, x.pledge.id or 0)
    )
    return lines


# ---------------------------------------------------------------- periods and their state


class PeriodState(StrEnum):
    PAID = "paid"  # 已缴: in full, on or before the due date
    LATE = "late"  # 逾期缴清: in full, the last part after the due date
    PARTIAL = "partial"  # 部分缴纳
    ARREARS = "arrears"  # 欠缴: nothing, and the due date has passed
    NOT_DUE = "not_due"  # 未到期


@dataclass(frozen=True)
class PeriodStatus:
    pledge_id: int
    period: date
    months: int
    due_on: date
    amount_fen: int
    paid_fen: int
    paid_on: date | None  # the day it was paid in full, or of the last part so far
    state: PeriodState

    @property
    def outstanding_fen(self) -> int:
        return max(self.amount_fen - self.paid_fen, 0)

    @property
    def settled(self) -> bool:
        return self.state in (PeriodState.PAID, PeriodState.LATE)

    @property
    def state_text(self) -> str:
        return text(f"fund_state_{self.state.value}")

    @property
    def period_text(self) -> str:
        return period_text(self.period, self.months)


def period_text(period: date, months: int = 1) -> str:
    """2026年10月, or 2026年10月–12月 for a quarter."""
    if months == 1:
        return month_text(period)
    last = add_months(period, months - 1)
    return text("fund_quarter_text", first=month_text(period), last=f"{last.month}月")


Payments = dict[tuple[int, date], list[tuple[date, int]]]


async def _payments(session: AsyncSession, pledge_ids: Sequence[int]) -> Payments:
    """The contributions still standing (not reversed) per (pledge, period), oldest first."""
    undone = aliased(FundEntry)
    found: Payments = defaultdict(list)
    wanted = sorted(set(pledge_ids))
    for start in range(0, len(wanted), CHUNK):
        rows = await session.execute(
            sa_select(
                col(FundEntry.pledge_id),
                col(FundEntry.month),
                col(FundEntry.booked_on),
                col(FundEntry.amount_fen),
            )
            .outerjoin(undone, col(undone.reverses_id) == col(FundEntry.id))
            .where(
                col(FundEntry.pledge_id).in_(wanted[start : start + CHUNK]),
                col(FundEntry.kind) == Kind.CONTRIBUTION.value,
                col(FundEntry.reverses_id).is_(None),
                col(undone.id).is_(None),
            )
            .order_by(col(FundEntry.booked_on), col(FundEntry.id))
        )
        for pledge_id, month, booked_on, amount in rows:
            if pledge_id is None or month is None:
                continue
            found[(pledge_id, month)].append((booked_on, int(amount)))
    return found


def period_status(
    pledge: Pledge, period: date, payments: Sequence[tuple[date, int]], today: date
) -> PeriodStatus:
    amount, due = period_amount(pledge), period_due(pledge, period)
    paid, last_on, full_on = 0, None, None
    for booked_on, fen in payments:
        paid, last_on = paid + fen, booked_on
        if full_on is None and paid >= amount:
            full_on = booked_on
    if full_on is not None:
        state = PeriodState.LATE if full_on > due else PeriodState.PAID
    elif paid > 0:
        state = PeriodState.PARTIAL
    else:
        state = PeriodState.ARREARS if due < today else PeriodState.NOT_DUE
    return PeriodStatus(
        row_id(pledge.id), period, step(pledge), due, amount, paid, full_on or last_on, state
    )


async def period_statuses(
    session: AsyncSession, pledges: Sequence[Pledge], first: date, last: date, today: date
) -> dict[int, list[PeriodStatus]]:
    """Each pledge's periods that begin in ``first``'s month to ``last``'s, with their state."""
    payments = await _payments(session, [row_id(p.id) for p in pledges])
    return {
        row_id(p.id): [
            period_status(p, period, payments.get((row_id(p.id), period), []), today)
            for period in periods(p, first, last)
        ]
        for p in pledges
    }


async def pledge_status(
    session: AsyncSession, pledge: Pledge, year: int, today: date | None = None
) -> list[PeriodStatus]:
    """The pledge's periods in ``year`` and where each stands."""
    found = await period_statuses(
        session, [pledge], date(year, 1, 1), date(year, 12, 1), today or local_today()
    )
    return found[row_id(pledge.id)]


async def _status_of(
    session: AsyncSession, pledge: Pledge, period: date, today: date
) -> PeriodStatus:
    payments = await _payments(session, [row_id(pledge.id)])
    return period_status(pledge, period, payments.get((row_id(pledge.id), period), []), today)


@dataclass(frozen=True)
class ArrearsLine:
    line: PledgeLine
    status: PeriodStatus


async def arrears(
    session: AsyncSession, village: Village, today: date | None = None
) -> list[ArrearsLine]:
    """Every period due on or before ``today`` and not paid in full, for printing."""
    today = today or local_today()
    lines = await pledge_lines(session, village)
    statuses = await period_statuses(
        session, [line.pledge for line in lines], date(1900, 1, 1), today, today
    )
    return [
        ArrearsLine(line, status)
        for line in lines
        for status in statuses[row_id(line.pledge.id)]
        if status.due_on <= today and not status.settled
    ]


# ---------------------------------------------------------------- contributions


@dataclass(frozen=True)
class Contribution:
    """A recorded contribution, its subsidy (if any) and where the period stands now."""

    entry: FundEntry
    subsidy: FundEntry | None
    status: PeriodStatus
    new: bool


async def _subsidised(session: AsyncSession, elder_id: int, period: date, months: int) -> int:
    value = await session.scalar(
        sa_select(func.coalesce(func.sum(col(FundEntry.amount_fen)), 0)).where(
            col(FundEntry.elder_id) == elder_id,
            col(FundEntry.kind) == Kind.SUBSIDY.value,
            col(FundEntry.month) >= period,
            col(FundEntry.month) < add_months(period, months),
        )
    )
    return int(value or 0)


async def _match(
    session: AsyncSession,
    actor: StaffMember,
    pledge: Pledge,
    contribution: FundEntry,
    now: datetime | None,
) -> FundEntry | None:
    """The subsidy for a contribution: rate, then the elder's monthly cap, then the pool."""
    period = contribution.month
    assert period is not None
    rule = await rule_for(session, pledge.village_id, period)
    if rule is None:
        return None
    fen = int((rule.rate * contribution.amount_fen).to_integral_value(rounding=ROUND_FLOOR))
    if rule.cap_fen is not None:
        months = step(pledge)
        used = await _subsidised(session, pledge.elder_id, period, months)
        fen = min(fen, rule.cap_fen * months - used)
    account = await lock_account(session, pledge.village_id)
    fen = min(fen, account.pool_fen)
    if fen <= 0:
        return None
    posting = FundPosting(
        village_id=pledge.village_id,
        kind=Kind.SUBSIDY,
        amount_fen=fen,
        actor_id=row_id(actor.id),
        idempotency_key=f"subsidy:{contribution.id}",
        booked_on=contribution.booked_on,
        elder_id=pledge.elder_id,
        pledge_id=pledge.id,
        supporter_id=pledge.supporter_id,
        month=period,
        source_id=contribution.id,
    )
    return await post(session, posting, now)


async def record_contribution(
    session: AsyncSession,
    actor: StaffMember,
    pledge: Pledge,
    month: date,
    amount_fen: int,
    booked_on: date | None = None,
    method: str = PayMethod.CASH.value,
    note: str = "",
    *,
    key: str | None = None,
    now: datetime | None = None,
) -> Contribution:
    """Record money paid for the period covering ``month``, and its subsidy.

    Parts add up; more than the period still owes is refused. ``key`` (e.g. the
    transfer's reference) makes a repeated entry return the first one.
    """
    village = await session.get(Village, pledge.village_id)
    assert village is not None
    require_fund_role(actor, village)
    period = period_of(pledge, month)
    if period is None:
        raise DomainError(
            "fund_month_outside_pledge",
            month=month_text(month_start(month)),
            start=month_text(pledge.start_month),
            end=month_text(pledge.end_month) if pledge.end_month else text("fund_open_ended"),
        )
    if amount_fen <= 0:
        raise DomainError("fund_bad_amount", value=yuan(amount_fen))
    today = local_today(now)
    posting = FundPosting(
        village_id=pledge.village_id,
        kind=Kind.CONTRIBUTION,
        amount_fen=amount_fen,
        actor_id=row_id(actor.id),
        idempotency_key=f"contribution:{pledge.id}:{key or uuid.uuid4().hex}",
        booked_on=past_or_today(booked_on, now),
        elder_id=pledge.elder_id,
        pledge_id=pledge.id,
        supporter_id=pledge.supporter_id,
        month=period,
        method=parse_method(method).value,
        note=clip_note(note),
    )
    await lock_account(session, pledge.village_id)
    if key and await by_key(session, posting.idempotency_key) is not None:
        entry = await post(session, posting, now)  # the same one back, or a conflict
        subsidy = await subsidy_of(session, row_id(entry.id))
        return Contribution(entry, subsidy, await _status_of(session, pledge, period, today), False)
    before = await _status_of(session, pledge, period, today)
    if amount_fen > before.outstanding_fen:
        raise DomainError(
            "fund_overpay" if before.outstanding_fen else "fund_period_paid",
            period=before.period_text,
            amount=yuan(amount_fen),
            due=yuan(before.amount_fen),
            paid=yuan(before.paid_fen),
            owed=yuan(before.outstanding_fen),
        )
    entry = await post(session, posting, now)
    subsidy = await _match(session, actor, pledge, entry, now)
    return Contribution(entry, subsidy, await _status_of(session, pledge, period, today), True)
