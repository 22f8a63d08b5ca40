"""The running outreach engine: channels built from the settings, one sender each.

It also takes what comes back from the SMS gateway: delivery receipts update
the outbox, inbound texts are recorded and answered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from core.catalogue import text
from core.clock import utcnow
from core.db import Database
from core.settings import Settings
from notifications import outbox
from notifications.inbound import Conversation, receive_sms, subscription_only
from notifications.models import ChannelName
from notifications.quiet import QuietHours
from notifications.sms.channel import SmsChannel
from notifications.sms.console import ConsoleSmsGateway
from notifications.sms.gateway import DeliveryReport, InboundSms, SmsGateway
from notifications.sms.http import HttpSmsGateway
from notifications.sms.smpp import SmppGateway
from notifications.telegram import TelegramChannel
from notifications.worker import Sender
from village.masking import mask_phone

log = logging.getLogger("xiangxin.outreach")


def sms_gateway(settings: Settings) -> SmsGateway:
    """The configured gateway; the outbox's SMS channel paces it at ``sms_tps``."""
    if settings.sms_gateway == "smpp":
        return SmppGateway.from_settings(settings)
    if settings.sms_gateway == "http":
        return HttpSmsGateway.from_settings(settings)
    return ConsoleSmsGateway(settings.sms_log)


class Outreach:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        channels: tuple[str, ...] = (ChannelName.TELEGRAM.value, ChannelName.SMS.value),
        worker: str | None = None,
        conversation: Conversation = subscription_only,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """``conversation`` answers inbound texts (the chat front-end's command layer);
        ``clock`` is what the senders claim by (the demo runs on a clock of its own)."""
        self.database = database
        self.conversation = conversation
        self.settings = settings
        self.gateway = sms_gateway(settings)
        self.senders: list[Sender] = []
        lease = timedelta(seconds=settings.outbox_lease_seconds)
        quiet = QuietHours(settings.quiet_start, settings.quiet_end)
        if ChannelName.SMS.value in channels:
            sms = SmsChannel(self.gateway, settings.sms_tps)
            self.senders.append(
                Sender(
                    database,
                    sms,
                    rate=settings.sms_tps,
                    lease=lease,
                    quiet=quiet,
                    worker=worker,
                    clock=clock,
                )
            )
        self.telegram: TelegramChannel | None = None
        if ChannelName.TELEGRAM.value in channels and settings.telegram_token:
            self.telegram = telegram = TelegramChannel(
                settings.telegram_token,
                base_url=settings.telegram_base_url,
                rate=settings.telegram_rate,
                chat_rate=settings.telegram_chat_rate,
            )
            self.senders.append(
                Sender(
                    database,
                    telegram,
                    rate=settings.telegram_rate,
                    lease=lease,
                    worker=worker,
                    clock=clock,
                )
            )

    async def run(self, stop: asyncio.Event) -> None:
        await self.gateway.start(self.on_report, self.on_inbound)
        if self.telegram is not None:
            await self.telegram.start()
        try:
            await asyncio.gather(*(sender.run(stop) for sender in self.senders))
        finally:
            if self.telegram is not None:
                await self.telegram.close()
            await self.gateway.close()

    async def on_report(self, report: DeliveryReport) -> None:
        """Store and return: a receipt that overtakes its "sent" is applied by record_sent,
        so the gateway's reader never waits here before the next text."""
        async with self.database.transaction() as session:
            applied = await outbox.record_report(
                session,
                ChannelName.SMS.value,
                report.provider_id,
                report.delivered,
                report.status,
            )
        if not applied:
            log.debug(text("outbox_report_kept", id=report.provider_id))

    async def on_inbound(self, sms: InboundSms) -> None:
        async with self.database.transaction() as session:
            await receive_sms(
                session,
                sms.phone,
                sms.body,
                provider_id=sms.provider_id,
                conversation=self.conversation,
            )
        log.info(text("inbound_received", phone=mask_phone(sms.phone)))
