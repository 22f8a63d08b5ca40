"""What a household sees of itself: its points and its stars.

The Telegram bot and the SMS keyword conversation both call these on every
查积分 / 查星级, so each summary is a handful of indexed queries by household
(no scan of the village), and render them here: in the chat with short lines and a
little layout; for SMS as one run of sentences without emoji, trimmed (older
entries, older rounds, more items dropped first) to fit two concatenated SMS of
Chinese text (2 × 67 UCS-2 units) where possible. Every word comes from the
catalogue (:mod:`core.catalogue.views`).

Stars count as the yearly commendation counts them (:mod:`points.commendation`):
credited awards of rounds that took effect, of the round's year, leaving out an
award whose ledger entry was reversed. The year is today's in Beijing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select
from sqlmodel import col, select

from core.catalogue import text
from core.clock import to_local, utcnow
from points import ledger
from points.models import (
    Award,
    AwardStatus,
    CatalogueItem,
    EntryKind,
    LedgerEntry,
    RatingRound,
    RoundStatus,
    StarCategory,
)
from points.rounds import publicity_deadline_text, publicity_last_day
from points.supermarket import yuan
from village.models import Household, Village

ROUNDS_SHOWN = 4


@dataclass(frozen=True)
class EntryLine:
    """One ledger entry as the household reads it."""

    amount: int
    reason: str
    kind: str
    day: date  # Beijing calendar day
    balance_after: int


@dataclass(frozen=True)
class CategoryStars:
    category: str
    count: int


@dataclass(frozen=True)
class PointsSummary:
    household: Household
    village: Village
    balance: int
    yuan: Decimal
    year: int
    stars: list[CategoryStars]  # this year's, in the village's star order
    recent: list[EntryLine]  # newest first

    @property
    def star_total(self) -> int:
        return sum(s.count for s in self.stars)


@dataclass(frozen=True)
class RoundStars:
    """The household's stars in one round that took effect (possibly none)."""

    round_id: int
    name: str
    year: int
    effective_on: date | None
    categories: list[str]
    points: int


@dataclass(frozen=True)
class Publicity:
    """The 公示 running in the village, and what it says about this household."""

    round_id: int
    name: str
    last_day: date | None  # Beijing calendar day; objections until its 24:00
    deadline: str  # "2026年01月09日 24:00"
    categories: list[str]  # this household's proposed (approved) stars
    points: int
    contact: str  # whom to tell an objection (village.objection_contact)
    objections_open: bool  # False once the period is over, before it takes effect


@dataclass(frozen=True)
class StarsSummary:
    household: Household
    village: Village
    rounds: list[RoundStars]  # newest first
    publicity: Publicity | None


def _household_id(household: Household) -> int:
    assert household.id is not None, "household must be flushed first"
    return household.id


async def _village(session: AsyncSession, household: Household) -> Village:
    village = await session.get(Village, household.village_id)
    assert village is not None
    return village


def _reversed_awards(household_id: Any) -> Select[int | None]:
    """Awards of this household whose ledger entry was reversed (found by its reversals)."""
    original, reversal = aliased(LedgerEntry), aliased(LedgerEntry)
    return (
        sa_select(col(original.ref_id))
        .join(reversal, col(reversal.reverses_id) == col(original.id))
        .where(
            col(reversal.household_id) == household_id,
            col(reversal.kind) == EntryKind.REVERSAL.value,
            col(original.ref_type) == "award",
            col(original.ref_id).is_not(None),
        )
    )


#: Built once (with parameters): every 查积分 runs it, and building this statement
#: costs three times what the database takes to answer it.
_YEAR_STARS = (
    sa_select(col(StarCategory.name), func.count(col(Award.id)))
    .join(RatingRound, col(RatingRound.id) == col(Award.round_id))
    .join(StarCategory, col(StarCategory.id) == col(Award.category_id))
    .where(
        col(Award.household_id) == bindparam("household_id"),
        col(Award.status) == AwardStatus.CREDITED.value,
        col(RatingRound.village_id) == bindparam("village_id"),
        col(RatingRound.year) == bindparam("year"),
        col(RatingRound.status) == RoundStatus.EFFECTIVE.value,
        col(Award.id).not_in(_reversed_awards(bindparam("household_id"))),
    )
    .group_by(col(StarCategory.name), col(StarCategory.sort_order), col(StarCategory.id))
    .order_by(col(StarCategory.sort_order), col(StarCategory.id))
)


async def points_summary(
    session: AsyncSession,
    household: Household,
    now: datetime | None = None,
    recent: int = 5,
) -> PointsSummary:
    """Balance (and its worth in yuan), this year's stars by category, the latest entries.

    Three queries: the latest entries (the newest carries the balance), the
    year's stars, and the village (usually already in the session).
    """
    household_id = _household_id(household)
    year = to_local(now or utcnow()).year
    village = await _village(session, household)
    statement = await ledger.statement(session, household_id, max(recent, 0))
    rows = await session.execute(
        _YEAR_STARS,
        {"household_id": household_id, "village_id": household.village_id, "year": year},
    )
    stars = [CategoryStars(name, int(count)) for name, count in rows]
    entries = [
        EntryLine(
            amount=entry.amount,
            reason=entry.reason,
            kind=entry.kind,
            day=to_local(entry.created_at).date(),
            balance_after=entry.balance_after,
        )
        for entry in statement.entries
    ]
    return PointsSummary(
        household=household,
        village=village,
        balance=statement.balance,
        yuan=yuan(village, statement.balance),
        year=year,
        stars=stars,
        recent=entries,
    )


async def stars_summary(
    session: AsyncSession, household: Household, now: datetime | None = None
) -> StarsSummary:
    """The household's stars in the village's last rounds that took effect, and the open 公示.

    Four queries at most: the village, its latest effective rounds, its round in
    公示, and this household's awards in those rounds.
    """
    household_id = _household_id(household)
    now = now or utcnow()
    village = await _village(session, household)
    effective = list(
        await session.scalars(
            select(RatingRound)
            .where(
                RatingRound.village_id == household.village_id,
                RatingRound.status == RoundStatus.EFFECTIVE.value,
            )
            .order_by(col(RatingRound.effective_at).desc(), col(RatingRound.id).desc())
            .limit(ROUNDS_SHOWN)
        )
    )
    in_publicity = await session.scalar(
        select(RatingRound)
        .where(
            RatingRound.village_id == household.village_id,
            RatingRound.status == RoundStatus.PUBLICITY.value,
        )
        .order_by(col(RatingRound.published_at).desc(), col(RatingRound.id).desc())
        .limit(1)
    )
    round_ids = [r.id or 0 for r in effective]
    if in_publicity is not None:
        round_ids.append(in_publicity.id or 0)

    by_round: dict[int, list[tuple[str, int]]] = {i: [] for i in round_ids}
    if round_ids:
        rows = await session.execute(
            sa_select(
                col(Award.round_id), col(Award.status), col(Award.points), col(StarCategory.name)
            )
            .join(StarCategory, col(StarCategory.id) == col(Award.category_id))
            .where(
                col(Award.household_id) == household_id,
                col(Award.round_id).in_(round_ids),
                col(Award.status).in_([AwardStatus.CREDITED.value, AwardStatus.APPROVED.value]),
                col(Award.id).not_in(_reversed_awards(household_id)),
            )
            .order_by(col(StarCategory.sort_order), col(StarCategory.id))
        )
        publicity_id = in_publicity.id if in_publicity is not None else None
        for round_id, status, points, name in rows:
            # A round in 公示 shows its approved awards; an effective one, what was credited.
            wanted = AwardStatus.APPROVED if round_id == publicity_id else AwardStatus.CREDITED
            if status == wanted.value:
                by_round[round_id].append((name, points))

    rounds = [
        RoundStars(
            round_id=r.id or 0,
            name=r.name,
            year=r.year,
            effective_on=to_local(r.effective_at).date() if r.effective_at else None,
            categories=[name for name, _ in by_round[r.id or 0]],
            points=sum(points for _, points in by_round[r.id or 0]),
        )
        for r in effective
    ]
    publicity: Publicity | None = None
    if in_publicity is not None:
        last_day = publicity_last_day(in_publicity)
        mine = by_round[in_publicity.id or 0]
        ends = in_publicity.publicity_ends_at
        publicity = Publicity(
            round_id=in_publicity.id or 0,
            name=in_publicity.name,
            last_day=to_local(last_day).date() if last_day else None,
            deadline=publicity_deadline_text(in_publicity),
            categories=[name for name, _ in mine],
            points=sum(points for _, points in mine),
            contact=village.objection_contact.strip(),
            objections_open=ends is None or to_local(now) < to_local(ends),
        )
    return StarsSummary(household, village, rounds, publicity)


# ================================================================ texts

SMS_BUDGET = 134  # two parts of a concatenated UCS-2 SMS
SMS_ENTRIES = 3
SMS_ITEMS = 8


def sms_units(value: str) -> int:
    """UTF-16 code units: what a Chinese (UCS-2) SMS counts."""
    return len(value.encode("utf-16-le")) // 2


def _money(amount: Decimal) -> str:
    """120 rather than 120.00; 12.50 stays as it is."""
    return str(int(amount)) if amount == amount.to_integral_value() else f"{amount:.2f}"


def _short(category: str) -> str:
    """增收致富之星 → 增收致富: the SMS drops the common suffix."""
    return category.removesuffix("之星") or category


def _day(day: date | None) -> str:
    if day is None:
        return "—"
    return text("view_month_day", month=day.month, day=day.day)


def _fill(head: str, pieces: Sequence[str], tail: str, budget: int = SMS_BUDGET) -> list[str]:
    """As many of ``pieces`` (in order) as fit between ``head`` and ``tail``; at least one."""
    taken: list[str] = []
    for piece in pieces:
        if taken and sms_units(head + "".join([*taken, piece]) + tail) > budget:
            break
        taken.append(piece)
    return taken


# ---------------------------------------------------------------- 查积分


def _entry_label(entry: EntryLine) -> str:
    try:
        return text(f"view_entry_kind_{entry.kind}")
    except KeyError:
        return ""


def render_points(summary: PointsSummary, sms: bool) -> str:
    household, money = summary.household, _money(summary.yuan)
    if sms:
        return _points_sms(summary, money)
    lines = [
        text(
            "view_points_title",
            village=summary.village.name,
            name=household.head_name,
            number=household.number,
        ),
        text("view_points_balance", balance=summary.balance, yuan=money),
    ]
    if summary.stars:
        lines.append(text("view_points_stars", year=summary.year, total=summary.star_total))
        lines += [
            text("view_points_star_line", category=s.category, count=s.count) for s in summary.stars
        ]
    else:
        lines.append(text("view_points_no_stars", year=summary.year))
    if summary.recent:
        lines.append(text("view_points_recent"))
        lines += [
            text(
                "view_points_entry",
                month=e.day.month,
                day=e.day.day,
                amount=e.amount,
                reason=e.reason,
            )
            for e in summary.recent
        ]
    else:
        lines.append(text("view_points_no_entries"))
    return "\n".join(lines)


def _points_sms(summary: PointsSummary, money: str) -> str:
    head = text(
        "view_sms_points_balance",
        name=summary.household.head_name,
        balance=summary.balance,
        yuan=money,
    )
    if summary.stars:
        detail = "、".join(
            text("view_sms_points_star_item", category=_short(s.category), count=s.count)
            for s in summary.stars
        )
        stars = text(
            "view_sms_points_stars", year=summary.year, total=summary.star_total, detail=detail
        )
        if sms_units(head + stars) > SMS_BUDGET:
            stars = text("view_sms_points_stars_total", year=summary.year, total=summary.star_total)
    else:
        stars = text("view_sms_points_no_stars", year=summary.year)
    head += stars
    entries = [
        text(
            "view_sms_points_entry",
            month=e.day.month,
            day=e.day.day,
            label=_entry_label(e),
            amount=e.amount,
        )
        for e in summary.recent[:SMS_ENTRIES]
    ]
    if not entries:
        return head
    # Entries are optional: each is kept only if the whole still fits.
    shown: list[str] = []
    for entry in entries:
        candidate = head + text("view_sms_points_recent", entries="；".join([*shown, entry]))
        if sms_units(candidate) > SMS_BUDGET:
            break
        shown.append(entry)
    if not shown:
        return head
    return head + text("view_sms_points_recent", entries="；".join(shown))


# ---------------------------------------------------------------- 查星级


def _publicity_lines(publicity: Publicity) -> list[str]:
    lines = [text("view_stars_publicity", round=publicity.name)]
    if publicity.categories:
        lines.append(
            text(
                "view_stars_publicity_mine",
                stars="、".join(publicity.categories),
                points=publicity.points,
            )
        )
    else:
        lines.append(text("view_stars_publicity_none"))
    if publicity.objections_open:
        lines.append(text("view_stars_publicity_until", deadline=publicity.deadline))
        if publicity.contact:
            lines.append(text("view_stars_objection", contact=publicity.contact))
        else:
            lines.append(text("view_stars_objection_committee"))
    else:
        lines.append(text("view_stars_publicity_over", deadline=publicity.deadline))
    return lines


def _publicity_sms(publicity: Publicity) -> str:
    if publicity.categories:
        said = text(
            "view_sms_stars_publicity_mine",
            round=publicity.name,
            stars="、".join(_short(c) for c in publicity.categories),
        )
    else:
        said = text("view_sms_stars_publicity_none", round=publicity.name)
    if publicity.objections_open:
        return said + text(
            "view_sms_stars_publicity_until",
            date=_day(publicity.last_day),
            contact=publicity.contact or text("view_sms_committee"),
        )
    return said + text("view_sms_stars_publicity_over")


def render_stars(summary: StarsSummary, sms: bool) -> str:
    household = summary.household
    if sms:
        head = text("view_sms_stars_head", name=household.head_name)
        tail = _publicity_sms(summary.publicity) if summary.publicity else ""
        pieces = [
            text("view_sms_stars_round", round=r.name, stars="、".join(map(_short, r.categories)))
            if r.categories
            else text("view_sms_stars_round_none", round=r.name)
            for r in summary.rounds
        ]
        if not pieces:
            return head + text("view_sms_stars_no_rounds") + "。" + tail
        shown = _fill(head, [f"{p}；" for p in pieces], "。" + tail)
        return head + "".join(shown).removesuffix("；") + "。" + tail

    lines = [
        text(
            "view_stars_title",
            village=summary.village.name,
            name=household.head_name,
            number=household.number,
        )
    ]
    if summary.publicity is not None:
        lines += _publicity_lines(summary.publicity)
    if summary.rounds:
        lines.append(text("view_stars_rounds"))
        for r in summary.rounds:
            if r.categories:
                lines.append(
                    text(
                        "view_stars_round",
                        round=r.name,
                        date=_day(r.effective_on),
                        stars="、".join(r.categories),
                        points=r.points,
                    )
                )
            else:
                lines.append(text("view_stars_round_none", round=r.name, date=_day(r.effective_on)))
    else:
        lines.append(text("view_stars_no_rounds"))
    return "\n".join(lines)


# ---------------------------------------------------------------- 超市商品


def render_catalogue(items: list[CatalogueItem], village: Village, sms: bool) -> str:
    items = [i for i in items if i.active]
    if not items:
        return text("items_empty", village=village.name)
    if sms:
        # What can be had now comes first; the order is otherwise the shop's.
        ordered = sorted(items, key=lambda i: i.stock <= 0)
        pieces = [
            text(
                "view_sms_catalogue_item" if i.stock > 0 else "view_sms_catalogue_item_out",
                item=i.name,
                price=i.price_points,
                unit=i.unit,
                stock=i.stock,
            )
            for i in ordered[:SMS_ITEMS]
        ]
        head = text("view_sms_catalogue_head", village=village.name)
        more = text("view_sms_catalogue_more")
        everything = head + "、".join(pieces) + "。"
        if len(pieces) == len(items) and sms_units(everything) <= SMS_BUDGET:
            return everything
        shown = _fill(head, [f"{p}、" for p in pieces], more)
        return head + "".join(shown).removesuffix("、") + more

    lines = [text("view_catalogue_title", village=village.name)]
    for index, item in enumerate(items, start=1):
        lines.append(
            text(
                "view_catalogue_item" if item.stock > 0 else "view_catalogue_item_out",
                index=index,
                item=item.name,
                price=item.price_points,
                unit=item.unit,
                stock=item.stock,
                yuan=_money(yuan(village, item.price_points)),
            )
        )
    lines.append(text("view_catalogue_footer"))
    return "\n".join(lines)
