"""The offline gateway: each SMS is a line appended to ``var/sms.log``.

It makes the whole system usable with no carrier at all: a person reads the log
(``tail -f var/sms.log``) and types replies at the service's terminal, or with
``xiangxin sms receive``. Because the log is the provider's own record, an
interrupted send can be looked up exactly, by its reference.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

from core.clock import local_text, utcnow
from notifications.delivery import Lookup, Outcome
from notifications.sms.gateway import DeliveryReport, InboundHandler, ReportHandler, SmsGateway


class ConsoleSmsGateway(SmsGateway):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = asyncio.Lock()
        self._receipts: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Future[None]] = set()

    async def start(self, on_report: ReportHandler, on_inbound: InboundHandler) -> None:
        await super().start(on_report, on_inbound)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    async def send(self, phone: str, body: str, reference: str) -> str:
        provider_id = uuid.uuid4().hex[:16]
        line = json.dumps(
            {
                "time": local_text(utcnow()),
                "id": provider_id,
                "to": phone,
                "ref": reference,
                "text": body,
            },
            ensure_ascii=False,
        )
        async with self._write_lock:
            await asyncio.to_thread(self._append, line)
        # The "handset" is the log itself: the message is delivered once written.
        self._receipts[provider_id] = asyncio.get_running_loop().call_later(
            0.5, self._spawn, provider_id
        )
        return provider_id

    def _spawn(self, provider_id: str) -> None:
        self._receipts.pop(provider_id, None)
        task = asyncio.ensure_future(self._report(provider_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Receipts not yet given are dropped: the messages stay "sent", which is true."""
        for handle in self._receipts.values():
            handle.cancel()
        self._receipts.clear()
        for task in list(self._tasks):
            task.cancel()

    def _append(self, line: str) -> None:
        with self.path.open("a", encoding="utf-8") as log:
            log.write(line + "\n")
            log.flush()

    async def _report(self, provider_id: str) -> None:
        await self.on_report(DeliveryReport(provider_id, delivered=True, status="DELIVRD"))

    async def lookup(self, phone: str, reference: str) -> Lookup:
        found = await asyncio.to_thread(self._find, reference)
        if found is None:
            return Lookup(Outcome.NOT_SENT)
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
