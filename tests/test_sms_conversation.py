"""The household's conversation over SMS, end to end through the outreach engine.

An inbound text goes from the gateway to the engine, is recorded, answered by
the chat front-end's command layer (``bot.household.answer_sms``) and the reply
leaves through the outbox and the same gateway: once with the console gateway
(``sms.log``), once over SMPP against the stand-in SMSC, where the household
also confirms a redemption by texting back the code it was sent.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import time as clock_time
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.household import answer_sms
from care.models import HardshipReport
from care.visits import assign_helper
from core.catalogue import text
from core.db import Database
from core.settings import Settings, get_settings
from notifications.engine import Outreach
from notifications.models import InboundMessage
from notifications.sms.gateway import InboundSms
from points import ledger, supermarket
from points.messages import ask_household
from points.models import CatalogueItem, Receipt, Redemption, RedemptionStatus
from standins.smpp_server import SmppStandIn
from tests.factories import Town, make_town
from tests.test_supermarket import fund, stock_shop
from village.models import Household, StaffMember
from village.registry import add_staff

PHONE = "+8613800000001"
STRANGER = "+8613900000009"  # on nobody's roster
FUNDS = 100


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def settings_for(db: Database, tmp_path: Path, **extra: object) -> Settings:
    """No quiet hours (start == end): these tests must not depend on the time of day."""
    values: dict[str, object] = {
        "database_url": db.url,
        "sms_log": tmp_path / "sms.log",
        "sms_tps": 200,
        "telegram_token": None,
        "quiet_start": clock_time(0, 0),
        "quiet_end": clock_time(0, 0),
    }
    values.update(extra)
    return Settings.model_validate(values)


async def village_with_a_phone(db: Database) -> tuple[Town, Household]:
    """A stocked shop (rice 20 a bag ×10, oil 15 a bottle ×1) and household 1 with points."""
    town = await make_town(db, households=2)
    async with db.transaction() as session:
        home = await session.get_one(Household, town.households[1].id)
        home.phone = PHONE
    await stock_shop(db, town)
    await fund(db, town, home, FUNDS, "fund:sms")
    return town, home


async def household(db: Database, household_id: int | None) -> Household:
    async with db.session() as session:
        return await session.get_one(Household, household_id)


# ---------------------------------------------------------------- console gateway


@dataclass
class Console:
    outreach: Outreach
    log: Path

    def replies(self) -> list[dict[str, str]]:
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]

    async def ask(self, phone: str, body: str) -> str:
        """Text ``body`` from ``phone`` and wait for the one reply it gets back."""
        before = len(self.replies())
        await self.outreach.on_inbound(InboundSms(phone, body))

        async def answered() -> bool:
            return len(self.replies()) > before

        await eventually(answered)
        await asyncio.sleep(0.05)  # a second reply would be a bug: give it a moment to show
        new = self.replies()[before:]
        assert len(new) == 1, new
        assert new[0]["to"] == phone
        return new[0]["text"]


@pytest.fixture
async def console(db: Database, tmp_path: Path) -> AsyncIterator[Console]:
    settings = settings_for(db, tmp_path, sms_gateway="console")
    outreach = Outreach(
        db, settings, channels=("sms",), worker="sms-conversation", conversation=answer_sms
    )
    stop = asyncio.Event()
    engine = asyncio.create_task(outreach.run(stop))
    try:
        yield Console(outreach, settings.sms_log)
    finally:
        stop.set()
        await asyncio.wait_for(engine, 30)


async def test_household_asks_by_sms_and_is_answered_through_the_console_gateway(
    db: Database, console: Console
) -> None:
    town, home = await village_with_a_phone(db)
    help_sms = text("household_help_sms")

    points = await console.ask(PHONE, "JF")
    assert f"{home.head_name}家现有积分{FUNDS}分" in points

    stars = await console.ask(PHONE, "xj。")  # lower case and a stray full stop still work
    assert stars.startswith(text("view_sms_stars_head", name=home.head_name))

    shop = await console.ask(PHONE, "超市")
    assert shop.startswith(text("view_sms_catalogue_head", village=town.village.name))
    assert "大米20分/袋（剩10）" in shop and "食用油15分/瓶（剩1）" in shop

    assert await console.ask(PHONE, "BZ") == help_sms
    for word in ("JF", "XJ", "CS", "TD", "DY", "BZ"):
        assert word in help_sms
    unknown = await console.ask(PHONE, "你好啊")
    assert unknown == text("household_unknown", text="你好啊") + "\n" + help_sms

    assert await console.ask(PHONE, "TD") == text("opt_out_done")
    assert (await household(db, home.id)).opted_out_at is not None
    assert await console.ask(PHONE, "订阅") == text("opt_in_done")
    assert (await household(db, home.id)).opted_out_at is None

    assert await console.ask(STRANGER, "JF") == text("inbound_unknown_sender")

    async with db.session() as session:
        inbound = list(
            await session.scalars(select(InboundMessage).order_by(col(InboundMessage.id)))
        )
    assert [(m.sender, m.body, m.channel) for m in inbound] == [
        (PHONE, "JF", "sms"),
        (PHONE, "xj。", "sms"),
        (PHONE, "超市", "sms"),
        (PHONE, "BZ", "sms"),
        (PHONE, "你好啊", "sms"),
        (PHONE, "TD", "sms"),
        (PHONE, "订阅", "sms"),
        (STRANGER, "JF", "sms"),
    ]
    assert [m.household_id for m in inbound] == [home.id] * 7 + [None]
    refs = [entry["ref"] for entry in console.replies()]
    assert refs == [f"reply:{m.id}" for m in inbound]  # each reply answers its own text


async def test_a_household_texts_qz_and_the_committee_and_its_helper_hear_at_once(
    db: Database, console: Console
) -> None:
    town = await make_town(db, households=1)
    async with db.transaction() as session:
        home = await session.get_one(Household, town.households[0].id)
        home.phone = PHONE
        director = await session.get_one(StaffMember, town.director.id)
        director.phone = "+8613900000001"
        helper = await add_staff(session, town.village, "张帮扶", "helper", phone="+8613900000002")
        await assign_helper(session, town.director, town.village, helper, [home])
    await console.outreach.on_inbound(InboundSms(PHONE, "QZ 老伴住院了"))

    async def all_sent() -> bool:
        return len(console.replies()) >= 3

    await eventually(all_sent)
    sent = {entry["to"]: entry["text"] for entry in console.replies()}
    assert sent[PHONE] == text("care_hardship_received", kind="因病")
    for staff_phone in ("+8613900000001", "+8613900000002"):
        assert "老伴住院了" in sent[staff_phone] and home.number in sent[staff_phone]
    assert len(console.replies()) == 3  # the secretary has no phone and no chat
    async with db.session() as session:
        report = await session.scalar(select(HardshipReport))
    assert report is not None and (report.channel, report.text) == ("sms", "老伴住院了")


# ---------------------------------------------------------------- SMPP


async def balance_and_rice(db: Database, home: Household) -> tuple[int, int]:
    async with db.session() as session:
        balance = await ledger.balance(session, home.id or 0)
        rice = await session.scalar(select(CatalogueItem.stock).where(CatalogueItem.name == "大米"))
    return balance, rice or 0


async def redemption_state(db: Database, redemption_id: int | None) -> tuple[str, int]:
    async with db.session() as session:
        redemption = await session.get_one(Redemption, redemption_id)
        receipts = await session.scalars(
            select(Receipt).where(Receipt.redemption_id == redemption_id)
        )
        return redemption.status, len(list(receipts))


async def test_household_checks_points_and_confirms_a_redemption_by_sms_code_over_smpp(
    db: Database, tmp_path: Path
) -> None:
    town, home = await village_with_a_phone(db)
    async with SmppStandIn(system_id="xiangxin", password="secret", auto_receipt="DELIVRD") as smsc:
        settings = settings_for(
            db, tmp_path, sms_gateway="smpp", smpp_port=smsc.port, smpp_password="secret"
        )
        outreach = Outreach(
            db, settings, channels=("sms",), worker="sms-smpp", conversation=answer_sms
        )
        stop = asyncio.Event()
        engine = asyncio.create_task(outreach.run(stop))

        async def reply_to(body: str) -> str:
            """Text ``body`` from the household's phone; the next text the SMSC gets back."""
            before = len(smsc.texts())
            await smsc.send_inbound(PHONE, body)

            async def answered() -> bool:
                return len(smsc.texts()) > before

            await eventually(answered)
            return smsc.texts()[before]

        try:
            await smsc.wait_bound()
            assert f"现有积分{FUNDS}分" in await reply_to("查积分")

            async with db.transaction() as session:
                started = await supermarket.start_redemption(
                    session, town.village, home, [("大米", 2)], town.shopkeeper, "sms-code"
                )
                assert await ask_household(session, started, town.shopkeeper)

            async def asked() -> bool:
                return any("验证码" in t for t in smsc.texts())

            await eventually(asked)
            ask = next(t for t in smsc.texts() if "验证码" in t)
            found = re.search(r"验证码(\d{6})", ask)
            assert found is not None and found.group(1) == started.code
            code = found.group(1)
            assert [sm.destination_addr.removeprefix("+") for sm in smsc.submitted][-1] == (
                PHONE.removeprefix("+")
            )

            wrong = f"{(int(code) + 1) % 1_000_000:06d}"
            left = get_settings().redemption_code_attempts - 1
            assert await reply_to(wrong) == text("redemption_code_wrong", left=left)
            assert await balance_and_rice(db, home) == (FUNDS, 10)
            assert await redemption_state(db, started.redemption.id) == (
                RedemptionStatus.PENDING.value,
                0,
            )

            receipt = await reply_to(code)
            assert text("receipt_title", shop=town.village.name) in receipt
            assert text("receipt_balance", balance=FUNDS - 40, yuan="60.00") in receipt
        finally:
            stop.set()
            await asyncio.wait_for(engine, 30)

    assert await balance_and_rice(db, home) == (FUNDS - 40, 8)
    assert await redemption_state(db, started.redemption.id) == (
        RedemptionStatus.COMPLETED.value,
        1,
    )
    async with db.session() as session:
        inbound = list(
            await session.scalars(select(InboundMessage).order_by(col(InboundMessage.id)))
        )
    assert [(m.sender, m.body, m.household_id) for m in inbound] == [
        (PHONE, "查积分", home.id),
        (PHONE, wrong, home.id),
        (PHONE, code, home.id),
    ]
