"""An access log that never writes a secret carried in a URL.

aiohttp's default access log prints the request line with its query string, and
the SMS provider's push URLs carry ``?token=…`` (see ``web/sms_callbacks.py``):
anyone who can read the log could then forge receipts and replies. This logger
writes the same facts with every ``token=`` value replaced by ``***``.
"""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

_TOKEN = re.compile(r"((?:^|[?&;])[^=&;]*token=)[^&;#]*", re.IGNORECASE)


def redact(path_qs: str) -> str:
    """``/sms/http/report?token=s3cret&x=1`` → ``/sms/http/report?token=***&x=1``."""
    return _TOKEN.sub(r"\1***", path_qs)


class RedactingAccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %d %d %.3fs',
            request.remote,
            request.method,
            redact(request.path_qs),
            request.version.major,
            request.version.minor,
            response.status,
            response.body_length,
            time,
        )


def runner_for(app: web.Application) -> web.AppRunner:
    """The app's runner, logging requests without secrets."""
    return web.AppRunner(app, access_log_class=RedactingAccessLogger)
