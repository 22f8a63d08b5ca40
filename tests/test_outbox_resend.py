"""``xiangxin outbox resend`` and ``outbox problems`` as the committee's operator uses them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from sqlmodel import select
from typer.testing import CliRunner, Result

from core.db import Database
from notifications import outbox
from notifications.delivery import DeliveryError, Lookup, Outcome
from notifications.models import ChannelName, MessageStatus, OutboxMessage

Invoke = Callable[..., Result]


async def _messages(url: str) -> dict[str, OutboxMessage]:
    """failed (UNDELIV receipt), failed (throttled, attempts used up), unknown, sent, delivered."""
    database = Database(url)
    try:
        async with database.transaction() as session:
            for key in ("undeliv", "throttled", "held", "sent", "delivered"):
                await outbox.queue(
                    session, key=key, channel=ChannelName.SMS, address="+8613900000001", body=key
                )
            claimed = await outbox.claim(session, "sms", "w", 5, lease=timedelta(seconds=60))
            ids = {m.idempotency_key: m.id or 0 for m in claimed}
            for message_id in ids.values():
                assert await outbox.start_sending(session, message_id, "w")
            for key in ("undeliv", "sent", "delivered"):
                await outbox.record_sent(session, ids[key], f"p-{key}")
            await outbox.record_report(session, "sms", "p-undeliv", False, "UNDELIV")
            await outbox.record_report(session, "sms", "p-delivered", True, "DELIVRD")
            throttled = DeliveryError("短信中心拒收：ESME_RTHROTTLED（0x58）", permanent=True)
            await outbox.record_failure(session, ids["throttled"], throttled)
            await outbox.settle_interrupted(session, ids["held"], Lookup(Outcome.UNKNOWN))
        async with database.session() as session:
            return {m.idempotency_key: m for m in await session.scalars(select(OutboxMessage))}
    finally:
        await database.dispose()


def _statuses(url: str) -> dict[str, str]:
    async def read() -> dict[str, str]:
        return {key: m.status for key, m in (await _messages_now(url)).items()}

    return asyncio.run(read())


async def _messages_now(url: str) -> dict[str, OutboxMessage]:
    database = Database(url)
    try:
        async with database.session() as session:
            return {m.idempotency_key: m for m in await session.scalars(select(OutboxMessage))}
    finally:
        await database.dispose()


def test_problems_explain_each_reason_in_chinese(invoke: Invoke, cli_url: str) -> None:
    asyncio.run(_messages(cli_url))
    shown = invoke("outbox", "problems")
    assert shown.exit_code == 0, shown.output
    flat = shown.output.replace("\n", "").replace("│", "").replace(" ", "")
    assert "运营商无法送达（UNDELIV）" in flat and "停机或关机" in flat
    assert "短信中心限流（ESME_RTHROTTLED）" in flat and "XIANGXIN_SMS_TPS" in flat
    assert "发送中途服务中断" in flat
    assert "interrupted" not in shown.output


def answering(answer: str, *args: str) -> Result:
    """``xiangxin ARGS…`` with ``answer`` typed at its question (the ``invoke`` fixture set the URL)."""
    from bot.cli import app

    return CliRunner().invoke(app, list(args), input=answer)


def test_resend_failed_shows_the_count_and_asks_first(invoke: Invoke, cli_url: str) -> None:
    before = asyncio.run(_messages(cli_url))
    refused = answering("n\n", "outbox", "resend", "--failed")
    assert refused.exit_code == 1
    assert "将重新排队 2 条消息：失败 2 条，待核实 0 条" in refused.output.replace("\n", "")
    assert _statuses(cli_url)["undeliv"] == MessageStatus.FAILED

    done = answering("y\n", "outbox", "resend", "--failed")
    assert done.exit_code == 0, done.output
    after = asyncio.run(_messages_now(cli_url))
    assert {k: m.status for k, m in after.items()} == {
        "undeliv": MessageStatus.QUEUED,
        "throttled": MessageStatus.QUEUED,
        "held": MessageStatus.UNKNOWN,
        "sent": MessageStatus.SENT,
        "delivered": MessageStatus.DELIVERED,
    }
    for key in ("undeliv", "throttled"):  # the same row, key and id: no second message
        assert after[key].id == before[key].id
        assert (after[key].attempts, after[key].provider_id, after[key].last_error) == (
            0,
            None,
            None,
        )


def test_resend_by_id_with_yes_never_touches_a_sent_message(invoke: Invoke, cli_url: str) -> None:
    before = asyncio.run(_messages(cli_url))
    ids = [str(before[key].id) for key in ("held", "sent", "delivered")]
    done = invoke("outbox", "resend", *ids, "--yes")
    assert done.exit_code == 0, done.output
    assert "已重新排队 1 条消息" in done.output
    statuses = _statuses(cli_url)
    assert statuses["held"] == MessageStatus.QUEUED
    assert (statuses["sent"], statuses["delivered"]) == (
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
    )
    nothing = invoke("outbox", "resend", str(before["sent"].id), "--yes")
    assert nothing.exit_code == 0 and "没有可重发的消息" in nothing.output


async def test_a_failed_telegram_message_with_its_sms_fallback_is_not_resent(
    db: Database,
) -> None:
    from tests.factories import make_town
    from village.models import ChatBinding, Household

    town = await make_town(db, households=1)
    async with db.transaction() as session:
        home = await session.get_one(Household, town.households[0].id)
        home.phone = "+8613800000001"
        session.add(ChatBinding(chat_id="42", household_id=home.id))
        await session.flush()
        await outbox.tell(session, "code:1", "验证码 123456", household=home)
        (message,) = await outbox.claim(session, "telegram", "w", 1, lease=timedelta(seconds=30))
        assert await outbox.start_sending(session, message.id or 0, "w")
        blocked = DeliveryError("Forbidden: bot was blocked by the user", permanent=True)
        await outbox.record_failure(session, message.id or 0, blocked)
    async with db.transaction() as session:
        assert await outbox.resend_candidates(session) == {}
        assert await outbox.resend(session) == 0
