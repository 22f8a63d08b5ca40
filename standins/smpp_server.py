"""A local SMSC for tests, benchmarks and offline demos, on smpp34's own server.

smpp34's Python ``Server`` accepts every bind whatever its password, cannot
listen on port 0 and say which port it got, and keeps bound sessions alive
after ``stop()``. So a small asyncio gate listens on the public port: it reads
the first PDU, checks system_id and password, refuses a wrong one itself
(bind_*_resp with ESME_RINVSYSID / ESME_RINVPASWD, or whatever status
``bind_status`` is set to, as a carrier refuses an account it has not
provisioned) and splices a good one
through to the smpp34 server on a private port. ``stop()`` closes the gate and
cuts every spliced connection, which is what an ESME sees when its SMSC goes
down; ``start()`` opens the same port again. Everything past the bind (PDU
codec, sequence numbers, enquire_link) is smpp34's.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket
import struct
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal

import smpp34

from core.catalogue import text
from core.settings import get_settings
from notifications.sms.smpp import (
    ESM_RECEIPT,
    ESM_UDHI,
    MESSAGE_STATES,
    NPI_E164,
    TLV_MESSAGE_STATE,
    TLV_RECEIPTED_MESSAGE_ID,
    TON_INTERNATIONAL,
    Concat,
    Reassembler,
    decode_text,
    encode_parts,
    split_udh,
)
from village.masking import mask_phone

log = logging.getLogger("xiangxin.standins.smpp")

_HEADER: Final = struct.Struct(">IIII")  # command_length, command_id, command_status, sequence
_BIND_COMMANDS: Final = frozenset({0x01, 0x02, 0x09})  # bind_receiver, _transmitter, _transceiver
_RESPONSE: Final = 0x80000000
_ESME_RINVPASWD: Final = 0x0E
_ESME_RINVSYSID: Final = 0x0F
_MAX_BIND_LENGTH: Final = 1024
_STATE_CODES: Final = {name: code for code, name in MESSAGE_STATES.items()}
_STALL: Final = -1


@dataclass(frozen=True)
class BindAttempt:
    system_id: str
    accepted: bool
    status: int = 0  # the command_status answered


@dataclass(frozen=True)
class SubmittedSm:
    """One submit_sm as the SMSC saw it; ``text`` is this part's text without the UDH."""

    message_id: str  # "" when refused or left unanswered
    status: int  # the command_status answered; -1 when left unanswered
    source_addr: str
    destination_addr: str
    dest_addr_ton: int
    dest_addr_npi: int
    data_coding: int
    esm_class: int
    registered_delivery: int
    text: str
    concat: Concat | None
    session_id: str = field(repr=False)
    at: float = field(default=0.0, repr=False)  # loop.time() when it arrived


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _c_strings(body: bytes, count: int) -> list[str]:
    fields = body.split(b"\0", count)[:count]
    return [f.decode("latin-1") for f in fields] + [""] * (count - len(fields))


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.transport.abort()


class SmppStandIn:
    """An SMSC on 127.0.0.1 that records what it is sent and talks back on demand."""

    def __init__(
        self,
        *,
        system_id: str = "xiangxin",
        password: str = "secret",
        host: str = "127.0.0.1",
        port: int = 0,
        auto_receipt: str | None = None,
        service_number: str = "10690000",
    ) -> None:
        """``auto_receipt`` is the stat (e.g. "DELIVRD") of a receipt sent for every
        accepted submit that asks for one; None sends receipts only on demand."""
        self.system_id, self.password = system_id, password
        self.host, self._port = host, port
        self.auto_receipt = auto_receipt
        self.service_number = service_number
        self.submitted: list[SubmittedSm] = []
        self.binds: list[BindAttempt] = []
        self.bind_status = 0  # non-zero: refuse every bind with this command_status
        self._sessions: dict[str, smpp34.Esme] = {}
        self._plans: deque[int] = deque()
        self._stalled: list[smpp34.SubmitSmEvent] = []
        self._ids = itertools.count(1)
        self._references = itertools.count(1)
        self._changed = asyncio.Condition()
        self._gate: asyncio.Server | None = None
        self._inner: smpp34.Server | None = None
        self._inner_port = 0
        self._serving: asyncio.Task[None] | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._chores: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        return self._port

    @property
    def sessions(self) -> int:
        """How many ESME sessions are bound now."""
        return len(self._sessions)

    @property
    def running(self) -> bool:
        return self._gate is not None

    async def __aenter__(self) -> SmppStandIn:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen (again) on ``port``; port 0 picks one the first time and keeps it."""
        if self.running:
            return
        self._inner_port = _free_port(self.host)
        self._inner = smpp34.Server(self.host, self._inner_port, system_id="XIANGXIN-STANDIN")
        await self._inner.start()
        self._serving = asyncio.create_task(self._serve(self._inner), name="smpp-standin")
        self._serving.add_done_callback(self._finished)
        self._gate = await asyncio.start_server(self._on_connection, self.host, self._port)
        self._port = self._gate.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Go down hard: refuse connections and cut every bound session."""
        if self._gate is not None:
            self._gate.close()
            self._gate = None
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()
        tasks = [*self._chores, *([self._serving] if self._serving else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._serving = None
        if self._inner is not None:
            with contextlib.suppress(smpp34.SmppError, RuntimeError):
                await self._inner.stop()
            self._inner = None
        self._sessions.clear()
        self._stalled.clear()

    # -- scripting the SMSC --------------------------------------------------------

    def answer_next(self, *statuses: int) -> None:
        """Answer the coming submits with these command_status values in turn
        (0 accepts); submits after them are accepted."""
        self._plans.extend(statuses)

    def refuse_next(self, status: int, count: int = 1) -> None:
        """Answer the next ``count`` submits with ``status`` instead of accepting them."""
        self._plans.extend([status] * count)

    def stall_next(self, count: int = 1) -> None:
        """Leave the next ``count`` submits unanswered (the ESME's timeout fires)."""
        self._plans.extend([_STALL] * count)

    async def wait_bound(self, timeout: float = 5.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._sessions)), timeout)

    async def wait_submitted(self, count: int, timeout: float = 5.0) -> list[SubmittedSm]:
        """The first ``count`` submits, once that many have arrived."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.submitted) >= count), timeout
            )
        return self.submitted[:count]

    def texts(self) -> list[str]:
        """Whole texts in the order they were completed, concatenated parts joined."""
        whole: list[str] = []
        parts = Reassembler()
        for sm in self.submitted:
            if sm.concat is None or sm.concat.total <= 1:
                whole.append(sm.text)
            elif (joined := parts.add(sm.destination_addr, sm.concat, sm.text)) is not None:
                whole.append(joined)
        return whole

    async def send_receipt(self, message_id: str, stat: str = "DELIVRD", err: str = "000") -> None:
        """A delivery receipt for ``message_id`` in the usual text form, plus the
        receipted_message_id and message_state TLVs."""
        sm = next((s for s in self.submitted if s.message_id == message_id), None)
        if sm is None:
            raise LookupError(text("smpp_standin_unknown_message", message_id=message_id))
        stamp = datetime.now().strftime("%y%m%d%H%M")
        delivered = "001" if stat == "DELIVRD" else "000"
        body = (
            f"id:{message_id} sub:001 dlvrd:{delivered} submit date:{stamp} "
            f"done date:{stamp} stat:{stat} err:{err} text:"
        )
        tlvs = [
            smpp34.Tlv(TLV_RECEIPTED_MESSAGE_ID, message_id.encode("ascii") + b"\0"),
            smpp34.Tlv(TLV_MESSAGE_STATE, bytes((_STATE_CODES.get(stat, 7),))),
        ]
        response = await self._session(sm.session_id).deliver_sm(
            sm.source_addr,
            body.encode("ascii"),
            source_addr=sm.destination_addr,
            source_addr_ton=TON_INTERNATIONAL,
            source_addr_npi=NPI_E164,
            esm_class=ESM_RECEIPT,
            tlvs=tlvs,
        )
        self._check(response)

    async def send_inbound(
        self,
        phone: str,
        body: str,
        encoding: Literal["ucs2", "gsm7"] = "ucs2",
        *,
        ton: int = TON_INTERNATIONAL,
    ) -> None:
        """A text from ``phone`` to the service number, concatenated when long.

        With TON 1 ``phone`` is E.164 and goes without its "+"; with any other
        TON it goes exactly as given, as carriers send national numbers
        (13942917476, TON 2) or their own spellings ("+86…" under TON 0)."""
        data_coding, esm_class, payloads = encode_parts(
            body, next(self._references) % 256, encoding
        )
        session = self._session(None)
        for payload in payloads:
            response = await session.deliver_sm(
                self.service_number,
                payload,
                source_addr=phone.removeprefix("+") if ton == TON_INTERNATIONAL else phone,
                source_addr_ton=ton,
                source_addr_npi=NPI_E164,
                esm_class=esm_class,
                data_coding=data_coding,
            )
            self._check(response)

    # -- inside --------------------------------------------------------------------

    def _session(self, preferred: str | None) -> smpp34.Esme:
        """The submitting session if it is still bound, else any that can receive."""
        if preferred in self._sessions:
            return self._sessions[preferred]
        for session in self._sessions.values():
            if session.can_receive:
                return session
        raise RuntimeError(text("smpp_standin_no_session"))

    @staticmethod
    def _check(response: smpp34.DeliverSmResp) -> None:
        if not response.is_success:
            raise RuntimeError(
                text("smpp_standin_deliver_failed", status=f"0x{response.command_status:02X}")
            )

    def _finished(self, task: asyncio.Task[None]) -> None:
        """A background task ended; a failure is logged, since nobody awaits it."""
        self._chores.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error(text("smpp_standin_task_failed", task=task.get_name(), error=error))

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _serve(self, server: smpp34.Server) -> None:
        while True:
            event = await server.next()
            if isinstance(event, smpp34.Esme):
                self._sessions[event.session_id] = event
            elif isinstance(event, smpp34.Unbound):
                self._sessions.pop(event.session_id, None)
            else:
                self._answer(event)
            await self._notify()

    def _answer(self, event: smpp34.SubmitSmEvent) -> None:
        plan = self._plans.popleft() if self._plans else 0
        payload = event.short_message
        concat: Concat | None = None
        if event.esm_class & ESM_UDHI:
            concat, payload = split_udh(payload)
        message_id = ""
        if plan == _STALL:
            self._stalled.append(event)
        elif plan:
            event.reject(plan)
        else:
            message_id = f"{next(self._ids):08x}"
            event.accept(message_id)
        self.submitted.append(
            SubmittedSm(
                message_id=message_id,
                status=plan,
                source_addr=event.source_addr,
                destination_addr=event.destination_addr,
                dest_addr_ton=event.dest_addr_ton,
                dest_addr_npi=event.dest_addr_npi,
                data_coding=event.data_coding,
                esm_class=event.esm_class,
                registered_delivery=event.registered_delivery,
                text=decode_text(event.data_coding, payload),
                concat=concat,
                session_id=event.session_id,
                at=asyncio.get_running_loop().time(),
            )
        )
        log.info(
            text(
                "smpp_standin_submitted",
                phone=mask_phone("+" + event.destination_addr),
                message_id=message_id or "-",
                text=self.submitted[-1].text,
            )
        )
        if message_id and self.auto_receipt and event.registered_delivery & 1:
            chore = asyncio.create_task(self.send_receipt(message_id, self.auto_receipt))
            self._chores.add(chore)
            chore.add_done_callback(self._finished)

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Check the bind, then splice the connection through to smpp34's server."""
        try:
            header = await asyncio.wait_for(reader.readexactly(_HEADER.size), 5)
            length, command_id, _, sequence = _HEADER.unpack(header)
            if command_id not in _BIND_COMMANDS or not _HEADER.size < length <= _MAX_BIND_LENGTH:
                writer.transport.abort()
                return
            body = await asyncio.wait_for(reader.readexactly(length - _HEADER.size), 5)
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
            writer.transport.abort()
            return
        system_id, password = _c_strings(body, 2)
        refusal = (
            _ESME_RINVSYSID
            if system_id != self.system_id
            else _ESME_RINVPASWD
            if password != self.password
            else self.bind_status
        )
        self.binds.append(BindAttempt(system_id, accepted=not refusal, status=refusal))
        if refusal:
            log.info(text("smpp_standin_bind_rejected", system_id=system_id))
            writer.write(_HEADER.pack(_HEADER.size + 1, command_id | _RESPONSE, refusal, sequence))
            writer.write(b"\0")
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            writer.close()
            return
        try:
            inner_reader, inner_writer = await asyncio.open_connection(self.host, self._inner_port)
        except OSError:  # stopped between the bind and here
            writer.transport.abort()
            return
        inner_writer.write(header + body)
        self._links.update((writer, inner_writer))
        try:
            await asyncio.gather(_pump(reader, inner_writer), _pump(inner_reader, writer))
        finally:
            self._links.difference_update((writer, inner_writer))


async def serve_forever() -> None:
    """``python -m standins.smpp_server``: an SMSC for offline demos on the configured
    smpp_host/port and account, answering every submit with a DELIVRD receipt."""
    settings = get_settings()
    async with SmppStandIn(
        system_id=settings.smpp_system_id,
        password=settings.smpp_password,
        host=settings.smpp_host,
        port=settings.smpp_port,
        auto_receipt="DELIVRD",
    ) as smsc:
        log.info(text("smpp_standin_listening", host=smsc.host, port=smsc.port))
        await asyncio.Event().wait()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever())
