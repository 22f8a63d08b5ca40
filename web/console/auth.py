"""Logins, roles and CSRF for the web console.

Sessions live in an encrypted cookie (aiohttp_session's EncryptedCookieStorage,
keyed from the server secret) holding the login's row id (see
:mod:`village.staff_login`), the login time, the password's date and the
session's CSRF token. Each request re-reads that row and the staff member, so
a logout, a deactivation or a new password ends the login at the next click,
in every process, even for a copy of the cookie.

Every POST (PUT, PATCH, DELETE) must carry the session's CSRF token, as the
form field ``csrf_token`` or the ``X-CSRF-Token`` header (htmx sends it from
the page's ``hx-headers``): a page of another site cannot act for a logged-in
person. The 村务监督委员会 reads every page and may only log out.

Machine endpoints (Telegram's webhook, the SMS provider's pushes, /healthz)
authenticate by their own secrets and are left alone.

Handlers get the person with :func:`current_principal` and pass
``await principal.staff(session)`` as the actor to the domain functions, which
record it on what they change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
import aiohttp_session
from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from core.catalogue import text
from core.errors import DomainError, Forbidden
from core.server_secret import server_secret
from core.settings import Settings
from usecases.principal import Principal
from village.staff_login import log_in, log_out, logged_in_staff
from web.app import DATABASE_KEY
from web.proxies import trust_proxies

PRINCIPAL_KEY: web.RequestKey[Principal | None] = web.RequestKey("principal")
EXPIRED_KEY: web.RequestKey[bool] = web.RequestKey("login_expired")
SETTINGS_KEY = web.AppKey("console_settings", Settings)

COOKIE_NAME = "xiangxin_session"
#: The cookie outlives the login by this much, so that a person coming back
#: late is told their login expired instead of silently meeting the form.
COOKIE_GRACE_SECONDS = 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Paths that authenticate by their own secret (or need none): no session, no CSRF.
MACHINE_PREFIXES = ("/healthz", "/telegram/", "/sms/", "/static/")
#: What a login puts in the session (beside the CSRF token, which outlives it).
LOGIN_KEYS = ("login_id", "login_at", "password_set_at")


def session_key(settings: Settings) -> str:
    """The Fernet key of the session cookie: derived from, never equal to, the server secret."""
    secret = server_secret(settings.secret_file)
    digest = hmac.new(secret, b"console-session", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def setup(app: web.Application, settings: Settings) -> None:
    """Sessions, then the guard that resolves the principal and checks CSRF on every request."""
    app[SETTINGS_KEY] = settings
    storage = EncryptedCookieStorage(
        session_key(settings),
        cookie_name=COOKIE_NAME,
        max_age=settings.console_session_minutes * 60 + COOKIE_GRACE_SECONDS,
        httponly=True,
        samesite="Strict",
        secure=settings.console_secure_cookie,
    )
    trust_proxies(app, settings.trusted_proxies)  # before anything reads request.remote
    aiohttp_session.setup(app, storage)
    app.middlewares.append(guard)
    app.on_response_prepare.append(_not_stored)


async def _not_stored(request: web.Request, response: web.StreamResponse) -> None:
    """No console page is kept by the browser: after logout, Back must not show the figures."""
    if not request.path.startswith(MACHINE_PREFIXES):
        response.headers["Cache-Control"] = "no-store"


def _csrf(session: aiohttp_session.Session) -> str:
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


async def _csrf_ok(request: web.Request, session: aiohttp_session.Session) -> bool:
    expected = session.get(CSRF_FIELD)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        field = (await request.post()).get(CSRF_FIELD)
        given = field if isinstance(field, str) else None
    if not isinstance(expected, str) or given is None:
        return False
    return secrets.compare_digest(given.encode(), expected.encode())


async def _principal(request: web.Request, session: aiohttp_session.Session) -> Principal | None:
    """The logged-in person, or None; a login that is over is dropped from the session."""
    login_id = session.get("login_id")
    if not isinstance(login_id, int):
        return None
    minutes = request.app[SETTINGS_KEY].console_session_minutes
    staff = None
    if time.time() < float(session.get("login_at", 0)) + minutes * 60:
        async with request.app[DATABASE_KEY].session() as db_session:
            staff = await logged_in_staff(db_session, login_id, session.get("password_set_at"))
    if staff is None:
        for key in LOGIN_KEYS:
            session.pop(key, None)
        request[EXPIRED_KEY] = True
        return None
    return Principal.of(staff)


def refuse(request: web.Request, context: dict[str, Any], message: str) -> web.Response:
    """403 with a Chinese page saying why."""
    return aiohttp_jinja2.render_template(
        "console_refused.html", request, {**context, "message": message}, status=403
    )


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Resolve the principal; refuse a change without the CSRF token, or by a read-only role."""
    request[PRINCIPAL_KEY] = None
    request[EXPIRED_KEY] = False
    if request.path.startswith(MACHINE_PREFIXES):
        return await handler(request)
    session = await aiohttp_session.get_session(request)
    changes = request.method not in SAFE_METHODS
    if changes and not await _csrf_ok(request, session):
        return refuse(request, await page_context(request), text("csrf_refused"))
    principal = request[PRINCIPAL_KEY] = await _principal(request, session)
    if changes and principal is not None and principal.read_only and request.path != "/logout":
        return refuse(request, await page_context(request), text("read_only_refused"))
    try:
        return await handler(request)
    except Forbidden as error:
        return refuse(request, await page_context(request), error.message)


async def current_principal(request: web.Request) -> Principal:
    """The logged-in person; nobody sends the browser to the login form (and back after)."""
    principal: Principal | None = request.get(PRINCIPAL_KEY)
    if principal is None:
        query = {"next": request.path_qs}
        if request.get(EXPIRED_KEY):
            query["expired"] = "1"
        raise web.HTTPFound("/login?" + urlencode(query))
    return principal


async def page_context(request: web.Request) -> dict[str, Any]:
    """What every console template gets: the person and the session's CSRF token."""
    session = await aiohttp_session.get_session(request)
    return {"principal": request.get(PRINCIPAL_KEY), "csrf_token": _csrf(session)}


def _home(principal: Principal) -> str:
    if principal.everywhere or principal.village_id is None:
        return "/township"
    return f"/villages/{principal.village_id}/"


def _safe_next(target: str) -> str:
    """Back where the person was going, on this site only (never ``//elsewhere``)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


async def home(request: web.Request) -> web.Response:
    raise web.HTTPFound(_home(await current_principal(request)))


def _login_form(request: web.Request, context: dict[str, Any], status: int = 200) -> web.Response:
    form = {"village": "", "name": "", "next": "/", "error": "", "notice": ""} | context
    return aiohttp_jinja2.render_template("console_login.html", request, form, status=status)


async def login_form(request: web.Request) -> web.Response:
    query = request.query
    notice = ""
    if query.get("expired"):
        notice = text("login_expired")
    elif query.get("out"):
        notice = text("login_logged_out")
    return _login_form(request, {"next": _safe_next(query.get("next", "/")), "notice": notice})


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    village, name = str(form.get("village", "")), str(form.get("name", ""))
    password, target = str(form.get("password", "")), _safe_next(str(form.get("next", "/")))
    settings = request.app[SETTINGS_KEY]
    refused: DomainError | None = None
    async with request.app[DATABASE_KEY].transaction() as db_session:
        try:
            staff, attempt = await log_in(
                db_session,
                village,
                name,
                password,
                request.remote or "",
                attempts=settings.login_attempts,
                window=timedelta(minutes=settings.login_window_minutes),
            )
        except DomainError as error:
            refused = error  # caught inside: the failed attempt is committed for the throttle
    if refused is not None:
        status = 429 if refused.code == "login_throttled" else 401
        context = {"village": village, "name": name, "next": target, "error": refused.message}
        return _login_form(request, context, status=status)
    session = await aiohttp_session.new_session(request)
    session["login_id"] = attempt.id
    session["login_at"] = time.time()
    session["password_set_at"] = staff.password_set_at.timestamp() if staff.password_set_at else 0
    _csrf(session)
    raise web.HTTPFound(target)


async def logout(request: web.Request) -> web.Response:
    session = await aiohttp_session.get_session(request)
    login_id = session.get("login_id")
    if isinstance(login_id, int):
        async with request.app[DATABASE_KEY].transaction() as db_session:
            await log_out(db_session, login_id)
    session.invalidate()
    raise web.HTTPFound("/login?out=1")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", home, name="console_home")
    app.router.add_get("/login", login_form, name="console_login")
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout, name="console_logout")
