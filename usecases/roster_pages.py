"""The roster and one household, as the console shows them.

The roster is paged (a village has up to a few thousand households) and each
page costs two queries: the households and their balances. Search goes through
:func:`village.search.search_households` (户编号, name, 拼音首字母), the same
ranking the chat bot uses. Every ID-card and phone number leaves here masked:
the templates never see a full one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from care.models import Visit
from care.visits import method_text
from core.catalogue import text
from core.clock import to_local
from core.errors import DomainError, NotFound
from fund.ledger import yuan
from fund.models import Pledge
from fund.pledges import PledgeLine, frequency_text, pledge_lines
from points.household_view import PointsSummary, StarsSummary, points_summary, stars_summary
from points.models import PointsAccount
from usecases.principal import Principal, village_for
from village.masking import mask_id_card, mask_phone
from village.models import Household, Member, StaffMember, Village
from village.roster import age, household_members, household_phones
from village.search import normalize_query, search_households

PAGE_SIZE = 50
MAX_PAGE = 1000  # 50,000 households: far beyond any village
LEDGER_SHOWN = 20
VISITS_SHOWN = 20


@dataclass(frozen=True)
class RosterLine:
    household_id: int
    number: str
    head_name: str
    group: str
    kind: str  # 脱贫户 …
    size: int
    id_card: str  # masked
    phones: str  # masked
    balance: int


@dataclass(frozen=True)
class RosterView:
    village: Village
    query: str
    page: int
    lines: list[RosterLine]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def check_page(page: int) -> int:
    if not 1 <= page <= MAX_PAGE:
        raise DomainError("console_bad_page", high=MAX_PAGE)
    return page


async def _balances(session: AsyncSession, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = await session.execute(
        sa_select(col(PointsAccount.household_id), col(PointsAccount.balance)).where(
            col(PointsAccount.household_id).in_(ids)
        )
    )
    return {household_id: balance for household_id, balance in rows}


def _line(household: Household, balances: dict[int, int]) -> RosterLine:
    return RosterLine(
        household_id=household.id or 0,
        number=household.number,
        head_name=household.head_name,
        group=household.group_name,
        kind=text(f"household_type_{household.household_type}"),
        size=household.size,
        id_card=mask_id_card(household.id_card),
        phones=household_phones(household),
        balance=balances.get(household.id or 0, 0),
    )


async def roster_page(
    session: AsyncSession, principal: Principal, village_id: int, query: str, page: int
) -> RosterView:
    """One page of the village's households: all in 户编号 order, or the best matches of ``query``.

    A search asks for the matches up to the end of the page (plus one, to know
    whether a next page exists), since the ranking is not a plain column order.
    """
    village = await village_for(session, principal, village_id)
    page = check_page(page)
    wanted = normalize_query(query)
    start = (page - 1) * PAGE_SIZE
    if wanted:
        found = await search_households(session, village, wanted, limit=start + PAGE_SIZE + 1)
        households = found[start:]
    else:
        households = list(
            await session.scalars(
                select(Household)
                .where(col(Household.village_id) == village_id)
                .order_by(col(Household.number))
                .offset(start)
                .limit(PAGE_SIZE + 1)
            )
        )
    shown = households[:PAGE_SIZE]
    balances = await _balances(session, [h.id or 0 for h in shown])
    lines = [_line(h, balances) for h in shown]
    return RosterView(village, wanted, page, lines, has_next=len(households) > PAGE_SIZE)


# ---------------------------------------------------------------- one household


@dataclass(frozen=True)
class MemberLine:
    name: str
    relation: str
    id_card: str  # masked
    phone: str  # masked
    age: int | None
    chronic: bool
    active: bool


@dataclass(frozen=True)
class VisitLine:
    day: date
    helper: str
    method: str
    note: str


@dataclass(frozen=True)
class PledgeRow:
    elder: str
    supporter: str
    relation: str
    phone: str  # masked
    monthly: str  # 100.00元
    frequency: str
    active: bool


@dataclass(frozen=True)
class HouseholdView:
    village: Village
    household: RosterLine
    members: list[MemberLine]
    points: PointsSummary  # balance, this year's stars, the last entries with their balance
    stars: StarsSummary  # the last rounds that took effect, the open 公示
    visits: list[VisitLine]
    pledges: list[PledgeRow]


def _member(member: Member, today: date) -> MemberLine:
    return MemberLine(
        name=member.name,
        relation=member.relation,
        id_card=mask_id_card(member.id_card),
        phone=mask_phone(member.phone),
        age=age(member.birth_date, today) if member.birth_date else None,
        chronic=member.chronic_illness,
        active=member.active,
    )


async def _visits(session: AsyncSession, household_id: int) -> list[VisitLine]:
    rows = await session.execute(
        select(Visit, StaffMember.name)
        .join(StaffMember, col(StaffMember.id) == col(Visit.helper_id))
        .where(col(Visit.household_id) == household_id)
        .order_by(col(Visit.visited_on).desc(), col(Visit.id).desc())
        .limit(VISITS_SHOWN)
    )
    return [VisitLine(v.visited_on, name, method_text(v.method), v.note) for v, name in rows]


def _pledge(line: PledgeLine, month: date) -> PledgeRow:
    pledge = line.pledge
    return PledgeRow(
        elder=line.elder.name,
        supporter=line.supporter.name,
        relation=line.supporter.relation,
        phone=line.supporter_phone,
        monthly=yuan(pledge.monthly_fen),
        frequency=frequency_text(pledge.frequency),
        active=pledge.end_month is None or pledge.end_month >= month,
    )


async def _pledges(
    session: AsyncSession, village: Village, household_id: int, today: date
) -> list[PledgeRow]:
    """The pledges for the elders of this household."""
    ids = list(
        await session.scalars(
            select(Pledge.id)
            .join(Member, col(Member.id) == col(Pledge.elder_id))
            .where(col(Member.household_id) == household_id)
        )
    )
    if not ids:
        return []
    month = today.replace(day=1)
    return [_pledge(line, month) for line in await pledge_lines(session, village, ids)]


async def household_page(
    session: AsyncSession, principal: Principal, village_id: int, household_id: int, now: datetime
) -> HouseholdView:
    """Everything the committee may know of one household; its numbers masked."""
    village = await village_for(session, principal, village_id)
    household = await session.get(Household, household_id)
    if household is None or household.village_id != village.id:
        raise NotFound("console_household_not_found", village=village.name)
    today = to_local(now).date()
    members = [_member(m, today) for m in await household_members(session, household)]
    points = await points_summary(session, household, now, recent=LEDGER_SHOWN)
    balances = {household_id: points.balance}
    return HouseholdView(
        village=village,
        household=_line(household, balances),
        members=members,
        points=points,
        stars=await stars_summary(session, household, now),
        visits=await _visits(session, household_id),
        pledges=await _pledges(session, village, household_id, today),
    )
