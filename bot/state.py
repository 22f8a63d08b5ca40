"""Read and write a chat's place in a multi-step conversation (:class:`ChatState`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ChatState


@dataclass
class Step:
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


#: A conversation left halfway this long ago starts over: nobody remembers where it was.
STALE_AFTER = timedelta(hours=12)


async def load(session: AsyncSession, chat_id: str, now: datetime) -> Step | None:
    row = await session.get(ChatState, chat_id)
    if row is None:
        return None
    written = row.updated_at
    if written.tzinfo is None:  # SQLite gives back naive UTC
        written = written.replace(tzinfo=UTC)
    if written < now - STALE_AFTER:
        await session.delete(row)
        return None
    return Step(row.flow, row.step, json.loads(row.data))


async def save(session: AsyncSession, chat_id: str, step: Step, now: datetime) -> None:
    row = await session.get(ChatState, chat_id)
    data = json.dumps(step.data, ensure_ascii=False)
    if row is None:
        session.add(
            ChatState(chat_id=chat_id, flow=step.flow, step=step.step, data=data, updated_at=now)
        )
    else:
        row.flow, row.step, row.data, row.updated_at = step.flow, step.step, data, now
    await session.flush()


async def clear(session: AsyncSession, chat_id: str) -> None:
    await session.execute(delete(ChatState).where(ChatState.chat_id == chat_id))  # type: ignore[arg-type]
