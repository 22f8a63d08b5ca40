"""A household's 求助 reaches the committee and its helper at once (防返贫 监测).

The report is recorded first (:func:`care.hardship.record_hardship`), then
one personal message per person goes through the outbox: Telegram when their
chat is bound, else SMS. The key names the report and the person, so a repeat
of the same 求助 (which is the same report) alerts nobody twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from care.hardship import kind_text, record_hardship
from care.models import HardshipReport
from care.visits import helper_of
from core.catalogue import text
from core.clock import local_text, utcnow
from core.models import Role
from notifications.models import Priority
from notifications.outbox import tell
from village.masking import mask_phone
from village.models import Household, StaffMember


async def alerted_staff(session: AsyncSession, household: Household) -> list[StaffMember]:
    """The village's active committee members and the household's helper, each once."""
    committee = list(
        await session.scalars(
            select(StaffMember)
            .where(
                col(StaffMember.village_id) == household.village_id,
                col(StaffMember.role) == Role.COMMITTEE.value,
                col(StaffMember.active),
            )
            .order_by(col(StaffMember.id))
        )
    )
    helper_id = await helper_of(session, household)
    if helper_id is not None and helper_id not in {s.id for s in committee}:
        helper = await session.get(StaffMember, helper_id)
        if helper is not None and helper.active:
            committee.append(helper)
    return committee


def alert_text(household: Household, report: HardshipReport) -> str:
    return text(
        "care_hardship_alert",
        head=household.head_name,
        number=household.number,
        phone=mask_phone(household.phone),
        kind=kind_text(report.kind),
        text=report.text or text("care_hardship_no_text"),
        time=local_text(report.reported_at),
    )


async def report_hardship(
    session: AsyncSession,
    household: Household,
    words: str,
    channel: str,
    now: datetime | None = None,
) -> HardshipReport:
    """Record the household's 求助 and alert the committee and its helper; returns the report."""
    moment = now or utcnow()
    report = await record_hardship(session, household, words, channel, moment)
    body = alert_text(household, report)
    for staff in await alerted_staff(session, household):
        await tell(
            session,
            f"hardship:{report.id}:{staff.id}",
            body,
            staff=staff,
            priority=Priority.PERSONAL,
            now=moment,
        )
    return report
