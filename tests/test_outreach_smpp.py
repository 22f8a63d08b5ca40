"""The outreach engine over SMPP: the outbox, the SMSC's receipts and replies, end to end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import time as clock_time
from pathlib import Path

from sqlmodel import select

from core.db import Database
from core.settings import Settings
from notifications import outbox
from notifications.engine import Outreach
from notifications.models import MessageStatus, OptOutEvent, OutboxMessage
from standins.smpp_server import SmppStandIn
from tests.factories import make_town
from village.models import Household


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def test_smpp_receipts_update_the_outbox_and_replies_opt_out(
    db: Database, tmp_path: Path
) -> None:
    town = await make_town(db, households=1)
    async with db.transaction() as session:
        home = await session.get_one(Household, town.households[0].id)
        home.phone = "+8613800000001"
        long_text = "您的孝心养老金本月到期，" * 8  # 96 characters: two concatenated parts
        assert await outbox.tell(session, "reminder:1", long_text, household=home)
    async with SmppStandIn(system_id="xiangxin", password="secret", auto_receipt="DELIVRD") as smsc:
        settings = Settings(
            database_url=db.url,
            sms_gateway="smpp",
            smpp_port=smsc.port,
            smpp_password="secret",
            sms_tps=20,
            sms_log=tmp_path / "unused.log",
            quiet_start=clock_time(0, 0),
            quiet_end=clock_time(0, 0),
        )
        stop = asyncio.Event()
        engine = asyncio.create_task(Outreach(db, settings, worker="smpp-test").run(stop))
        try:

            async def delivered() -> bool:
                async with db.session() as session:
                    row = await session.scalar(
                        select(OutboxMessage).where(OutboxMessage.idempotency_key == "reminder:1")
                    )
                return row is not None and row.status == MessageStatus.DELIVERED

            await eventually(delivered)
            assert smsc.texts() == [long_text]
            assert len(smsc.submitted) == 2 and smsc.submitted[0].data_coding == 8

            await smsc.send_inbound("+8613800000001", "退订")

            async def replied() -> bool:
                return any("已为您退订" in t for t in smsc.texts())

            await eventually(replied)
        finally:
            stop.set()
            await asyncio.wait_for(engine, 30)
    async with db.session() as session:
        home = await session.get_one(Household, town.households[0].id)
        events = list(await session.scalars(select(OptOutEvent)))
    assert home.opted_out_at is not None
    assert [(e.opted_out, e.channel, e.keyword) for e in events] == [(True, "sms", "退订")]
