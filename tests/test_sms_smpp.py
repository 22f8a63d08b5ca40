"""The SMPP gateway against the stand-in SMSC on 127.0.0.1 (smpp34 on both ends).

Every wait is bounded: ``eventually`` polls at most ``timeout`` seconds, and the
gateways here use short bind, submit and backoff times.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import smpp34

from notifications.delivery import DeliveryError
from notifications.sms.gateway import DeliveryReport, InboundSms
from notifications.sms.smpp import (
    ESM_UDHI,
    TON_INTERNATIONAL,
    TON_NATIONAL,
    TON_UNKNOWN,
    SmppGateway,
    parse_receipt,
)
from standins.smpp_server import BindAttempt, SmppStandIn

PHONE = "+8613800000000"
SYSTEM_ID, PASSWORD = "xiangxin", "secret"


@dataclass
class Inbox:
    reports: list[DeliveryReport] = field(default_factory=list)
    inbound: list[InboundSms] = field(default_factory=list)

    async def on_report(self, report: DeliveryReport) -> None:
        self.reports.append(report)

    async def on_inbound(self, message: InboundSms) -> None:
        self.inbound.append(message)


async def eventually(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def make_gateway(smsc: SmppStandIn, **options: Any) -> SmppGateway:
    settings: dict[str, Any] = {
        "send_wait": 5.0,
        "submit_timeout": 2.0,
        "bind_timeout": 1.0,
        "backoff_initial": 0.05,
        "backoff_max": 0.3,
    }
    settings.update(options)
    password = settings.pop("password", PASSWORD)
    return SmppGateway("127.0.0.1", smsc.port, SYSTEM_ID, password, "10690000", **settings)


@pytest.fixture
async def smsc() -> AsyncIterator[SmppStandIn]:
    async with SmppStandIn(system_id=SYSTEM_ID, password=PASSWORD) as server:
        yield server


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
async def gateway(smsc: SmppStandIn, inbox: Inbox) -> AsyncIterator[SmppGateway]:
    gateway = make_gateway(smsc)
    await gateway.start(inbox.on_report, inbox.on_inbound)
    try:
        yield gateway
    finally:
        await gateway.close()


async def test_binds_as_transceiver_with_the_right_password(
    smsc: SmppStandIn, gateway: SmppGateway
) -> None:
    assert gateway.bound
    assert smsc.binds == [BindAttempt(SYSTEM_ID, accepted=True)]


async def test_a_wrong_password_is_refused_and_sends_fail_transiently(
    smsc: SmppStandIn, inbox: Inbox
) -> None:
    gateway = make_gateway(smsc, password="wrong", bind_timeout=0.5, send_wait=0.3)
    await gateway.start(inbox.on_report, inbox.on_inbound)
    try:
        assert not gateway.bound
        assert smsc.binds[0] == BindAttempt(SYSTEM_ID, accepted=False, status=0x0E)
        with pytest.raises(DeliveryError) as caught:
            await gateway.send(PHONE, "测试", "ref-1")
        assert not caught.value.permanent
        assert smsc.submitted == []
    finally:
        await gateway.close()


async def test_chinese_arrives_intact_as_ucs2(smsc: SmppStandIn, gateway: SmppGateway) -> None:
    body = "您好！本月孝善金已到账，请查收。回复TD退订"
    message_id = await gateway.send(PHONE, body, "ref-1")
    [sm] = await smsc.wait_submitted(1)
    assert sm.message_id == message_id
    assert (sm.data_coding, sm.esm_class, sm.registered_delivery) == (8, 0, 1)
    assert (sm.destination_addr, sm.source_addr) == ("8613800000000", "10690000")
    assert sm.text == body


async def test_gsm_text_goes_as_data_coding_0(smsc: SmppStandIn, gateway: SmppGateway) -> None:
    body = "JF 120 @ shop {ok} €5"
    await gateway.send(PHONE, body, "ref-1")
    [sm] = await smsc.wait_submitted(1)
    assert sm.data_coding == 0
    assert sm.text == body


async def test_a_long_chinese_text_goes_as_three_concatenated_parts(
    smsc: SmppStandIn, gateway: SmppGateway
) -> None:
    body = ("各位村民：本村本季度星级评定结果已公示，请到村委会公告栏查看。" * 6)[:150]
    message_id = await gateway.send(PHONE, body, "ref-1")
    parts = await smsc.wait_submitted(3)
    assert len(smsc.submitted) == 3
    assert [p.concat.sequence for p in parts if p.concat] == [1, 2, 3]
    assert {(p.concat.reference, p.concat.total) for p in parts if p.concat} == {
        (parts[0].concat.reference if parts[0].concat else -1, 3)
    }
    assert all(p.esm_class & ESM_UDHI and p.data_coding == 8 for p in parts)
    assert [p.registered_delivery for p in parts] == [1, 0, 0]
    assert [len(p.text) for p in parts] == [67, 67, 16]
    assert smsc.texts() == [body]
    assert message_id == parts[0].message_id


async def test_a_delivery_receipt_reaches_on_report(
    smsc: SmppStandIn, gateway: SmppGateway, inbox: Inbox
) -> None:
    delivered = await gateway.send(PHONE, "收到请回复", "ref-1")
    failed = await gateway.send("+8613800000001", "收到请回复", "ref-2")
    await smsc.send_receipt(delivered)
    await smsc.send_receipt(failed, stat="UNDELIV", err="001")
    await eventually(lambda: len(inbox.reports) == 2)
    assert inbox.reports == [
        DeliveryReport(delivered, delivered=True, status="DELIVRD"),
        DeliveryReport(failed, delivered=False, status="UNDELIV"),
    ]


async def test_automatic_receipts(inbox: Inbox) -> None:
    async with SmppStandIn(system_id=SYSTEM_ID, password=PASSWORD, auto_receipt="DELIVRD") as smsc:
        gateway = make_gateway(smsc)
        await gateway.start(inbox.on_report, inbox.on_inbound)
        try:
            message_id = await gateway.send(PHONE, "乡" * 100, "ref-1")
            await eventually(lambda: bool(inbox.reports))
            await asyncio.sleep(0.1)  # a receipt per part would show up by now
            assert inbox.reports == [DeliveryReport(message_id, delivered=True, status="DELIVRD")]
        finally:
            await gateway.close()


async def test_an_inbound_chinese_message_reaches_on_inbound(
    smsc: SmppStandIn, gateway: SmppGateway, inbox: Inbox
) -> None:
    await smsc.wait_bound()
    await smsc.send_inbound("+8613900000000", "查积分")
    long_text = "我家老人这个月的孝善金还没有收到，请帮忙查一下。" * 4
    await smsc.send_inbound("+8613900000000", long_text)
    await smsc.send_inbound("+8613900000000", "JF", encoding="gsm7")
    await eventually(lambda: len(inbox.inbound) == 3)
    assert inbox.inbound == [
        InboundSms("+8613900000000", "查积分"),
        InboundSms("+8613900000000", long_text),
        InboundSms("+8613900000000", "JF"),
    ]
    assert inbox.reports == []


async def test_a_send_during_an_outage_completes_after_the_rebind(
    smsc: SmppStandIn, gateway: SmppGateway
) -> None:
    await smsc.stop()
    await eventually(lambda: not gateway.bound)
    sending = asyncio.create_task(gateway.send(PHONE, "停电通知：明天上午检修线路", "ref-1"))
    await asyncio.sleep(0.4)
    assert not sending.done()
    await smsc.start()
    message_id = await asyncio.wait_for(sending, 5)
    assert gateway.bound
    assert [sm.message_id for sm in smsc.submitted] == [message_id]
    assert smsc.texts() == ["停电通知：明天上午检修线路"]
    # Bound before the outage and again after it. A bind that failed while the SMSC was
    # down is asked once more for the SMSC's answer (bind_answer), and on a slow machine
    # the SMSC may be back by then: that probe binds (and unbinds) too.
    assert len(smsc.binds) >= 2 and all(b.accepted for b in smsc.binds)


async def test_an_outage_longer_than_send_wait_raises_transient_then_recovers(
    smsc: SmppStandIn, inbox: Inbox
) -> None:
    gateway = make_gateway(smsc, send_wait=0.3)
    await gateway.start(inbox.on_report, inbox.on_inbound)
    try:
        await smsc.stop()
        started = time.monotonic()
        with pytest.raises(DeliveryError) as caught:
            await gateway.send(PHONE, "第一条", "ref-1")
        assert not caught.value.permanent
        assert time.monotonic() - started < 2
        await smsc.start()
        assert await gateway.wait_bound(5)
        message_id = await gateway.send(PHONE, "第二条", "ref-2")
        assert [sm.message_id for sm in smsc.submitted] == [message_id]
    finally:
        await gateway.close()


async def test_an_invalid_destination_is_a_permanent_error(
    smsc: SmppStandIn, gateway: SmppGateway
) -> None:
    smsc.refuse_next(0x0B)  # ESME_RINVDSTADR
    with pytest.raises(DeliveryError) as caught:
        await gateway.send(PHONE, "测试", "ref-1")
    assert caught.value.permanent
    assert "ESME_RINVDSTADR" in caught.value.reason


@pytest.mark.parametrize(
    ("status", "retry_after"),
    [(0x58, 1.0), (0x14, None), (0x08, None), (0x45, None), (0x400, None)],
    ids=["throttled", "queue_full", "system_error", "submit_failed", "vendor_code"],
)
async def test_busy_smsc_statuses_are_transient(
    smsc: SmppStandIn, gateway: SmppGateway, status: int, retry_after: float | None
) -> None:
    smsc.refuse_next(status)
    with pytest.raises(DeliveryError) as caught:
        await gateway.send(PHONE, "测试", "ref-1")
    assert not caught.value.permanent
    assert caught.value.retry_after == retry_after


async def test_an_unanswered_submit_times_out_transiently(smsc: SmppStandIn, inbox: Inbox) -> None:
    gateway = make_gateway(smsc, submit_timeout=0.3)
    await gateway.start(inbox.on_report, inbox.on_inbound)
    try:
        smsc.stall_next()
        with pytest.raises(DeliveryError) as caught:
            await gateway.send(PHONE, "测试", "ref-1")
        assert not caught.value.permanent
        assert await gateway.send(PHONE, "再试一次", "ref-2")
    finally:
        await gateway.close()


async def test_a_refused_second_part_fails_the_whole_send(
    smsc: SmppStandIn, gateway: SmppGateway
) -> None:
    smsc.answer_next(0, 0x14)
    with pytest.raises(DeliveryError) as caught:
        await gateway.send(PHONE, "乡" * 100, "ref-1")
    assert not caught.value.permanent
    assert len(smsc.submitted) == 2


async def test_a_malformed_number_is_permanent_and_never_submitted(
    smsc: SmppStandIn, gateway: SmppGateway
) -> None:
    with pytest.raises(DeliveryError) as caught:
        await gateway.send("+86 138-0000", "测试", "ref-1")
    assert caught.value.permanent
    assert smsc.submitted == []


async def test_close_unbinds_and_later_sends_fail_transiently(
    smsc: SmppStandIn, inbox: Inbox
) -> None:
    gateway = make_gateway(smsc)
    await gateway.start(inbox.on_report, inbox.on_inbound)
    await smsc.wait_bound()
    await gateway.close()
    await eventually(lambda: smsc.sessions == 0)
    with pytest.raises(DeliveryError) as caught:
        await gateway.send(PHONE, "测试", "ref-1")
    assert not caught.value.permanent


def test_receipt_parsing_reads_text_or_tlvs() -> None:
    body = (
        "id:0A1B2C sub:001 dlvrd:000 submit date:2611231200 done date:2611231201 "
        "stat:EXPIRED err:000 text:孝善金"
    )
    assert parse_receipt(body, []) == ("0A1B2C", "EXPIRED")
    assert parse_receipt("garbage", []) is None
    tlvs = [smpp34.Tlv(0x001E, b"77\0"), smpp34.Tlv(0x0427, bytes((5,)))]
    assert parse_receipt("", tlvs) == ("77", "UNDELIV")


@pytest.mark.parametrize(
    ("source", "ton"),
    [
        ("13942917476", TON_NATIONAL),  # as Chinese carriers send it
        ("13942917476", TON_UNKNOWN),
        ("+8613942917476", TON_UNKNOWN),  # the "+" inside the address: once "++86…"
        ("8613942917476", TON_UNKNOWN),
        ("8613942917476", TON_INTERNATIONAL),
    ],
)
async def test_a_text_from_any_spelling_of_a_number_comes_in_as_e164(
    smsc: SmppStandIn, gateway: SmppGateway, inbox: Inbox, source: str, ton: int
) -> None:
    await smsc.wait_bound()
    await smsc.send_inbound(source, "查积分", ton=ton)
    await eventually(lambda: len(inbox.inbound) == 1)
    assert inbox.inbound == [InboundSms("+8613942917476", "查积分")]


@pytest.mark.parametrize(
    "phone", ["+8613942917476", "13942917476", "008613942917476", "１３９４２９１７４７６"]
)
async def test_a_text_to_any_spelling_of_a_number_goes_international_with_ton_1_npi_1(
    smsc: SmppStandIn, gateway: SmppGateway, phone: str
) -> None:
    await gateway.send(phone, "您好", "ref-1")
    [sm] = await smsc.wait_submitted(1)
    assert (sm.destination_addr, sm.dest_addr_ton, sm.dest_addr_npi) == ("8613942917476", 1, 1)


@pytest.mark.parametrize(
    ("status", "password", "says"),
    [
        (0, "wrong", "密码错误（ESME_RINVPASWD），请检查 XIANGXIN_SMPP_PASSWORD"),
        (0x0D, PASSWORD, "ESME_RBINDFAIL"),
        (0x05, PASSWORD, "已在别处登录（ESME_RALYBND）"),
    ],
    ids=["wrong_password", "bind_fail", "already_bound"],
)
async def test_a_refused_bind_is_logged_with_what_the_smsc_said(
    smsc: SmppStandIn,
    inbox: Inbox,
    caplog: pytest.LogCaptureFixture,
    status: int,
    password: str,
    says: str,
) -> None:
    smsc.bind_status = status
    gateway = make_gateway(smsc, password=password, bind_timeout=0.5, backoff_initial=0.5)
    with caplog.at_level(logging.ERROR, logger="xiangxin.sms.smpp"):
        await gateway.start(inbox.on_report, inbox.on_inbound)
        try:
            await eventually(lambda: gateway.health().last_error is not None)
            health = gateway.health()
            assert not health.up and health.last_error is not None
            assert says in health.last_error
            assert any(says in r.getMessage() for r in caplog.records)
            assert not any("timed out" in r.getMessage() for r in caplog.records)
        finally:
            await gateway.close()


async def test_an_unreachable_smsc_is_logged_as_no_answer(inbox: Inbox) -> None:
    async with SmppStandIn(system_id=SYSTEM_ID, password=PASSWORD) as smsc:
        port = smsc.port
    gateway = SmppGateway("127.0.0.1", port, SYSTEM_ID, PASSWORD, "10690000", bind_timeout=0.5)
    await gateway.start(inbox.on_report, inbox.on_inbound)
    try:
        await eventually(lambda: gateway.health().last_error is not None)
        assert "XIANGXIN_SMPP_HOST" in (gateway.health().last_error or "")
    finally:
        await gateway.close()
