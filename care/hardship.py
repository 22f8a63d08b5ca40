"""Hardship reports (求助): a household says it has fallen on hard times (防返贫 监测).

The household writes in its own words ("QZ 老伴住院了"); the kind is guessed
from them so that the committee's list reads 因病 / 因灾 / 失业 at a glance,
and the words are kept as written. Each report opens a follow-up. People on
basic phones send the same text again when no answer comes at once: the same
words from the same household within a few minutes are the same report.
Alerting the committee and the helper is the outreach layer's job
(:mod:`care.hardship_alert`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import desc
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from care.follow_ups import open_follow_up
from care.models import HardshipKind, HardshipReport
from core.catalogue import text
from core.clock import utcnow
from village.models import Household, Village

TEXT_LIMIT = 500  # HardshipReport.text
SAME_REPORT_WITHIN = timedelta(minutes=10)

# Checked in this order: "因病失业" is first of all an illness.
KIND_WORDS: tuple[tuple[HardshipKind, tuple[str, ...]], ...] = (
    (HardshipKind.ILLNESS, ("病", "住院", "医")),
    (HardshipKind.DISASTER, ("灾", "火", "水", "风", "雹", "塌")),
    (HardshipKind.UNEMPLOYMENT, ("失业", "没工作", "下岗", "没活")),
)


def kind_of(words: str) -> HardshipKind:
    """因病, 因灾, 失业 or 其他, from what the household wrote."""
    cleaned = unicodedata.normalize("NFKC", words)
    for kind, signs in KIND_WORDS:
        if any(sign in cleaned for sign in signs):
            return kind
    return HardshipKind.OTHER


def kind_text(kind: str) -> str:
    return text(f"care_kind_{kind}") if kind in set(HardshipKind) else kind


async def record_hardship(
    session: AsyncSession,
    household: Household,
    words: str,
    channel: str,
    now: datetime | None = None,
) -> HardshipReport:
    """Log the report and open its follow-up; a repeat within minutes returns the first one.

    The household's row is locked first (PostgreSQL; SQLite's write
    transaction already is one at a time), so two copies of one SMS arriving
    together still make one report.
    """
    moment = now or utcnow()
    said = words.strip()[:TEXT_LIMIT]
    await session.execute(
        select(Household.id).where(col(Household.id) == household.id).with_for_update()
    )
    earlier = await session.scalar(
        select(HardshipReport)
        .where(
            col(HardshipReport.household_id) == household.id,
            col(HardshipReport.text) == said,
            col(HardshipReport.reported_at) >= moment - SAME_REPORT_WITHIN,
        )
        .order_by(desc(col(HardshipReport.reported_at)))
        .limit(1)
    )
    if earlier is not None:
        return earlier
    kind = kind_of(said)
    report = HardshipReport(
        village_id=household.village_id,
        household_id=household.id or 0,
        kind=kind.value,
        text=said,
        channel=channel,
        reported_at=moment,
    )
    session.add(report)
    await session.flush()
    await open_follow_up(
        session, household, kind.value, said or kind_text(kind), hardship_id=report.id, now=moment
    )
    return report


@dataclass(frozen=True)
class ReportedHardship:
    report: HardshipReport
    household: Household


async def recent_reports(
    session: AsyncSession, village: Village, since: datetime
) -> list[ReportedHardship]:
    """The village's reports since ``since``, newest first."""
    rows = await session.execute(
        select(HardshipReport, Household)
        .join(Household, col(Household.id) == col(HardshipReport.household_id))
        .where(
            col(HardshipReport.village_id) == village.id,
            col(HardshipReport.reported_at) >= since,
        )
        .order_by(desc(col(HardshipReport.reported_at)), desc(col(HardshipReport.id)))
    )
    return [ReportedHardship(report, household) for report, household in rows]
