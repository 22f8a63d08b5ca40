"""The HTTP SMS gateway: Aliyun 短信服务 (dysmsapi, RPC style, version 2017-05-25).

Providers in China only send texts through a reviewed sign (短信签名) and
template, so every message goes out through one template whose single
parameter ``${content}`` carries our text: ``TemplateParam={"content": body}``.

Numbers: ``PhoneNumbers`` takes a mainland number as its 11 digits without any
prefix and other numbers as country code plus number, without ``+`` or ``00``
(e.g. ``85291234567``), as the SendSms reference describes. We send exactly that
form, even though mainland numbers with ``86``/``+86`` are also accepted, because
QuerySendDetails answers ``PhoneNum`` in the same form.

Delivery receipts (SmsReport) and replies (SmsUp) are pushed by the provider
to our web server (``web/sms_callbacks.py``), which hands the decoded JSON to
:meth:`HttpSmsGateway.handle_report` and :meth:`HttpSmsGateway.handle_inbound`.
The provider cannot sign those pushes, so the URLs configured at the provider
carry a secret ``?token=``; without one anybody could forge receipts and
replies, so the gateway refuses to be built without it.

Which errors are worth retrying is in :data:`TRANSIENT`; everything else the
provider answers is permanent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import aiohttp
import phonenumbers
from aiolimiter import AsyncLimiter

from core import phones
from core.catalogue import text
from core.clock import to_local, utcnow
from core.errors import DomainError
from notifications.delivery import DeliveryError, Lookup, Outcome
from notifications.sms.gateway import (
    DeliveryReport,
    InboundHandler,
    InboundSms,
    ReportHandler,
    SmsGateway,
)
from village.masking import mask_phone

if TYPE_CHECKING:
    from core.settings import Settings

log = logging.getLogger("xiangxin.sms.http")

API_VERSION = "2017-05-25"
METHOD = "POST"  # POST keeps long Chinese texts out of URL length limits.
PAGE_SIZE = 50  # QuerySendDetails' maximum.
MAX_PAGES = 20  # 1,000 texts to one number in one day is more than we ever send.

#: Provider codes after which the same request can succeed later, with the wait
#: in seconds (``None``: the outbox's own backoff). ``isp.*`` (the provider's
#: side) and ``Throttling*`` codes are transient as well.
#:
#: ``isv.AMOUNT_NOT_ENOUGH`` and ``isv.OUT_OF_SERVICE`` are account-wide and happen in
#: normal operation (a prepaid balance running out mid-broadcast); once someone
#: tops up, the queued texts go out by themselves instead of all having failed.
#: Misconfiguration (unknown sign or template, a wrong key) shows on the first
#: text and stays permanent so the reason is seen at once.
TRANSIENT: dict[str, float | None] = {
    "isv.BUSINESS_LIMIT_CONTROL": 60.0,  # per-number flow control (per minute/hour/day)
    "isv.DAY_LIMIT_CONTROL": 3600.0,  # the account's daily cap
    "isv.AMOUNT_NOT_ENOUGH": 600.0,
    "isv.OUT_OF_SERVICE": 600.0,
    "SYSTEM_ERROR": None,
    "ServiceUnavailable": None,
    "InternalError": None,
    "ServiceTimeout": None,
    "SignatureNonceUsed": None,  # a retry carries a fresh nonce
    "InvalidTimeStamp.Expired": None,  # a drifting clock: keep the texts until it is fixed
}

#: Transient codes that concern the whole account, worth an error in the log.
ACCOUNT_WIDE = frozenset({"isv.DAY_LIMIT_CONTROL", "isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE"})


class BadCallback(ValueError):
    """A pushed receipt or reply that is not what the provider documents."""


class _MaybeSent(DeliveryError):
    """The request left but no answer came back: the provider may have taken it."""


def percent_encode(value: str) -> str:
    """RFC 3986: only ``A-Za-z0-9-_.~`` stay; space is %20, ``*`` is %2A, UTF-8 bytes %XY."""
    return quote(value, safe="")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(
        f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params)
    )


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def signature(method: str, params: Mapping[str, str], secret: str) -> str:
    """Aliyun POP RPC signature 1.0: Base64(HMAC-SHA1(secret + "&", string-to-sign))."""
    digest = hmac.new(
        f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def provider_number(phone: str) -> str:
    """``+8613800000000`` (or 13800000000, 0086…) → ``13800000000``; ``+85291234567`` →
    ``85291234567``."""
    parsed = phones.parse(phone)
    if parsed is None:
        raise DeliveryError(text("sms_http_bad_number", phone=mask_phone(phone)), permanent=True)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return e164.removeprefix("+86") if parsed.country_code == 86 else e164.removeprefix("+")


def e164_number(number: str) -> str:
    """The provider's ``phone_number`` (11 mainland digits, or with 86/+86) as E.164."""
    e164 = phones.e164(number)
    if e164 is None:
        raise BadCallback(text("sms_http_callback_bad_phone"))
    return e164


def is_transient(code: str) -> bool:
    return code in TRANSIENT or code.startswith(("isp.", "Throttling"))


class HttpSmsGateway(SmsGateway):
    """Submits texts with SendSms and asks QuerySendDetails about interrupted ones.

    A send that timed out may still have reached the provider, and SendSms has
    no idempotency key of its own. Such a reference is remembered, and its next
    ``send`` first looks it up, so a retry in the same process does not send
    the text twice (after a crash the outbox worker's ``lookup`` does the same).
    """

    name = "sms"

    def __init__(
        self,
        *,
        url: str,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        template_code: str,
        callback_token: str | None,
        tps: float | None = None,
        timeout: float = 10.0,
        region_id: str = "cn-hangzhou",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if not (callback_token or "").strip():
            raise DomainError("sms_http_no_callback_token")
        self.callback_token = str(callback_token).strip()
        self.url = url
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.template_code = template_code
        self.timeout = timeout
        self.region_id = region_id
        self.clock = clock
        self._limiter = AsyncLimiter(tps, 1) if tps else None
        self._session: aiohttp.ClientSession | None = None
        self._maybe_sent: set[str] = set()

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpSmsGateway:
        return cls(
            url=settings.sms_http_url,
            access_key_id=settings.sms_http_access_key_id,
            access_key_secret=settings.sms_http_access_key_secret,
            sign_name=settings.sms_http_sign_name,
            template_code=settings.sms_http_template_code,
            callback_token=settings.sms_http_callback_token,
        )

    async def start(self, on_report: ReportHandler, on_inbound: InboundHandler) -> None:
        await super().start(on_report, on_inbound)
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, phone: str, body: str, reference: str) -> str:
        """The BizId; ``""`` when an earlier, unanswered attempt turns out to have gone out."""
        number = provider_number(phone)
        if reference in self._maybe_sent:
            earlier = await self.lookup(phone, reference)
            if earlier.outcome is Outcome.SENT:
                self._maybe_sent.discard(reference)
                return ""
        params = {
            "PhoneNumbers": number,
            "SignName": self.sign_name,
            "TemplateCode": self.template_code,
            "TemplateParam": json.dumps({"content": body}, ensure_ascii=False),
            "OutId": reference,
        }
        if self._limiter is not None:
            await self._limiter.acquire()
        try:
            answer = await self._call("SendSms", params)
        except _MaybeSent:
            self._maybe_sent.add(reference)
            raise
        except DeliveryError as error:
            log.warning(text("sms_http_send_failed", phone=mask_phone(phone), reason=error.reason))
            raise
        self._maybe_sent.discard(reference)
        return str(answer.get("BizId", ""))

    async def lookup(self, phone: str, reference: str) -> Lookup:
        """Searches the provider's records of today and yesterday (Beijing dates) for ``OutId``.

        QuerySendDetails does not return the BizId, so a found text comes back
        as ``Lookup(SENT)`` without a provider id.
        """
        try:
            number = provider_number(phone)
        except DeliveryError:
            return Lookup(Outcome.UNKNOWN)
        today = to_local(self.clock()).date()
        try:
            for day in (today, today - timedelta(days=1)):
                if await self._sent_on(number, day.strftime("%Y%m%d"), reference):
                    return Lookup(Outcome.SENT)
        except DeliveryError as error:
            log.warning(
                text("sms_http_lookup_failed", phone=mask_phone(phone), reason=error.reason)
            )
            return Lookup(Outcome.UNKNOWN)
        return Lookup(Outcome.NOT_SENT)

    async def handle_report(self, payload: object) -> None:
        """Passes a pushed SmsReport batch on once all of it reads well.

        The provider pushes a batch again until it is acknowledged, so a failure
        half-way repeats the first receipts: ``on_report`` must take repeats.
        """
        reports = [
            DeliveryReport(
                _field(item, "biz_id"),
                _flag(item.get("success")),
                str(item.get("err_code") or "") or "DELIVERED",
            )
            for item in _items(payload)
        ]
        for report in reports:
            await self.on_report(report)

    async def handle_inbound(self, payload: object) -> None:
        """Passes a pushed SmsUp batch on, with the sender as E.164."""
        messages = [
            InboundSms(
                e164_number(_field(item, "phone_number")),
                str(item.get("content") or ""),
                str(item["sequence_id"]) if item.get("sequence_id") is not None else None,
            )
            for item in _items(payload)
        ]
        for message in messages:
            await self.on_inbound(message)

    async def _sent_on(self, number: str, send_date: str, reference: str) -> bool:
        """Whether a text with ``OutId == reference`` went to ``number`` on ``send_date``."""
        for page in range(1, MAX_PAGES + 1):
            answer = await self._call(
                "QuerySendDetails",
                {
                    "PhoneNumber": number,
                    "SendDate": send_date,
                    "PageSize": str(PAGE_SIZE),
                    "CurrentPage": str(page),
                },
            )
            rows = _detail_rows(answer)
            if any(row.get("OutId") == reference for row in rows):
                return True
            total = _count(answer.get("TotalCount"))
            if len(rows) < PAGE_SIZE or page * PAGE_SIZE >= total:
                return False
        raise DeliveryError(text("sms_http_lookup_too_many", pages=MAX_PAGES), permanent=False)

    async def _call(self, action: str, params: Mapping[str, str]) -> dict[str, Any]:
        """One signed RPC call; the decoded answer when ``Code`` is OK, else DeliveryError."""
        if self._session is None:
            raise RuntimeError("HttpSmsGateway.start() was not awaited")
        signed = self._signed(action, params)
        body = canonical_query(signed)
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        try:
            async with self._session.post(self.url, data=body, headers=headers) as response:
                status = response.status
                retry_after = response.headers.get("Retry-After")
                raw = await response.read()
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as error:
            raise DeliveryError(
                text("sms_http_unreachable", error=type(error).__name__), permanent=False
            ) from error
        except (TimeoutError, aiohttp.ClientError) as error:
            raise _MaybeSent(
                text("sms_http_no_answer", error=type(error).__name__), permanent=False
            ) from error
        return _answer(status, raw, retry_after)

    def _signed(self, action: str, params: Mapping[str, str]) -> dict[str, str]:
        signed = {
            **params,
            "Action": action,
            "Version": API_VERSION,
            "RegionId": self.region_id,
            "AccessKeyId": self.access_key_id,
            "Format": "JSON",
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": self.clock().strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        signed["Signature"] = signature(METHOD, signed, self.access_key_secret)
        return signed


def _answer(status: int, raw: bytes, retry_after: str | None) -> dict[str, Any]:
    """Classifies the provider's answer: by ``Code`` when there is one, else by HTTP status."""
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict) or "Code" not in data:
        transient = status >= 500 or status in (408, 429)
        raise DeliveryError(
            text("sms_http_bad_status", status=status),
            permanent=not transient,
            retry_after=_seconds(retry_after),
            throttled=status == 429,  # back-pressure: slows the channel, costs no attempt
        )
    code = str(data["Code"])
    if code == "OK":
        return data
    message = str(data.get("Message", ""))
    if code in ACCOUNT_WIDE:
        log.error(text("sms_http_account_problem", code=code, message=message))
    raise DeliveryError(
        text("sms_http_rejected", code=code, message=message),
        permanent=not (is_transient(code) or status >= 500),
        retry_after=TRANSIENT.get(code),
        throttled=code.startswith("Throttling"),
    )


def _detail_rows(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``SmsSendDetailDTOs.SmsSendDetailDTO``: the JSON form of an XML list."""
    details = answer.get("SmsSendDetailDTOs")
    rows = details.get("SmsSendDetailDTO") if isinstance(details, dict) else None
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def _count(value: object) -> int:
    """``TotalCount`` comes as a string of digits; anything else counts as nothing more."""
    try:
        return int(str(value))
    except ValueError:
        return 0


def _seconds(header: str | None) -> float | None:
    try:
        return float(header) if header else None
    except ValueError:
        return None


def _items(payload: object) -> list[dict[str, Any]]:
    if not isinstance(payload, list) or not all(isinstance(item, dict) for item in payload):
        raise BadCallback(text("sms_http_callback_not_list"))
    return payload


def _field(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if value is None or value == "" or isinstance(value, dict | list | bool):
        raise BadCallback(text("sms_http_callback_missing", field=key))
    return str(value)


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadCallback(text("sms_http_callback_missing", field="success"))


__all__ = [
    "API_VERSION",
    "TRANSIENT",
    "BadCallback",
    "HttpSmsGateway",
    "canonical_query",
    "e164_number",
    "is_transient",
    "percent_encode",
    "provider_number",
    "signature",
    "string_to_sign",
]
