"""The outreach engine over Telegram (the stand-in Bot API server), with SMS as fallback."""

from __future__ import annotations

import asyncio
import json
from datetime import time
from pathlib import Path

from sqlmodel import select

from core.db import Database
from core.settings import Settings
from notifications.engine import Outreach
from notifications.models import MessageStatus, OutboxMessage
from outreach.audience import Audience
from outreach.notices import create_notice, send_now
from standins.telegram_api import TelegramStandIn
from tests.factories import make_town
from tests.test_outreach_smpp import eventually
from village.models import ChatBinding, Household


async def test_broadcast_reaches_chats_and_a_blocked_one_gets_sms(
    db: Database, tmp_path: Path
) -> None:
    town = await make_town(db, households=6)
    async with db.transaction() as session:
        for i, home in enumerate(town.households, start=1):
            row = await session.get_one(Household, home.id)
            row.phone = f"+861380000000{i}"
            session.add(ChatBinding(chat_id=str(500 + i), household_id=home.id))
        notice = await create_notice(
            session,
            town.secretary,
            town.village,
            "雨露计划",
            "家有中高职学生的可申请补助。",
            Audience(),
        )
        await send_now(session, notice)
    log = tmp_path / "sms.log"
    async with TelegramStandIn(rate=30, chat_rate=1, slack=0.1) as standin:
        standin.block(503)
        standin.throttle(1)  # the first answers are 429 with retry_after=1
        settings = Settings(
            database_url=db.url,
            telegram_token="123:standin",
            telegram_base_url=standin.base_url,
            sms_log=log,
            quiet_start=time(0, 0),
            quiet_end=time(0, 0),
        )
        stop = asyncio.Event()
        engine = asyncio.create_task(Outreach(db, settings, worker="tg-test").run(stop))
        try:

            async def settled() -> bool:
                async with db.session() as session:
                    rows = list(await session.scalars(select(OutboxMessage)))
                return len(rows) == 7 and all(
                    r.status in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.FAILED)
                    for r in rows
                )

            await eventually(settled, 30)
        finally:
            stop.set()
            await asyncio.wait_for(engine, 30)
        reached = sorted(m.chat_id for m in standin.sent)
    assert reached == [501, 502, 504, 505, 506]
    texts = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(t["to"], t["ref"].endswith(":sms")) for t in texts] == [("+8613800000003", True)]
    assert texts[0]["text"].endswith("回复TD退订")  # the SMS wording, not the chat one
    async with db.session() as session:
        binding = await session.scalar(select(ChatBinding).where(ChatBinding.chat_id == "503"))
        retried = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.attempts > 1))
        )
    assert binding is not None and not binding.active
    assert retried, "the 429 answers were retried after retry_after"
