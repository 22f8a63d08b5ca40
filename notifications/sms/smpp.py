"""The SMPP 3.4 gateway: one TRANSCEIVER bind to the carrier's SMSC.

Built on smpp34, whose Rust core frames PDUs, windows requests, sends
enquire_link every 30 s and answers every deliver_sm by itself; the local
stand-in SMSC (``standins.smpp_server``) runs on the same library, so tests
speak the production wire format. What is left here is our side of the deal:

- Addresses: every number goes through :mod:`core.phones` (region CN).
  ``destination_addr`` is the E.164 number without its "+" (8613800000000)
  with TON 1 (international) and NPI 1 (E.164), so no SMSC has to guess
  whether 138… is national. ``source_addr`` is the 短信端口号 from the
  settings, TON/NPI 0 (unknown), as carriers assign it. A sender's number
  comes as the carrier writes it, often national (13942917476) with TON 2 or
  0, sometimes with its own "+": it is read as a Chinese number unless TON 1
  says the digits start with a country code.
- Encoding: texts in the GSM 03.38 alphabet go as data_coding 0 in unpacked
  septets, one per octet ("SMSC default alphabet" on the SMSCs we know of);
  everything else, so every Chinese text, as data_coding 8 (UCS-2 big-endian).
- Long texts: the parts from :func:`split_for_sms`, each with an 8-bit
  reference concatenation UDH (esm_class 0x40). Only the first part asks for a
  receipt, because its receipt stands for the message (see DeliveryReport) and
  receipts for the other parts' ids would match nothing. Each part takes one
  turn of the channel's pace (the carrier's TPS counts submit_sm). A part
  the SMSC throttles is sent again after the pause, so a throttled SMSC never
  leaves half a text; any other failed part fails the send, the retry sends
  every part again under a new reference and the handset drops the orphaned
  parts of the first try.
- Status codes: addressing and format errors are permanent, everything else
  (throttling, full queues, SMSC faults, codes we do not know) is transient,
  because retrying a message is cheaper than losing it. ESME_RTHROTTLED is
  back-pressure: it slows the channel and costs the message no attempt.
- Outages: a supervisor task rebinds with exponential backoff. ``send`` waits
  for the bind up to ``send_wait`` seconds and then raises a transient error
  that costs no attempt; nothing is dropped silently. A send that times out
  after submitting may have reached the SMSC, so its retry can deliver twice
  (SMPP offers no lookup).
- Refused binds: smpp34 reports every failed bind as "bind timed out", so the
  gateway then asks the SMSC once more by hand (:func:`bind_answer`) and logs
  what it said (wrong password, unknown account, …).
- smpp34 acknowledges deliver_sm before we see it, so a receipt whose handler
  fails cannot be refused for redelivery; the failure is logged loudly instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import struct
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import smpp34
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type
from tenacity.wait import wait_exponential_jitter

from core import phones
from core.catalogue import text
from core.clock import utcnow
from core.settings import Settings
from notifications.delivery import DeliveryError, LinkHealth
from notifications.sms.gateway import (
    DeliveryReport,
    InboundHandler,
    InboundSms,
    Pace,
    ReportHandler,
    SmsGateway,
)
from notifications.sms.segments import (
    Encoding,
    decode_gsm7,
    encode_gsm7,
    encoding_for,
    split_for_sms,
)
from village.masking import mask_phone

log = logging.getLogger("xiangxin.sms.smpp")

DATA_CODING_GSM7: Final = 0
DATA_CODING_UCS2: Final = 8
ESM_UDHI: Final = 0x40
ESM_RECEIPT: Final = 0x04
TON_UNKNOWN: Final = 0
TON_INTERNATIONAL: Final = 1
TON_NATIONAL: Final = 2
NPI_E164: Final = 1
THROTTLED_RETRY_AFTER: Final = 1.0
THROTTLED_PART_TRIES: Final = 8  # a later part the SMSC keeps throttling is given up after this
ESME_RTHROTTLED: Final = 0x58
ESME_RBINDFAIL: Final = 0x0D
ESME_RINVPASWD: Final = 0x0E
ESME_RINVSYSID: Final = 0x0F
BIND_TRANSCEIVER: Final = 0x09
UNBIND: Final = 0x06
_HEADER: Final = struct.Struct(">IIII")  # command_length, command_id, command_status, sequence
TLV_RECEIPTED_MESSAGE_ID: Final = 0x001E
TLV_MESSAGE_STATE: Final = 0x0427
TLV_MESSAGE_PAYLOAD: Final = 0x0424
LIVENESS_CHECK: Final = (
    30.0  # seconds without traffic before asking the core whether the link lives
)

STATUS_NAMES: Final[dict[int, str]] = {
    0x01: "ESME_RINVMSGLEN",
    0x02: "ESME_RINVCMDLEN",
    0x03: "ESME_RINVCMDID",
    0x04: "ESME_RINVBNDSTS",
    0x05: "ESME_RALYBND",
    0x06: "ESME_RINVPRTFLG",
    0x07: "ESME_RINVREGDLVFLG",
    0x08: "ESME_RSYSERR",
    0x0A: "ESME_RINVSRCADR",
    0x0B: "ESME_RINVDSTADR",
    0x0D: "ESME_RBINDFAIL",
    0x0E: "ESME_RINVPASWD",
    0x0F: "ESME_RINVSYSID",
    0x14: "ESME_RMSGQFUL",
    0x15: "ESME_RINVSERTYP",
    0x43: "ESME_RINVESMCLASS",
    0x45: "ESME_RSUBMITFAIL",
    0x48: "ESME_RINVSRCTON",
    0x49: "ESME_RINVSRCNPI",
    0x50: "ESME_RINVDSTTON",
    0x51: "ESME_RINVDSTNPI",
    0x58: "ESME_RTHROTTLED",
    0x61: "ESME_RINVSCHED",
    0x62: "ESME_RINVEXPIRY",
    0x63: "ESME_RINVDFTMSGID",
    0x64: "ESME_RX_T_APPN",
    0x65: "ESME_RX_P_APPN",
    0x66: "ESME_RX_R_APPN",
    0xC0: "ESME_RINVOPTPARSTREAM",
    0xC1: "ESME_ROPTPARNOTALLWD",
    0xC2: "ESME_RINVPARLEN",
    0xC3: "ESME_RMISSINGOPTPARAM",
    0xC4: "ESME_RINVOPTPARAMVAL",
    0xFE: "ESME_RDELIVERYFAILURE",
    0xFF: "ESME_RUNKNOWNERR",
}
# Retrying cannot change the answer: the number, the addressing or the PDU is wrong.
PERMANENT_STATUSES: Final = frozenset(
    {0x01, 0x02, 0x03, 0x06, 0x07, 0x0A, 0x0B, 0x15, 0x43, 0x48, 0x49, 0x50, 0x51}
    | {0x61, 0x62, 0x63, 0x65, 0x66, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4}
)

# message_state TLV values, named as receipts name them in their text.
MESSAGE_STATES: Final[dict[int, str]] = {
    1: "ENROUTE",
    2: "DELIVRD",
    3: "EXPIRED",
    4: "DELETED",
    5: "UNDELIV",
    6: "ACCEPTD",
    7: "UNKNOWN",
    8: "REJECTD",
}
_RECEIPT_FIELD: Final = re.compile(
    r"\b(id|sub|dlvrd|submit date|done date|stat|err):(\S*)", re.IGNORECASE
)


def rejection(status: int, throttle_pause: float = THROTTLED_RETRY_AFTER) -> DeliveryError:
    """The DeliveryError for a submit_sm_resp that carries an error status."""
    reason = text(
        "smpp_submit_rejected", status=f"0x{status:02X}", name=STATUS_NAMES.get(status, "?")
    )
    if status in PERMANENT_STATUSES:
        return DeliveryError(reason, permanent=True)
    if status == ESME_RTHROTTLED:
        return DeliveryError(reason, permanent=False, retry_after=throttle_pause, throttled=True)
    return DeliveryError(reason, permanent=False)


def destination_addr(phone: str) -> str:
    """``+8613800000000`` (or 13800000000, 0086…) → ``8613800000000``, sent with
    TON 1 / NPI 1: international digits, so no SMSC has to guess."""
    number = phones.e164(phone)
    if number is None:
        raise DeliveryError(text("smpp_bad_number", phone=mask_phone(phone)), permanent=True)
    return number.removeprefix("+")


def sender_number(source_addr: str, ton: int) -> str:
    """The E.164 number of an inbound text's sender, however the carrier wrote it.

    TON 1 means the digits begin with a country code; anything else (national,
    unknown) is read as a Chinese number, which also copes with a "+86…" or
    "86…" sent under TON 0. What is no number at all is passed on as it came.
    """
    digits = source_addr.strip()
    if ton == TON_INTERNATIONAL and not digits.startswith("+"):
        number = phones.e164("+" + digits.removeprefix("00"))
        if number is not None:
            return number
    return phones.e164(digits) or digits


def bind_refusal(status: int, system_id: str) -> str:
    """What an SMSC's answer to our bind means, and what to check."""
    name = STATUS_NAMES.get(status, f"0x{status:08X}")
    key = {
        ESME_RINVPASWD: "smpp_bind_bad_password",
        ESME_RINVSYSID: "smpp_bind_bad_system_id",
        ESME_RBINDFAIL: "smpp_bind_refused_account",
        0x05: "smpp_bind_already_bound",
    }.get(status, "smpp_bind_refused")
    return text(key, name=name, system_id=system_id)


async def bind_answer(
    host: str, port: int, system_id: str, password: str, timeout: float
) -> int | None:
    """The command_status the SMSC answers a bind_transceiver with; None when it does not.

    Only for explaining a failed bind: smpp34 says "bind timed out" whatever
    the SMSC answered. A bind that succeeds here is unbound at once.
    """
    body = b"".join(
        (
            system_id.encode("latin-1", "replace") + b"\0",
            password.encode("latin-1", "replace") + b"\0",
            b"\0",  # system_type
            bytes((0x34, 0, 0)),  # interface_version 3.4, addr_ton, addr_npi
            b"\0",  # address_range
        )
    )
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        return None
    try:
        writer.write(_HEADER.pack(_HEADER.size + len(body), BIND_TRANSCEIVER, 0, 1) + body)
        header = await asyncio.wait_for(reader.readexactly(_HEADER.size), timeout)
        _, command_id, status, _ = _HEADER.unpack(header)
        if command_id != BIND_TRANSCEIVER | 0x80000000:
            return None
        if status == 0:
            writer.write(_HEADER.pack(_HEADER.size, UNBIND, 0, 2))
            with contextlib.suppress(OSError, TimeoutError):
                await asyncio.wait_for(writer.drain(), timeout)
        return int(status)
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        return None
    finally:
        writer.transport.abort()


@dataclass(frozen=True)
class Concat:
    """The concatenation header of one part: which message, how many parts, which one."""

    reference: int
    total: int
    sequence: int

    def udh(self) -> bytes:
        return bytes((5, 0x00, 3, self.reference & 0xFF, self.total, self.sequence))


def encode_parts(
    body: str, reference: int, encoding: Encoding | None = None
) -> tuple[int, int, list[bytes]]:
    """(data_coding, esm_class, short_message of each part) for ``body``."""
    gsm = (encoding or encoding_for(body)) == "gsm7"
    data_coding = DATA_CODING_GSM7 if gsm else DATA_CODING_UCS2
    parts = split_for_sms(body, "gsm7" if gsm else "ucs2")
    payloads = [encode_gsm7(part) if gsm else part.encode("utf-16-be") for part in parts]
    if len(payloads) == 1:
        return data_coding, 0, payloads
    total = len(payloads)
    return (
        data_coding,
        ESM_UDHI,
        [Concat(reference, total, i).udh() + p for i, p in enumerate(payloads, start=1)],
    )


def split_udh(payload: bytes) -> tuple[Concat | None, bytes]:
    """The concatenation header (8- or 16-bit reference) and the text octets after the UDH."""
    if not payload:
        return None, payload
    header, rest = payload[1 : 1 + payload[0]], payload[1 + payload[0] :]
    concat: Concat | None = None
    index = 0
    while index + 2 <= len(header):
        element, length = header[index], header[index + 1]
        data = header[index + 2 : index + 2 + length]
        if element == 0x00 and len(data) == 3:
            concat = Concat(data[0], data[1], data[2])
        elif element == 0x08 and len(data) == 4:
            concat = Concat(int.from_bytes(data[:2], "big"), data[2], data[3])
        index += 2 + length
    return concat, rest


def decode_text(data_coding: int, payload: bytes) -> str:
    """A short_message's text. 15 is KS C 5601 in the SMPP spec, but Chinese
    carriers' gateways use it for GBK as CMPP does, and Korean never comes here."""
    if data_coding == DATA_CODING_UCS2:
        return payload.decode("utf-16-be", errors="replace")
    if data_coding == DATA_CODING_GSM7:
        return decode_gsm7(payload)
    if data_coding == 15:
        return payload.decode("gbk", errors="replace")
    return payload.decode("latin-1")  # 1 (IA5/ASCII) and 3 (Latin-1); the rest is guesswork


def parse_receipt(body: str, tlvs: list[smpp34.Tlv]) -> tuple[str, str] | None:
    """(message id, stat) of a delivery receipt, from its text or, failing that,
    from the receipted_message_id / message_state TLVs that some SMSCs send instead."""
    fields: dict[str, str] = {}
    for match in _RECEIPT_FIELD.finditer(body):
        fields.setdefault(match.group(1).lower(), match.group(2))
    for tlv in tlvs:
        if tlv.tag == TLV_RECEIPTED_MESSAGE_ID:
            fields.setdefault("id", tlv.value.rstrip(b"\0").decode("latin-1"))
        elif tlv.tag == TLV_MESSAGE_STATE and tlv.value:
            fields.setdefault("stat", MESSAGE_STATES.get(tlv.value[0], "UNKNOWN"))
    if not fields.get("id"):
        return None
    return fields["id"], fields.get("stat", "UNKNOWN").upper()


class Reassembler:
    """Holds the parts of concatenated texts until each text is whole.

    Bounded: when more than ``limit`` texts wait for parts that never come, the
    oldest is given up (and logged), so a broken sender cannot grow it forever.
    """

    def __init__(self, limit: int = 256) -> None:
        self._limit = limit
        self._pending: OrderedDict[tuple[str, int, int], dict[int, str]] = OrderedDict()

    def add(self, sender: str, concat: Concat, part: str) -> str | None:
        """The whole text once ``part`` completes it, else None."""
        key = (sender, concat.reference, concat.total)
        parts = self._pending.setdefault(key, {})
        parts[concat.sequence] = part
        if len(parts) >= concat.total and all(i in parts for i in range(1, concat.total + 1)):
            del self._pending[key]
            return "".join(parts[i] for i in range(1, concat.total + 1))
        while len(self._pending) > self._limit:
            (lost_sender, _, total), lost = self._pending.popitem(last=False)
            log.warning(
                text(
                    "smpp_parts_dropped", phone=mask_phone(lost_sender), got=len(lost), total=total
                )
            )
        return None


class BindFailed(Exception):
    """A bind that did not succeed, with what the SMSC said (in Chinese)."""


@dataclass(frozen=True)
class _Link:
    client: smpp34.Client
    smsc: smpp34.Smsc


async def _stop_quietly(client: smpp34.Client) -> None:
    """Stopping a client whose session already ended raises; that end is what we want."""
    with contextlib.suppress(smpp34.SmppError, RuntimeError, TimeoutError):
        await asyncio.wait_for(client.stop(), 5)


class SmppGateway(SmsGateway):
    """SMS through an SMSC over SMPP 3.4 (see the module docstring for the choices)."""

    name = "sms"

    def __init__(
        self,
        host: str,
        port: int,
        system_id: str,
        password: str,
        source_addr: str,
        *,
        send_wait: float = 30.0,
        submit_timeout: float = 10.0,
        bind_timeout: float = 10.0,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        throttle_pause: float = THROTTLED_RETRY_AFTER,
    ) -> None:
        self._host, self._port = host, port
        self._system_id, self._password = system_id, password
        self._source_addr = source_addr
        self._send_wait = send_wait
        self._submit_timeout = submit_timeout
        self._bind_timeout = bind_timeout
        self._backoff_initial, self._backoff_max = backoff_initial, backoff_max
        self._throttle_pause = throttle_pause
        self._link: _Link | None = None
        self._closing = False
        self._changed = asyncio.Condition()
        self._first_attempt = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._reference = random.randrange(256)
        self._inbound_parts = Reassembler()
        self._down_since: datetime | None = utcnow()
        self._last_error: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SmppGateway:
        return cls(
            settings.smpp_host,
            settings.smpp_port,
            settings.smpp_system_id,
            settings.smpp_password,
            settings.smpp_source_addr,
        )

    @property
    def bound(self) -> bool:
        return self._link is not None

    @property
    def ready(self) -> bool:
        return self.bound and not self._closing

    async def wait_ready(self, timeout: float) -> bool:
        return await self.wait_bound(timeout)

    def health(self) -> LinkHealth:
        return LinkHealth(self._down_since, self._last_error)

    async def start(self, on_report: ReportHandler, on_inbound: InboundHandler) -> None:
        """Begin binding; returns after the first attempt, bound or not.

        A failed first bind does not fail the service: messages wait in the
        outbox while the supervisor keeps trying (and logging why it cannot).
        """
        await super().start(on_report, on_inbound)
        if self._supervisor is not None and not self._supervisor.done():
            return
        self._closing = False
        self._first_attempt = asyncio.Event()
        self._supervisor = asyncio.create_task(self._supervise(), name="smpp-link")
        await self._first_attempt.wait()

    async def wait_bound(self, timeout: float) -> bool:
        """Whether the gateway is bound within ``timeout`` seconds (for health checks and tests)."""
        with contextlib.suppress(TimeoutError):
            async with self._changed:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self._link is not None or self._closing),
                    timeout,
                )
        return self._link is not None and not self._closing

    async def send(self, phone: str, body: str, reference: str) -> str:
        """Unpaced: every part at once (tests, and callers that pace nothing)."""
        return await self.send_paced(phone, body, reference, None)

    async def send_paced(self, phone: str, body: str, reference: str, pace: Pace | None) -> str:
        destination = destination_addr(phone)
        self._reference = (self._reference + 1) % 256
        data_coding, esm_class, payloads = encode_parts(body, self._reference)
        link = await self._ready_link()
        first_id: str | None = None
        for payload in payloads:
            if first_id is not None and pace is not None:
                await pace.turn()  # the channel took the first part's turn
            message_id = await self._submit_part(
                link, destination, payload, data_coding, esm_class, first_id is None, pace
            )
            first_id = message_id if first_id is None else first_id
        assert first_id is not None
        return first_id

    async def close(self) -> None:
        """Unbind and stop rebinding; sends waiting for a bind fail at once."""
        self._closing = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        await self._set_link(None, closing=True)

    # -- sending -----------------------------------------------------------------

    async def _submit_part(
        self,
        link: _Link,
        destination: str,
        payload: bytes,
        data_coding: int,
        esm_class: int,
        first: bool,
        pace: Pace | None,
    ) -> str:
        """One part; a throttled later part waits out the pause and goes again, so a
        throttled SMSC never leaves half a text (a throttled first part just fails:
        nothing has gone yet)."""
        for tries in range(1, THROTTLED_PART_TRIES + 1):
            try:
                return await self._submit(
                    link, destination, payload, data_coding, esm_class, receipt=first
                )
            except DeliveryError as error:
                if first or pace is None or not error.throttled or tries == THROTTLED_PART_TRIES:
                    raise
                pace.throttled(error.retry_after)
                await pace.turn()
        raise AssertionError("unreachable")

    async def _ready_link(self) -> _Link:
        """The bound link, waiting up to ``send_wait`` for a rebind when there is none."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._send_wait
        while True:
            link = self._link
            if link is not None and await link.client.is_alive():
                return link
            if self._closing:
                raise DeliveryError(text("smpp_closed"), permanent=False, counts=False)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise DeliveryError(
                    text("smpp_link_down", seconds=self._send_wait), permanent=False, counts=False
                )
            if link is None:
                await self.wait_bound(remaining)
            else:
                await asyncio.sleep(min(0.05, remaining))  # the supervisor is about to see the drop

    async def _submit(
        self,
        link: _Link,
        destination: str,
        payload: bytes,
        data_coding: int,
        esm_class: int,
        *,
        receipt: bool,
    ) -> str:
        try:
            response = await asyncio.wait_for(
                link.smsc.submit_sm(
                    destination,
                    payload,
                    source_addr=self._source_addr,
                    dest_addr_ton=TON_INTERNATIONAL,
                    dest_addr_npi=NPI_E164,
                    esm_class=esm_class,
                    data_coding=data_coding,
                    registered_delivery=1 if receipt else 0,
                ),
                self._submit_timeout,
            )
        except TimeoutError:
            raise DeliveryError(
                text("smpp_submit_timeout", seconds=self._submit_timeout), permanent=False
            ) from None
        except smpp34.SmppError as error:
            raise DeliveryError(text("smpp_submit_failed", error=error), permanent=False) from error
        if not response.is_success:
            raise rejection(response.command_status, self._throttle_pause)
        if not response.message_id:
            log.warning(text("smpp_no_message_id"))
        return response.message_id or ""

    # -- the link ------------------------------------------------------------------

    async def _set_link(self, link: _Link | None, *, closing: bool = False) -> None:
        old, self._link = self._link, link
        self._closing = self._closing or closing
        if link is not None:
            self._down_since = None
        elif self._down_since is None:
            self._down_since = utcnow()
        async with self._changed:
            self._changed.notify_all()
        if old is not None and old is not link:
            if closing:
                with contextlib.suppress(smpp34.SmppError, RuntimeError, TimeoutError):
                    await asyncio.wait_for(old.smsc.unbind(), 5)
            await _stop_quietly(old.client)

    async def _supervise(self) -> None:
        while not self._closing:
            await self._bind_until_bound()
            link = self._link
            if link is None:
                return
            await self._read_until_disconnected(link)
            if not self._closing:
                self._last_error = text("smpp_link_lost", host=self._host, port=self._port)
                log.warning(self._last_error)
                await self._set_link(None)

    async def _bind_until_bound(self) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(Exception),  # this loop must outlive any failure
            wait=wait_exponential_jitter(
                multiplier=self._backoff_initial,
                max=self._backoff_max,
                jitter=self._backoff_initial,
            ),
            before_sleep=self._log_bind_failure,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                try:
                    await self._bind()
                finally:
                    self._first_attempt.set()

    async def _bind(self) -> None:
        client = smpp34.Client(
            self._host,
            self._port,
            self._system_id,
            self._password,
            bind_type="TRX",
            connect_timeout_ms=int(self._bind_timeout * 1000),
        )
        try:
            smsc = await asyncio.wait_for(client.connect(), self._bind_timeout + 1)
        except (smpp34.SmppError, TimeoutError) as error:
            await _stop_quietly(client)
            raise BindFailed(await self._why_unbound(error)) from error
        except BaseException:
            await _stop_quietly(client)
            raise
        log.info(text("smpp_bound", host=self._host, port=self._port, system_id=self._system_id))
        await self._set_link(_Link(client, smsc))

    async def _why_unbound(self, error: BaseException) -> str:
        """What the SMSC said to our bind, in words a person can act on."""
        status = await bind_answer(
            self._host, self._port, self._system_id, self._password, self._bind_timeout
        )
        if status:
            return bind_refusal(status, self._system_id)
        return text("smpp_bind_no_answer", error=str(error) or type(error).__name__)

    def _log_bind_failure(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        self._last_error = str(error)
        log.error(
            text(
                "smpp_bind_failed",
                host=self._host,
                port=self._port,
                system_id=self._system_id,
                error=error,
                seconds=round(delay, 1),
            )
        )

    async def _read_until_disconnected(self, link: _Link) -> None:
        """Pass deliver_sm on until the session ends.

        A pending ``next()`` is never cancelled while the link lives (it may
        already hold an event); a quiet link is only asked whether it still lives.
        """
        pending = asyncio.ensure_future(link.smsc.next())
        try:
            while True:
                done, _ = await asyncio.wait({pending}, timeout=LIVENESS_CHECK)
                if not done:
                    if not await link.client.is_alive():
                        return
                    continue
                event = pending.result()
                if isinstance(event, smpp34.Disconnected):
                    return
                await self._dispatch(event)
                pending = asyncio.ensure_future(link.smsc.next())
        finally:
            pending.cancel()

    # -- receiving -----------------------------------------------------------------

    async def _dispatch(self, event: smpp34.DeliverSmEvent) -> None:
        try:
            if event.esm_class & ESM_RECEIPT:
                await self._receipt(event)
            else:
                await self._inbound(event)
        except Exception:
            log.exception(text("smpp_handler_failed", phone=mask_phone(event.source_addr)))

    async def _receipt(self, event: smpp34.DeliverSmEvent) -> None:
        parsed = parse_receipt(decode_text(event.data_coding, event.short_message), event.tlvs)
        if parsed is None:
            log.warning(text("smpp_receipt_unreadable", body=event.short_message[:80]))
            return
        message_id, stat = parsed
        await self.on_report(DeliveryReport(message_id, delivered=stat == "DELIVRD", status=stat))

    async def _inbound(self, event: smpp34.DeliverSmEvent) -> None:
        payload = event.short_message
        if not payload:
            for tlv in event.tlvs:
                if tlv.tag == TLV_MESSAGE_PAYLOAD:
                    payload = tlv.value
        concat: Concat | None = None
        if event.esm_class & ESM_UDHI:
            concat, payload = split_udh(payload)
        body: str | None = decode_text(event.data_coding, payload)
        if concat is not None and concat.total > 1:
            body = self._inbound_parts.add(event.source_addr, concat, body or "")
        if body is not None:
            sender = sender_number(event.source_addr, event.source_addr_ton)
            await self.on_inbound(InboundSms(sender, body))
