"""The SMS channel's pace, measured where a carrier measures it: submit_sm at the SMSC.

The stand-in SMSC on 127.0.0.1 stamps each submit_sm as it arrives; every run is
a handful of messages, bounded in time by ``asyncio.wait_for``.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest

from notifications.delivery import DeliveryError
from notifications.sms.channel import SmsChannel
from notifications.sms.smpp import ESME_RTHROTTLED, SmppGateway
from standins.smpp_server import SmppStandIn, SubmittedSm
from tests.test_sms_smpp import PASSWORD, SYSTEM_ID, Inbox, make_gateway

NOTICE = "各位村民：本季度星级评定结果已在村委会公告栏公示，如有异议请在五日内向村两委反映。"
THREE_PARTS = (NOTICE * 4)[:150]  # 67 + 67 + 16 UCS-2 characters


def most_in_one_second(parts: list[SubmittedSm], tps: int) -> int:
    """The most submit_sm that arrived within any one second (a sliding window).

    The window is shortened by half a gap (1/2tps): the stamps are taken when the
    stand-in gets round to each PDU, so on a loaded machine two of them can move
    together by a few milliseconds although they left evenly spaced.
    """
    window = 1.0 - 0.5 / tps
    stamps = sorted(p.at for p in parts)
    return max(sum(1 for t in stamps[i:] if t < start + window) for i, start in enumerate(stamps))


def texts_in_one_piece(parts: list[SubmittedSm]) -> bool:
    """Each text's parts arrived one after another, never mixed with another text's."""
    runs = [p.concat.reference for p in parts if p.concat is not None]
    finished: set[int] = set()
    for previous, current in itertools.pairwise(runs):
        if current != previous:
            finished.add(previous)
            if current in finished:
                return False
    return len(runs) == len(parts)


async def turn() -> bool:
    return True


@pytest.fixture
async def smsc() -> AsyncIterator[SmppStandIn]:
    async with SmppStandIn(system_id=SYSTEM_ID, password=PASSWORD) as server:
        yield server


@pytest.fixture
async def gateway(smsc: SmppStandIn) -> AsyncIterator[SmppGateway]:
    inbox = Inbox()
    gateway = make_gateway(smsc)
    await gateway.start(inbox.on_report, inbox.on_inbound)
    try:
        yield gateway
    finally:
        await gateway.close()


async def test_a_stream_of_three_part_texts_stays_within_the_tps(
    smsc: SmppStandIn, gateway: SmppGateway
) -> None:
    tps = 5
    channel = SmsChannel(gateway, tps)
    sends = [channel.send(f"+86139000000{i:02d}", THREE_PARTS, f"ref-{i}", turn) for i in range(5)]
    await asyncio.wait_for(asyncio.gather(*sends), 30)
    parts = smsc.submitted
    assert len(parts) == 15 and all(p.message_id for p in parts)
    assert most_in_one_second(parts, tps) <= tps
    assert texts_in_one_piece(parts)
    assert len(smsc.texts()) == 5


async def test_a_throttled_part_goes_again_and_the_pace_halves(
    smsc: SmppStandIn, gateway: SmppGateway
) -> None:
    tps = 10
    channel = SmsChannel(gateway, tps)
    smsc.answer_next(0, ESME_RTHROTTLED)  # the second part of the first text
    sends = [channel.send(f"+86139000000{i:02d}", THREE_PARTS, f"ref-{i}", turn) for i in range(3)]
    await asyncio.wait_for(asyncio.gather(*sends), 30)
    accepted = [p for p in smsc.submitted if p.message_id]
    assert len(accepted) == 9 and texts_in_one_piece(smsc.submitted)
    assert len(smsc.texts()) == 3
    assert channel.pacer.slowdown == 2
    after = [p.at for p in smsc.submitted[2:]]  # from the throttled part on
    gaps = [b - a for a, b in itertools.pairwise(after)]
    assert min(gaps[1:]) >= 1.5 / tps  # half the pace: about 2/tps apart, not 1/tps


async def test_a_throttled_first_part_fails_without_counting_and_slows_the_channel(
    smsc: SmppStandIn, gateway: SmppGateway
) -> None:
    channel = SmsChannel(gateway, 10)
    smsc.refuse_next(ESME_RTHROTTLED)
    with pytest.raises(DeliveryError) as caught:
        await channel.send("+8613900000000", THREE_PARTS, "ref-1", turn)
    assert caught.value.throttled and not caught.value.counts
    assert len(smsc.submitted) == 1  # nothing of the text went: no fragment on the handset
    assert channel.pacer.slowdown == 2
