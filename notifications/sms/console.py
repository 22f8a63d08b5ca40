"""The offline gateway: each SMS is a line appended to ``var/sms.log``.

It makes the whole system usable with no carrier at all: a person reads the log
(``tail -f var/sms.log``) and types replies at the service's terminal, or with
``xiangxin sms receive``. Because the log is the provider's own record, an
interrupted send can be looked up exactly, by its reference.

The "handset" is the log itself, so a text is delivered once written: its
receipt is handed on right then, before ``send`` returns (the outbox keeps a
receipt that overtakes "sent"). Nothing is left pending, so closing the
gateway or killing the process loses no receipt; a text found in the log after
a crash gets its receipt from ``lookup``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from pathlib import Path

from core.catalogue import text
from core.clock import local_text, utcnow
from core.phones import e164
from notifications.delivery import Lookup, Outcome
from notifications.sms.gateway import DeliveryReport, InboundHandler, ReportHandler, SmsGateway

log = logging.getLogger("xiangxin.sms.console")


class ConsoleSmsGateway(SmsGateway):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = asyncio.Lock()

    async def start(self, on_report: ReportHandler, on_inbound: InboundHandler) -> None:
        await super().start(on_report, on_inbound)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    async def send(self, phone: str, body: str, reference: str) -> str:
        provider_id = uuid.uuid4().hex[:16]
        line = json.dumps(
            {
                "time": local_text(utcnow()),
                "id": provider_id,
                "to": e164(phone) or phone,
                "ref": reference,
                "text": body,
            },
            ensure_ascii=False,
        )
        async with self._write_lock:
            await asyncio.to_thread(self._append, line)
        await self._report(provider_id)
        return provider_id

    def _append(self, line: str) -> None:
        with self.path.open("a", encoding="utf-8") as log:
            log.write(line + "\n")
            log.flush()

    async def _report(self, provider_id: str) -> None:
        """The text is in the log, so it is sent whatever happens here: never raise."""
        try:
            await self.on_report(DeliveryReport(provider_id, delivered=True, status="DELIVRD"))
        except Exception:
            log.exception(text("sms_console_receipt_failed", id=provider_id))

    async def lookup(self, phone: str, reference: str) -> Lookup:
        found = await asyncio.to_thread(self._find, reference)
        if found is None:
            return Lookup(Outcome.NOT_SENT)
        await self._report(found)  # its receipt may have died with the old process
        return Lookup(Outcome.SENT, found)

    def _find(self, reference: str) -> str | None:
        if not self.path.exists():
            return None
        needle = json.dumps(reference, ensure_ascii=False)
        with self.path.open(encoding="utf-8") as log:
            for line in log:
                if needle in line:
                    entry = json.loads(line)
                    if entry.get("ref") == reference:
                        return str(entry["id"])
        return None
