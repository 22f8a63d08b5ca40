"""The one-time code travels in the outbox only until it is sent.

A copy of the database must not hand over a code that is still valid, so once
the ask has gone out its stored body shows ●●●●●● instead; a message not yet
sent (retried, or copied to a fallback SMS) still carries the code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from core.db import Database
from notifications import outbox
from notifications.delivery import DeliveryError
from notifications.models import ChannelName, OutboxMessage
from points import supermarket
from points.messages import ask_household
from tests.factories import Town, give_points, make_town
from village.models import ChatBinding, Household

NOW = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)  # 10:30 in Beijing: no quiet hours
LEASE = timedelta(seconds=60)


async def ask_for_rice(db: Database, *, chat: bool) -> tuple[Town, Household, supermarket.Started]:
    """A household with a phone (and a bound chat when ``chat``) asked to confirm one bag."""
    town = await make_town(db)
    async with db.transaction() as s:
        home = await s.get(Household, town.households[1].id)
        assert home is not None
        home.phone = "+8613900000001"
        if chat:
            s.add(ChatBinding(chat_id="9002", household_id=home.id))
        await supermarket.add_item(s, town.village, "大米", 20, town.shopkeeper, stock=5, now=NOW)
        await give_points(s, town, home, 100)
        started = await supermarket.start_redemption(
            s, town.village, home, [("大米", 1)], town.shopkeeper, "ask", NOW
        )
        assert await ask_household(s, started, town.shopkeeper, NOW)
    return town, home, started


async def take(db: Database, channel: ChannelName) -> OutboxMessage:
    """Claim the one due message of ``channel`` and mark it being sent."""
    async with db.transaction() as s:
        claimed = await outbox.claim(s, channel.value, "w1", 10, lease=LEASE, now=NOW)
        assert len(claimed) == 1
        assert await outbox.start_sending(s, claimed[0].id or 0, "w1")
    return claimed[0]


async def body_of(db: Database, key: str) -> str:
    async with db.session() as s:
        body = await s.scalar(
            select(OutboxMessage.body).where(OutboxMessage.idempotency_key == key)
        )
    assert body is not None
    return body


async def test_the_code_sent_by_sms_is_masked_in_the_outbox(db: Database) -> None:
    _, home, started = await ask_for_rice(db, chat=False)
    code = started.code or ""
    key = f"otp:redemption:{started.redemption.id}:ask"
    assert code in await body_of(db, key)  # queued: the sender still needs it

    message = await take(db, ChannelName.SMS)
    async with db.transaction() as s:
        await outbox.record_sent(s, message.id or 0, "sms-1", NOW)
    stored = await body_of(db, key)
    assert code not in stored and "回复验证码●●●●●●" in stored

    async with db.transaction() as s:  # the household still confirms with the code it got
        done = await supermarket.confirm_by_code(s, [home], code, NOW)
    assert done is not None and done.ok


async def test_a_fallback_sms_before_sending_still_carries_the_code(db: Database) -> None:
    _, _, started = await ask_for_rice(db, chat=True)
    code = started.code or ""
    key = f"otp:redemption:{started.redemption.id}:ask"

    blocked = await take(db, ChannelName.TELEGRAM)
    async with db.transaction() as s:
        gone = DeliveryError("bot was blocked by the user", permanent=True)
        await outbox.record_failure(s, blocked.id or 0, gone, NOW)
    assert code in await body_of(db, key)  # never sent: nothing to hide yet
    assert code in await body_of(db, f"{key}:sms")

    message = await take(db, ChannelName.SMS)
    async with db.transaction() as s:
        await outbox.record_sent(s, message.id or 0, "sms-2", NOW)
    assert code not in await body_of(db, f"{key}:sms")


async def test_other_messages_keep_their_numbers(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        home = await s.get(Household, town.households[1].id)
        assert home is not None
        home.phone = "+8613900000001"
        await outbox.tell(s, "notice:1", "请于 202603 前缴费", household=home, now=NOW)
    message = await take(db, ChannelName.SMS)
    async with db.transaction() as s:
        await outbox.record_sent(s, message.id or 0, "sms-3", NOW)
    assert await body_of(db, "notice:1") == "请于 202603 前缴费"
