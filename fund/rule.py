"""The 孝善基金's matching rule: a rate, a cap per elder and month, or both, from a month on.

A change applies from the month it names, never to the past (that month may not
be before the current one); the subsidies already recorded are ledger entries
and stay as they are. :func:`rule_for` is what a contribution is matched by.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.clock import local_today, utcnow
from core.errors import DomainError
from fund.ledger import month_text, row_id, yuan
from fund.models import FundRule
from fund.pledge_schedule import month_start
from village.access import require_fund_role
from village.models import StaffMember, Village

RATE_PLACES = Decimal("0.0001")


def parse_rate(value: str) -> Decimal:
    """ "10%" or "0.1" → Decimal("0.1"); 0 to 100 %, to a hundredth of a percent."""
    cleaned = unicodedata.normalize("NFKC", value).strip().replace(" ", "")
    try:
        rate = Decimal(cleaned[:-1]) / 100 if cleaned.endswith("%") else Decimal(cleaned)
    except InvalidOperation:
        raise DomainError("fund_bad_rate", value=value) from None
    if not rate.is_finite() or not 0 <= rate <= 1 or rate != rate.quantize(RATE_PLACES):
        raise DomainError("fund_bad_rate", value=value)
    return rate.quantize(RATE_PLACES)


def rate_text(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def rule_text(rule: FundRule) -> str:
    cap = (
        text("fund_rule_cap", cap=yuan(rule.cap_fen))
        if rule.cap_fen is not None
        else text("fund_rule_no_cap")
    )
    return text(
        "fund_rule_line", month=month_text(rule.from_month), rate=rate_text(rule.rate), cap=cap
    )


async def set_fund_rule(
    session: AsyncSession,
    actor: StaffMember,
    village: Village,
    from_month: date,
    rate: Decimal,
    cap_fen: int | None,
    now: datetime | None = None,
) -> FundRule:
    """A matching rule from ``from_month`` on; subsidies already recorded stay as they are."""
    require_fund_role(actor, village)
    start = month_start(from_month)
    current = month_start(local_today(now))
    if start < current:
        raise DomainError("fund_rule_past", month=month_text(start), current=month_text(current))
    if not 0 <= rate <= 1 or rate != rate.quantize(RATE_PLACES):
        raise DomainError("fund_bad_rate", value=str(rate))
    if cap_fen is not None and cap_fen < 0:
        raise DomainError("fund_bad_amount", value=yuan(cap_fen))
    rule = FundRule(
        village_id=row_id(village.id),
        from_month=start,
        rate=rate,
        cap_fen=cap_fen,
        created_by=row_id(actor.id),
        created_at=now or utcnow(),
    )
    session.add(rule)
    await session.flush()
    return rule


async def rule_for(session: AsyncSession, village_id: int, month: date) -> FundRule | None:
    """The rule in force for ``month``: the latest ``from_month`` on or before it, then the latest id."""
    return await session.scalar(
        select(FundRule)
        .where(FundRule.village_id == village_id, col(FundRule.from_month) <= month_start(month))
        .order_by(col(FundRule.from_month).desc(), col(FundRule.id).desc())
        .limit(1)
    )


async def list_rules(session: AsyncSession, village: Village) -> list[FundRule]:
    return list(
        await session.scalars(
            select(FundRule)
            .where(FundRule.village_id == row_id(village.id))
            .order_by(col(FundRule.from_month), col(FundRule.id))
        )
    )
