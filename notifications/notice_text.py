"""How a notice reads on each channel (the words themselves live in the catalogue)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.catalogue import text
from notifications.models import Notice, NoticeOccurrence


def telegram_text(notice: Notice) -> str:
    return text("notice_telegram", title=notice.title, body=notice.body)


def sms_text(notice: Notice) -> str:
    """The SMS carries the opt-out hint the carriers require of bulk texts."""
    return text("notice_sms", title=notice.title, body=notice.body)


async def sms_body_for_occurrence(session: AsyncSession, occurrence_id: int) -> str:
    occurrence = await session.get_one(NoticeOccurrence, occurrence_id)
    return sms_text(await session.get_one(Notice, occurrence.notice_id))
