"""A stand-in for Aliyun 短信服务 (dysmsapi 2017-05-25, RPC style) on 127.0.0.1.

It checks requests the way the provider does (known AccessKeyId, POP signature
1.0, fresh timestamp, unused nonce, a known sign and template), records every
SendSms, answers QuerySendDetails from those records, and pushes SmsReport and
SmsUp batches to our callback routes like the provider's HTTP push mode. The
signature check is written here on its own, not imported from the gateway, so
that it catches a mistake in the gateway's signer instead of repeating it.

Tests drive it directly (``fail``, ``delay``, ``push_reports``,
``push_inbound``); run on its own (``python -m standins.aliyun_sms --port 8082``)
it serves offline demos and benchmarks, and a few ``/_standin/…`` routes stand
in for those calls.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hmac
import itertools
import json
import logging
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web

from core.catalogue import text
from core.clock import to_local, utcnow

log = logging.getLogger("xiangxin.standins.aliyun_sms")

DEFAULT_KEY_ID = "xiangxin-standin"
DEFAULT_KEY_SECRET = "standin-secret"
DEFAULT_SIGN = "乡信"
DEFAULT_TEMPLATE = "SMS_XIANGXIN_NOTICE"
API_VERSION = "2017-05-25"
TIMESTAMP_SKEW = timedelta(minutes=15)

WAITING, FAILED, DELIVERED = 1, 2, 3  # QuerySendDetails' SendStatus

_NUMBER = re.compile(r"1\d{10}|[2-9]\d{6,14}")  # 11 mainland digits, or country code + number
_STATUS = {"ServiceUnavailable": 503, "InternalError": 500, "Throttling.User": 429}


@dataclass
class SentSms:
    """One recipient of one accepted SendSms."""

    phone: str  # as the request gave it: 13800000000, 85291234567
    sign_name: str
    template_code: str
    params: dict[str, Any]
    out_id: str | None
    biz_id: str
    sent_at: datetime  # UTC
    status: int = WAITING
    err_code: str = ""
    reported: bool = False

    @property
    def content(self) -> str:
        """What the handset shows: 【sign】 then the template's text (here: its content)."""
        body = self.params.get("content", json.dumps(self.params, ensure_ascii=False))
        return f"【{self.sign_name}】{body}"

    @property
    def segments(self) -> int:
        length = len(self.content)
        return 1 if length <= 70 else -(-length // 67)


class _Refusal(Exception):
    """An error answer in the provider's shape."""

    def __init__(self, code: str, message: str, status: int = 200) -> None:
        super().__init__(code)
        self.code, self.message, self.status = code, message, status


@dataclass
class AliyunSmsStandIn:
    access_key_id: str = DEFAULT_KEY_ID
    access_key_secret: str = DEFAULT_KEY_SECRET
    sign_names: tuple[str, ...] = (DEFAULT_SIGN,)
    template_codes: tuple[str, ...] = (DEFAULT_TEMPLATE,)
    callback_base: str | None = None  # e.g. http://127.0.0.1:8080/sms/http
    callback_token: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    auto_report: float | None = None  # push a receipt this many seconds after each send
    clock: Callable[[], datetime] = utcnow
    delay: float = 0.0  # seconds before each SendSms answer, to make clients time out

    sent: list[SentSms] = field(default_factory=list)
    inbound_pushed: list[dict[str, Any]] = field(default_factory=list)
    _failures: dict[str, str] = field(default_factory=dict)
    _nonces: set[str] = field(default_factory=set)
    _biz_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _sequence: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def fail(self, phone: str, code: str | None = "isv.MOBILE_NUMBER_ILLEGAL") -> None:
        """Answer SendSms to ``phone`` with ``code`` from now on (``None``: stop failing)."""
        number = _domestic(phone)
        if code is None:
            self._failures.pop(number, None)
        else:
            self._failures[number] = code

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/", self._api)
        app.router.add_get("/_standin/sent", self._list_sent)
        app.router.add_post("/_standin/reports", self._push_reports_route)
        app.router.add_post("/_standin/inbound", self._push_inbound_route)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> AliyunSmsStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def push_reports(self, *, success: bool = True, err_code: str = "DELIVERED") -> int:
        """Push receipts for every text not yet reported; returns how many were pushed."""
        pending = [sms for sms in self.sent if not sms.reported]
        if not pending:
            return 0
        now = to_local(self.clock()).strftime("%Y-%m-%d %H:%M:%S")
        batch = [
            {
                "phone_number": sms.phone,
                "send_time": to_local(sms.sent_at).strftime("%Y-%m-%d %H:%M:%S"),
                "report_time": now,
                "success": success,
                "err_code": err_code,
                "err_msg": "用户接收成功" if success else "用户接收失败",
                "sms_size": str(sms.segments),
                "biz_id": sms.biz_id,
                "out_id": sms.out_id or "",
            }
            for sms in pending
        ]
        await self._push("report", batch)
        for sms in pending:
            sms.reported = True
            sms.status = DELIVERED if success else FAILED
            sms.err_code = err_code
        return len(batch)

    async def push_inbound(
        self, phone: str, content: str, *, sign_name: str | None = None, dest_code: str = ""
    ) -> None:
        """Push one reply from ``phone`` as an SmsUp batch of one."""
        item = {
            "phone_number": _domestic(phone),
            "send_time": to_local(self.clock()).strftime("%Y-%m-%d %H:%M:%S"),
            "content": content,
            "sign_name": sign_name or self.sign_names[0],
            "dest_code": dest_code,
            "sequence_id": next(self._sequence),
        }
        await self._push("inbound", [item])
        self.inbound_pushed.append(item)

    async def _push(self, kind: str, batch: list[dict[str, Any]]) -> None:
        if self.callback_base is None or self._session is None:
            raise RuntimeError("the stand-in has no callback_base, or was not started")
        url = f"{self.callback_base.rstrip('/')}/{kind}"
        query = {"token": self.callback_token} if self.callback_token else None
        async with self._session.post(url, json=batch, params=query) as response:
            body = await response.text()
            try:
                acknowledged = response.status == 200 and json.loads(body).get("code") == 0
            except (ValueError, AttributeError):
                acknowledged = False
        if not acknowledged:
            raise RuntimeError(
                text("sms_http_standin_push_refused", url=url, status=response.status, body=body)
            )

    # the provider's API

    async def _api(self, request: web.Request) -> web.Response:
        params: dict[str, str] = dict(request.query)
        if request.method == "POST":
            params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        request_id = str(uuid.uuid4()).upper()
        try:
            self._authenticate(request.method, params)
            action = params.get("Action")
            if action == "SendSms":
                answer = await self._send_sms(params)
            elif action == "QuerySendDetails":
                answer = self._query_send_details(params)
            else:
                raise _Refusal("InvalidAction.NotFound", "Specified api is not found.", 404)
        except _Refusal as refusal:
            body = {"Code": refusal.code, "Message": refusal.message, "RequestId": request_id}
            return web.json_response(body, status=refusal.status)
        return web.json_response({"Code": "OK", "Message": "OK", "RequestId": request_id, **answer})

    def _authenticate(self, method: str, params: Mapping[str, str]) -> None:
        if params.get("AccessKeyId") != self.access_key_id:
            raise _Refusal("InvalidAccessKeyId.NotFound", "Specified access key is not found.", 404)
        to_sign = _string_to_sign(method, params)
        expected = _sign(to_sign, self.access_key_secret)
        if not hmac.compare_digest(params.get("Signature", "").encode(), expected.encode()):
            raise _Refusal(
                "SignatureDoesNotMatch",
                f"Specified signature is not matched with our calculation. "
                f"server string to sign is:{to_sign}",
                400,
            )
        if params.get("Version") != API_VERSION:
            raise _Refusal("InvalidVersion", "Specified parameter Version is not valid.", 400)
        try:
            stamp = datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            raise _Refusal("MissingTimestamp", "Timestamp is mandatory.", 400) from None
        if abs(stamp.replace(tzinfo=UTC) - self.clock()) > TIMESTAMP_SKEW:
            raise _Refusal("InvalidTimeStamp.Expired", "Specified time stamp is expired.", 400)
        nonce = params.get("SignatureNonce", "")
        if not nonce or nonce in self._nonces:
            raise _Refusal("SignatureNonceUsed", "Specified signature nonce was used.", 400)
        self._nonces.add(nonce)

    async def _send_sms(self, params: Mapping[str, str]) -> dict[str, Any]:
        numbers = [n for n in params.get("PhoneNumbers", "").split(",") if n]
        if not numbers:
            raise _Refusal("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if len(numbers) > 1000:
            raise _Refusal("isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
        for number in numbers:
            if not _NUMBER.fullmatch(number):
                raise _Refusal("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
            if number in self._failures:
                code = self._failures[number]
                raise _Refusal(code, f"stand-in told to fail {code}", _STATUS.get(code, 200))
        if params.get("SignName") not in self.sign_names:
            raise _Refusal("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        if params.get("TemplateCode") not in self.template_codes:
            raise _Refusal("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            template_params = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            template_params = None
        if not isinstance(template_params, dict):
            raise _Refusal("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        biz_id = f"{next(self._biz_ids):06d}{secrets.randbelow(10**12):012d}^0"
        for number in numbers:
            sms = SentSms(
                phone=number,
                sign_name=params["SignName"],
                template_code=params["TemplateCode"],
                params=template_params,
                out_id=params.get("OutId"),
                biz_id=biz_id,
                sent_at=self.clock(),
            )
            self.sent.append(sms)
        if self.auto_report is not None:
            self._later(self.auto_report, self.push_reports)
        if self.delay:
            await asyncio.sleep(self.delay)
        return {"BizId": biz_id}

    def _query_send_details(self, params: Mapping[str, str]) -> dict[str, Any]:
        try:
            number = params["PhoneNumber"]
            day = datetime.strptime(params["SendDate"], "%Y%m%d").date()
            size = int(params["PageSize"])
            page = int(params["CurrentPage"])
        except (KeyError, ValueError):
            raise _Refusal("isv.INVALID_PARAMETERS", "参数异常") from None
        if not (1 <= size <= 50 and page >= 1):
            raise _Refusal("isv.INVALID_PARAMETERS", "参数异常")
        rows = [
            sms
            for sms in self.sent
            if sms.phone == number
            and to_local(sms.sent_at).date() == day
            and params.get("BizId") in (None, "", sms.biz_id)
        ]
        shown = rows[(page - 1) * size : page * size]
        return {
            "TotalCount": str(len(rows)),
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": [_detail(sms) for sms in shown]},
        }

    # control routes for standalone runs

    async def _list_sent(self, request: web.Request) -> web.Response:
        return web.json_response(
            [
                {
                    "phone": sms.phone,
                    "sign_name": sms.sign_name,
                    "template_code": sms.template_code,
                    "params": sms.params,
                    "out_id": sms.out_id,
                    "biz_id": sms.biz_id,
                    "status": sms.status,
                }
                for sms in self.sent
            ],
            dumps=_readable_json,
        )

    async def _push_reports_route(self, request: web.Request) -> web.Response:
        return web.json_response({"pushed": await self.push_reports()})

    async def _push_inbound_route(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self.push_inbound(str(body["phone"]), str(body["content"]))
        return web.json_response({"pushed": 1})

    def _later(self, seconds: float, work: Callable[[], Awaitable[object]]) -> None:
        """Run ``work`` in the background; a refused push is logged and retried with the next."""

        async def run() -> None:
            await asyncio.sleep(seconds)
            try:
                await work()
            except (RuntimeError, aiohttp.ClientError) as error:
                log.warning("%s", error)

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """Aliyun POP: sorted, RFC 3986-encoded pairs, then the whole query encoded once more."""

    def encode(value: str) -> str:
        return quote(value.encode("utf-8"), safe="~")

    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    query = "&".join(encode(k) + "=" + encode(v) for k, v in pairs)
    return "&".join((method.upper(), encode("/"), encode(query)))


def _sign(to_sign: str, secret: str) -> str:
    key = (secret + "&").encode("utf-8")
    return base64.b64encode(hmac.digest(key, to_sign.encode("utf-8"), "sha1")).decode()


def _detail(sms: SentSms) -> dict[str, Any]:
    received = sms.sent_at + timedelta(seconds=3)
    return {
        "PhoneNum": sms.phone,
        "SendStatus": sms.status,
        "ErrCode": sms.err_code,
        "TemplateCode": sms.template_code,
        "Content": sms.content,
        "SendDate": to_local(sms.sent_at).strftime("%Y-%m-%d %H:%M:%S"),
        "ReceiveDate": to_local(received).strftime("%Y-%m-%d %H:%M:%S")
        if sms.status != WAITING
        else "",
        "OutId": sms.out_id or "",
    }


def _readable_json(value: object) -> str:
    """Chinese stays Chinese when a person reads ``/_standin/sent`` in a demo."""
    return json.dumps(value, ensure_ascii=False)


def _domestic(phone: str) -> str:
    """The provider's form of a number: mainland without +86, others without +."""
    digits = phone.strip()
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits.removeprefix("+")


async def _serve(args: argparse.Namespace) -> None:
    standin = AliyunSmsStandIn(
        access_key_id=args.access_key_id,
        access_key_secret=args.access_key_secret,
        callback_base=args.callback_base,
        callback_token=args.callback_token,
        host=args.host,
        port=args.port,
        auto_report=args.auto_report,
    )
    async with standin:
        print(text("sms_http_standin_listening", url=standin.url), flush=True)
        print(
            text(
                "sms_http_standin_keys",
                key_id=standin.access_key_id,
                secret=standin.access_key_secret,
                sign=DEFAULT_SIGN,
                template=DEFAULT_TEMPLATE,
            ),
            flush=True,
        )
        if standin.callback_base:
            print(text("sms_http_standin_callbacks", url=standin.callback_base), flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m standins.aliyun_sms", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--access-key-id", default=DEFAULT_KEY_ID)
    parser.add_argument("--access-key-secret", default=DEFAULT_KEY_SECRET)
    parser.add_argument("--callback-base", help="e.g. http://127.0.0.1:8080/sms/http")
    parser.add_argument("--callback-token")
    parser.add_argument("--auto-report", type=float, help="push receipts N seconds after a send")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a demo ends
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
