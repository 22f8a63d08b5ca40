"""``xiangxin outbox …``, ``xiangxin sms receive`` and ``xiangxin worker``."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.context import console, fail, headed_table, run, say, start_logging
from bot.household import answer_sms
from core.catalogue import text
from core.clock import local_text
from core.db import Database
from core.errors import DomainError
from core.phones import e164
from core.settings import get_settings
from migrations import upgrade_async
from notifications import outbox
from notifications.engine import Outreach
from notifications.inbound import receive_sms
from notifications.models import ChannelName, MessageStatus, OutboxMessage
from notifications.problems import explain
from village.masking import mask_phone

app = typer.Typer(no_args_is_help=True)
sms_app = typer.Typer(no_args_is_help=True)


@app.command("status", help="发件箱：各状态的消息数")
def status() -> None:
    async def work(session: AsyncSession) -> dict[str, int]:
        return dict(await outbox.status_counts(session))

    counts = run(work)
    table = headed_table("col_status", "col_count")
    for state in MessageStatus:
        table.add_row(say_status(state), str(counts.get(state.value, 0)))
    console.print(table)


def say_status(state: MessageStatus) -> str:
    return text(f"status_{state.value}")


@app.command("problems", help="发送失败和待核实的消息（最近50条），附原因和处理办法")
def problems() -> None:
    async def work(session: AsyncSession) -> list[OutboxMessage]:
        return await outbox.problem_messages(session, limit=50)

    table = headed_table(
        "col_id", "col_channel", "col_phone", "col_status", "col_time", "col_reason"
    )
    for message in run(work):
        address = (
            mask_phone(message.address) if message.channel == ChannelName.SMS else message.address
        )
        table.add_row(
            str(message.id),
            message.channel,
            address,
            say_status(MessageStatus(message.status)),
            local_text(message.finished_at),
            explain(message.last_error),
        )
    console.print(table)


@app.command("resend", help="把失败或待核实的消息重新排队发送（保留原幂等键，已发出的不会重发）")
def resend(
    ids: list[int] = typer.Argument(None, help="消息编号（outbox problems 中的编号）"),
    failed: bool = typer.Option(False, "--failed", help="重发“失败”的消息"),
    unknown: bool = typer.Option(False, "--unknown", help="重发“待核实”的消息"),
    notice: int | None = typer.Option(None, "--broadcast", help="只重发这条通知（编号）的消息"),
    yes: bool = typer.Option(False, "--yes", "-y", help="不再询问，直接重新排队"),
) -> None:
    """Without --failed/--unknown: both kinds when ids or --broadcast narrow the choice,
    else only the held (unknown) ones, as before."""
    if failed or unknown:
        statuses = [
            s for s, on in ((MessageStatus.FAILED, failed), (MessageStatus.UNKNOWN, unknown)) if on
        ]
    elif ids or notice is not None:
        statuses = list(outbox.RESENDABLE)
    else:
        statuses = [MessageStatus.UNKNOWN]

    async def count(session: AsyncSession) -> Counter[str]:
        return await outbox.resend_candidates(
            session, statuses=statuses, ids=ids or None, notice_id=notice
        )

    counts = run(count)
    total = sum(counts.values())
    if not total:
        say("outbox_resend_none")
        return
    say(
        "outbox_resend_plan",
        count=total,
        failed=counts.get(MessageStatus.FAILED.value, 0),
        unknown=counts.get(MessageStatus.UNKNOWN.value, 0),
    )
    if not yes:
        try:
            confirmed = typer.confirm(text("outbox_resend_confirm"), default=False)
        except typer.Abort:  # no terminal to answer from (a script, a pipe)
            confirmed = False
        if not confirmed:
            raise fail(text("outbox_resend_not_confirmed"))

    async def work(session: AsyncSession) -> int:
        return await outbox.resend(session, statuses=statuses, ids=ids or None, notice_id=notice)

    say("outbox_resent", count=run(work))


@sms_app.command("receive", help="模拟收到一条短信（控制台短信网关），例如：JF、退订、6位验证码")
def receive(
    phone: str = typer.Argument(..., help="发信人手机号，如 13800000000 或 +8613800000000"),
    body: str = typer.Argument(..., help="短信内容"),
) -> None:
    sender = e164(phone)  # as a carrier would pass it on: one spelling per number
    if sender is None:
        raise fail(text("sms_receive_bad_number", phone=phone))

    async def work(session: AsyncSession) -> str:
        return await receive_sms(session, sender, body, conversation=answer_sms)

    say("sms_reply_queued", reply=run(work))


def worker_command(
    channel: list[str] = typer.Option(
        [], "--channel", "-c", help="只负责某个渠道：telegram 或 sms（可重复；默认两个都负责）"
    ),
) -> None:
    """只运行发件箱发送进程（可在多台机器上各开一个；PostgreSQL 上每个渠道同时只有一个在发）"""
    settings = get_settings()
    start_logging(settings)
    channels = tuple(channel) or (ChannelName.TELEGRAM.value, ChannelName.SMS.value)

    async def main() -> None:
        await upgrade_async(settings.database_url)
        database = Database(settings.database_url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await Outreach(database, settings, channels=channels, conversation=answer_sms).run(stop)
        finally:
            await database.dispose()

    try:
        asyncio.run(main())
    except DomainError as error:  # e.g. a gateway that refuses its settings
        raise fail(error.message) from None
