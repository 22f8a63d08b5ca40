"""Where the HTTP SMS provider pushes delivery receipts and replies.

Aliyun's 短信服务 pushes JSON arrays (SmsReport, SmsUp) to URLs configured in
its console and re-pushes a batch until it is answered with
``{"code": 0, "msg": "成功"}``. So only a batch we have handed to the gateway is
acknowledged: a body we cannot read answers 400 and a failure on our side 500,
both with a short JSON reason and never a stack trace.

The provider cannot sign its pushes, so the configured callback URLs carry the
gateway's callback token (``XIANGXIN_SMS_HTTP_CALLBACK_TOKEN``, required), e.g.
``https://example.cn/sms/http/report?token=…``; a request without the right
token is refused with 403. The access log never shows it (``web/access_log.py``).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from core.catalogue import text
from notifications.sms.http import BadCallback, HttpSmsGateway

log = logging.getLogger("xiangxin.web.sms")

REPORT_PATH = "/sms/http/report"
INBOUND_PATH = "/sms/http/inbound"
ACK = {"code": 0, "msg": "成功"}  # the provider's protocol word, not ours to translate

Handle = Callable[[object], Awaitable[None]]
Endpoint = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_sms_callback_routes(
    app: web.Application, gateway: HttpSmsGateway, token: str | None = None
) -> None:
    """POST ``/sms/http/report`` (SmsReport) and ``/sms/http/inbound`` (SmsUp).

    ``token`` defaults to the gateway's own, which the gateway never lacks.
    """
    secret = token or gateway.callback_token
    app.router.add_post(REPORT_PATH, _endpoint(gateway.handle_report, secret))
    app.router.add_post(INBOUND_PATH, _endpoint(gateway.handle_inbound, secret))


def _endpoint(handle: Handle, token: str) -> Endpoint:
    async def endpoint(request: web.Request) -> web.StreamResponse:
        if not _token_matches(request, token):
            return _refuse(request, 403, text("sms_http_callback_forbidden"))
        try:
            payload = await request.json()
        except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
            return _refuse(request, 400, text("sms_http_callback_bad_json"))
        try:
            await handle(payload)
        except BadCallback as error:
            return _refuse(request, 400, str(error))
        except Exception:  # the provider pushes again later; the details go to our log
            log.exception(text("sms_http_callback_error", path=request.path))
            return web.json_response(
                {"code": 1, "msg": text("sms_http_callback_failed")}, status=500
            )
        return web.json_response(ACK)

    return endpoint


def _token_matches(request: web.Request, token: str) -> bool:
    given = request.query.get("token", "")
    return hmac.compare_digest(given.encode(), token.encode())


def _refuse(request: web.Request, status: int, reason: str) -> web.Response:
    log.warning(text("sms_http_callback_refused", path=request.path, reason=reason))
    return web.json_response({"code": 1, "msg": reason}, status=status)
