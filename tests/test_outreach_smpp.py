"""The outreach engine over SMPP: the outbox, the SMSC's receipts and replies, end to end."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import time as clock_time
from pathlib import Path

import pytest
from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from notifications import outbox
from notifications.engine import Outreach
from notifications.models import InboundMessage, MessageStatus, OptOutEvent, OutboxMessage
from notifications.sms.channel import SmsChannel
from notifications.sms.smpp import ESME_RTHROTTLED, TON_NATIONAL, TON_UNKNOWN, SmppGateway
from notifications.worker import Sender
from standins.smpp_server import SmppStandIn
from tests.factories import make_town
from tests.test_sms_smpp import Inbox, make_gateway
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


async def _household_with_phone(db: Database, phone: str) -> int:
    town = await make_town(db, households=1)
    async with db.transaction() as session:
        home = await session.get_one(Household, town.households[0].id)
        home.phone = phone
    assert home.id is not None
    return home.id


@pytest.mark.parametrize(
    ("source", "ton"),
    [("13942917476", TON_NATIONAL), ("+8613942917476", TON_UNKNOWN)],
    ids=["national", "plus_inside"],
)
async def test_a_household_texting_from_its_national_number_is_known_and_answered(
    db: Database, tmp_path: Path, source: str, ton: int
) -> None:
    home_id = await _household_with_phone(db, "+8613942917476")
    async with SmppStandIn(system_id="xiangxin", password="secret") as smsc:
        settings = Settings(
            database_url=db.url,
            sms_gateway="smpp",
            smpp_port=smsc.port,
            smpp_password="secret",
            sms_tps=20,
            sms_log=tmp_path / "unused.log",
        )
        stop = asyncio.Event()
        engine = asyncio.create_task(Outreach(db, settings, worker="smpp-test").run(stop))
        try:
            await smsc.wait_bound()
            await smsc.send_inbound(source, "退订", ton=ton)

            async def replied() -> bool:
                return any("已为您退订" in t for t in smsc.texts())

            await eventually(replied)
        finally:
            stop.set()
            await asyncio.wait_for(engine, 30)
    [reply] = smsc.submitted
    assert (reply.destination_addr, reply.dest_addr_ton, reply.dest_addr_npi) == (
        "8613942917476",
        1,
        1,
    )
    async with db.session() as session:
        home = await session.get_one(Household, home_id)
        [inbound] = list(await session.scalars(select(InboundMessage)))
    assert home.opted_out_at is not None
    assert (inbound.sender, inbound.household_id) == ("+8613942917476", home_id)


async def _queue_sms(db: Database, count: int) -> None:
    home_id = await _household_with_phone(db, "+8613900000001")
    async with db.transaction() as session:
        home = await session.get_one(Household, home_id)
        for i in range(count):
            assert await outbox.tell(session, f"code:{i}", f"您的验证码 {i}", household=home)


async def _messages(db: Database) -> list[OutboxMessage]:
    async with db.session() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def _sender(db: Database, gateway: SmppGateway, **channel: float) -> Sender:
    return Sender(db, SmsChannel(gateway, 20, **channel), rate=20, worker="smpp-test")


async def test_a_throttling_smsc_slows_the_sender_without_using_up_attempts(
    db: Database,
) -> None:
    await _queue_sms(db, 1)
    async with SmppStandIn(system_id="xiangxin", password="secret") as smsc:
        smsc.refuse_next(ESME_RTHROTTLED, outbox.MAX_ATTEMPTS + 1)  # more than all its attempts
        gateway = make_gateway(smsc, throttle_pause=0.05)
        await gateway.start(Inbox().on_report, Inbox().on_inbound)
        sender = _sender(db, gateway)
        stop = asyncio.Event()
        running = asyncio.create_task(sender.run(stop))
        try:

            async def sent() -> bool:
                return (await _messages(db))[0].status == MessageStatus.SENT

            await eventually(sent, 60)
        finally:
            stop.set()
            await asyncio.wait_for(running, 30)
            await gateway.close()
    [message] = await _messages(db)
    assert message.attempts == 1
    assert [sm.status for sm in smsc.submitted] == [ESME_RTHROTTLED] * 7 + [0]


async def test_an_smsc_outage_keeps_messages_queued_until_the_link_is_back(
    db: Database,
) -> None:
    await _queue_sms(db, 3)
    async with SmppStandIn(system_id="xiangxin", password="secret") as smsc:
        gateway = make_gateway(smsc, send_wait=0.2)
        await gateway.start(Inbox().on_report, Inbox().on_inbound)
        await smsc.stop()
        await eventually(lambda_true(lambda: not gateway.bound))
        sender = _sender(db, gateway, link_wait=0.2)
        stop = asyncio.Event()
        running = asyncio.create_task(sender.run(stop))
        try:

            async def all_tried() -> bool:
                return all(m.last_error for m in await _messages(db))

            await eventually(all_tried)
            for message in await _messages(db):
                assert (message.status, message.attempts) == (MessageStatus.QUEUED, 0)
                assert "未连接" in (message.last_error or "")

            await smsc.start()

            async def all_sent() -> bool:
                return all(m.status == MessageStatus.SENT for m in await _messages(db))

            await eventually(all_sent, 30)
        finally:
            stop.set()
            await asyncio.wait_for(running, 30)
            await gateway.close()
    assert [m.attempts for m in await _messages(db)] == [1, 1, 1]
    assert len(smsc.submitted) == 3


def lambda_true(predicate: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return predicate()

    return check
