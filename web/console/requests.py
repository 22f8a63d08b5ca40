"""What every console handler reads from its request, and the one way it sends a workbook."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from aiohttp import web

from core.db import Database
from core.errors import NotFound
from usecases.exports import Export
from web.app import DATABASE_KEY

LARGEST_ID = 2**31 - 1


def database(request: web.Request) -> Database:
    return request.app[DATABASE_KEY]


def path_number(request: web.Request, name: str) -> int:
    """A path number (the route only matches digits); too big a number is simply not found."""
    value = int(request.match_info[name])
    if value > LARGEST_ID:
        raise NotFound("console_not_found")
    return value


def form_text(form: Mapping[str, object], name: str) -> str:
    """A text field of a posted form; "" when missing (or a file where text was expected)."""
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def htmx_partial(request: web.Request) -> bool:
    """htmx asks for a part of the page (not when it restores its history: then the whole)."""
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


def download(export: Export, fallback: str) -> web.Response:
    """The workbook as an attachment; the Chinese name per RFC 5987, an ASCII one for old browsers."""
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(export.filename)}"
    return web.Response(
        body=export.content,
        content_type=export.content_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
