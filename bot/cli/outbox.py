"""``xiangxin outbox …``, ``xiangxin sms receive`` and ``xiangxin worker``."""

from __future__ import annotations

import asyncio
import signal

import typer
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from bot.cli.context import console, headed_table, run, say, start_logging
from bot.household import answer_sms
from core.catalogue import text
from core.clock import local_text
from core.db import Database
from core.settings import get_settings
from migrations import upgrade_async
from notifications import outbox
from notifications.engine import Outreach
from notifications.inbound import receive_sms
from notifications.models import ChannelName, MessageStatus, OutboxMessage
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


@app.command("problems", help="发送失败和待核实的消息（最近50条）")
def problems() -> None:
    async def work(session: AsyncSession) -> list[OutboxMessage]:
        query = (
            select(OutboxMessage)
            .where(
                col(OutboxMessage.status).in_(
                    [MessageStatus.FAILED.value, MessageStatus.UNKNOWN.value]
                )
            )
            .order_by(col(OutboxMessage.id).desc())
            .limit(50)
        )
        return list(await session.scalars(query))

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
            message.last_error or "",
        )
    console.print(table)


@app.command("resend", help="重新发送“待核实”的消息（确认对方没有收到之后）")
def resend(ids: list[int] = typer.Argument(None, help="消息编号；不写则全部待核实消息")) -> None:
    async def work(session: AsyncSession) -> int:
        return await outbox.resend_unknown(session, ids or None)

    say("outbox_resent", count=run(work))


@sms_app.command("receive", help="模拟收到一条短信（控制台短信网关），例如：JF、退订、6位验证码")
def receive(
    phone: str = typer.Argument(..., help="发信人手机号，如 +8613800000000"),
    body: str = typer.Argument(..., help="短信内容"),
) -> None:
    async def work(session: AsyncSession) -> str:
        return await receive_sms(session, phone, body, conversation=answer_sms)

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

    asyncio.run(main())
