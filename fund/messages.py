"""The 孝善基金 reaching people and the rating rounds: thanks, the 收支公示, the family star.

A supporter who paid gets a thank-you (Telegram when bound, else SMS); the
committee gets each month's statement. Both go through the outbox with a key per
entry or per month and person, so recording or sending twice sends once.

The 良好家风之星 proposal for the honour roll's households lives here rather
than in :mod:`fund.report`, so that the fund's own rules never import the rating
rounds (``points``); only this outreach module does. :func:`propose_family_stars`
is the :class:`~fund.report.StarProposer` a front-end hands to
:func:`~fund.report.publish_honour_roll`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.errors import NotFound
from core.models import Role
from fund.ledger import Kind, month_key, subsidy_of, yuan
from fund.models import FundEntry, Pledge
from fund.pledge_schedule import step
from fund.pledges import period_text
from fund.report import FundStatement, HonourLine, StarOutcome, statement_text
from notifications.models import Priority
from notifications.outbox import tell
from points.categories import find_category
from points.models import Award
from points.rounds import Proposal, open_round, propose_awards
from village.models import Household, Member, StaffMember, Supporter, Village

FAMILY_STAR = "良好家风之星"


async def thank_supporter(
    session: AsyncSession, entry: FundEntry, now: datetime | None = None
) -> bool:
    """Queue the thank-you for a contribution; False when the supporter cannot be reached."""
    if entry.kind != Kind.CONTRIBUTION or entry.reverses_id is not None or entry.month is None:
        return False
    supporter = await session.get(Supporter, entry.supporter_id)
    elder = await session.get(Member, entry.elder_id)
    pledge = await session.get(Pledge, entry.pledge_id)
    village = await session.get(Village, entry.village_id)
    if supporter is None or elder is None or pledge is None or village is None:
        return False
    subsidy = await subsidy_of(session, entry.id or 0)
    body = text(
        "fund_thanks",
        supporter=supporter.name,
        elder=elder.name,
        period=period_text(entry.month, step(pledge)),
        amount=yuan(entry.amount_fen),
        subsidy=text("fund_thanks_subsidy", amount=yuan(subsidy.amount_fen)) if subsidy else "",
        village=village.name,
    )
    return await tell(
        session,
        f"fund_thanks:{entry.id}",
        body,
        supporter=supporter,
        priority=Priority.PERSONAL,
        now=now,
    )


async def send_statement(
    session: AsyncSession, statement: FundStatement, now: datetime | None = None
) -> int:
    """The statement's summary to each active committee member; how many could be reached."""
    members = await session.scalars(
        select(StaffMember)
        .where(
            StaffMember.village_id == statement.village_id,
            StaffMember.role == Role.COMMITTEE.value,
            col(StaffMember.active).is_(True),
        )
        .order_by(col(StaffMember.id))
    )
    body = statement_text(statement)
    month = month_key(statement.month)
    sent = 0
    for member in members:
        key = f"fund_statement:{statement.village_id}:{month}:{member.id}"
        if await tell(session, key, body, staff=member, priority=Priority.PERSONAL, now=now):
            sent += 1
    return sent


async def propose_family_stars(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    lines: Sequence[HonourLine],
    year: int,
    now: datetime,
) -> StarOutcome:
    """Propose the 良好家风之星 for each named supporter's own household in the open round.

    Households already proposed for the star in that round, supporters without a
    household in the village and the actor's own household are skipped (and said so).
    """
    rnd = await open_round(session, village)
    if rnd is None:
        return StarOutcome(None, (), (text("fund_star_no_round"),))
    try:
        category = await find_category(session, village, FAMILY_STAR)
    except NotFound:
        category = None
    if category is None or not category.active:
        return StarOutcome(rnd.name, (), (text("fund_star_no_category", name=FAMILY_STAR),))
    taken = set(
        await session.scalars(
            select(Award.household_id).where(
                Award.round_id == (rnd.id or 0), Award.category_id == (category.id or 0)
            )
        )
    )
    grouped: dict[int, list[HonourLine]] = {}
    skipped: list[str] = []
    for line in lines:
        if line.household_id is None:
            skipped.append(text("fund_star_skip_no_household", name=line.supporter))
        else:
            grouped.setdefault(line.household_id, []).append(line)
    proposals: list[Proposal] = []
    proposed: list[str] = []
    for household_id, named in grouped.items():
        household = await session.get(Household, household_id)
        if household is None or household.village_id != village.id:
            continue
        label = f"{household.number} {household.head_name}"
        if household_id in taken:
            skipped.append(text("fund_star_skip_taken", household=label))
        elif actor.household_id == household_id:
            skipped.append(text("fund_star_skip_own", household=label))
        else:
            names = "、".join(sorted({line.supporter for line in named}))
            reason = text("fund_star_reason", year=year, names=names)
            proposals.append(Proposal(household.number, category.id or 0, reason))
            proposed.append(label)
    if proposals:
        await propose_awards(session, rnd.id or 0, actor, proposals, now)
    return StarOutcome(rnd.name, tuple(proposed), tuple(skipped))
