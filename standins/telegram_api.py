"""A stand-in for the Telegram Bot API on 127.0.0.1.

python-telegram-bot talks to it exactly as to Telegram (``Bot(token,
base_url=standin.base_url)``), so tests, benchmarks and offline demos exercise the
real client, its error mapping and our pacing, without a network or a real bot.

Flood control follows Telegram's published limits, made exact so that tests can
rely on it: a ``sendMessage`` is answered 429 when the bot already had ``rate``
accepted messages within the last second, or the chat had ``chat_rate``. More
precisely, for a limit of ``r`` per second let ``k = max(1, floor(r))``; a
message is refused when the ``k``-th accepted message before it arrived less
than ``k / r - slack`` seconds earlier (a sliding window over accepted messages;
refused ones do not count). ``slack`` (default 0.05 s) forgives timer and
loopback jitter, so a sender that paces evenly at exactly the limit, or with a
catch-up burst of at most ``1 + r * slack`` messages, never sees a 429; a
sender that bursts a whole second's worth at once does. Only ``sendMessage``
is limited; edits and callback answers are not.

Run it alone to drive a bot offline::

    python -m standins.telegram_api --port 8081 --rate 30

It prints its base URL, echoes every message the bot sends, and accepts user
input as ``POST /standin/text`` (``{"chat_id": 1, "text": "/start"}``),
``POST /standin/message`` (``{"chat_id": 1, "kind": "sticker"}``, any kind in
:data:`NON_TEXT`) and ``POST /standin/callback`` (``{"chat_id": 1, "data": "…"}``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from core.catalogue import text as catalogue_text

JSON = dict[str, Any]
Params = dict[str, Any]

#: Parameters whose form-encoded value is JSON (PTB JSON-encodes every non-string value).
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "entities",
        "link_preview_options",
        "reply_parameters",
    }
)
_MAX_TEXT = 4096
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_FILE = {"file_id": "AgACAgUAAxkBAAIB", "file_unique_id": "AQADAgAT"}
#: What people send besides text, shaped as Telegram delivers it (see :meth:`push_message`).
NON_TEXT: dict[str, JSON] = {
    "sticker": {
        "sticker": {
            **_FILE,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
    },
    "photo": {
        "photo": [{**_FILE, "width": 90, "height": 67}, {**_FILE, "width": 1280, "height": 960}]
    },
    "voice": {"voice": {**_FILE, "duration": 4, "mime_type": "audio/ogg"}},
    "video_note": {"video_note": {**_FILE, "length": 240, "duration": 6}},
    "contact": {"contact": {"phone_number": "+8613800000001", "first_name": "王大妈"}},
    "document": {
        "document": {**_FILE, "file_name": "低保申请.pdf", "mime_type": "application/pdf"}
    },
    "location": {"location": {"latitude": 27.1, "longitude": 111.3}},
}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup"
    " are exactly the same as a current content and reply markup of the message"
)


@dataclass(frozen=True)
class SentMessage:
    """One message the stand-in accepted (or one edit of it)."""

    chat_id: int
    message_id: int
    text: str
    reply_markup: JSON | None
    at: float  # time.monotonic() on arrival


class ApiError(Exception):
    """An answer with ``ok: false``, shaped the way Telegram shapes it."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def response(self) -> web.Response:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.status)


class _Window:
    """Telegram's flood control for one sender key (the bot, or one chat)."""

    def __init__(self, rate: float, slack: float) -> None:
        self.capacity = max(1, math.floor(rate))
        self.span = self.capacity / rate - slack
        if self.span <= 0:
            raise ValueError(f"slack {slack} leaves no window at rate {rate}")
        self._accepted: deque[float] = deque(maxlen=self.capacity)

    def wait(self, now: float) -> float:
        """Seconds until one more message is allowed; 0 when it is allowed now."""
        if len(self._accepted) < self.capacity:
            return 0.0
        return max(0.0, self._accepted[0] + self.span - now)

    def record(self, now: float) -> None:
        self._accepted.append(now)

    def idle(self, now: float) -> bool:
        return not self._accepted or self._accepted[-1] + self.span <= now


class TelegramStandIn:
    """A Bot API server for one bot, with Telegram's limits and failure answers.

    ``rate`` / ``chat_rate`` are the flood limits (0 switches one off), ``slack``
    the jitter forgiven (see the module docstring). ``token`` restricts the
    accepted token (401 otherwise); ``None`` accepts any. Chats in ``unknown``
    answer 400 "chat not found"; :meth:`block` makes a chat answer 403.
    """

    def __init__(
        self,
        rate: float = 30,
        chat_rate: float = 1,
        *,
        slack: float = 0.05,
        token: str | None = None,
        unknown: Iterable[int] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "xiangxin_standin_bot",
        echo: bool = False,
    ) -> None:
        self.rate = rate
        self.chat_rate = chat_rate
        self.slack = slack
        self.token = token
        self.unknown_chats: set[int] = set(unknown)
        self.blocked_chats: set[int] = set()
        self.host = host
        self.port = port
        self.bot_username = bot_username
        self.echo = echo

        self.sent: list[SentMessage] = []
        self.edits: list[SentMessage] = []
        self.callback_answers: list[Params] = []
        self.commands: list[JSON] = []
        self.webhook_url = ""
        self.http_429 = 0

        self._bot_window = _Window(rate, slack) if rate > 0 else None
        self._chat_windows: dict[int, _Window] = {}
        self._throttled_until = 0.0
        self._message_ids: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSON] = {}
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._arrival = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._caller = ""
        self._methods: dict[str, Callable[[Params], Awaitable[Any]]] = {
            "getme": self._get_me,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "getupdates": self._get_updates,
            "close": self._true,
            "logout": self._true,
        }

    # ---- lifecycle ----------------------------------------------------------------

    async def start(self) -> None:
        self._closing = False
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._dispatch)
        app.router.add_get("/bot{token}/{method}", self._dispatch)
        app.router.add_post("/standin/text", self._http_push_text)
        app.router.add_post("/standin/message", self._http_push_message)
        app.router.add_post("/standin/callback", self._http_push_callback)
        # A short shutdown timeout: stop() must not hang on a client's long poll.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._closing = True
        self._arrival.set()  # wake long polls so they answer at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """What ``Bot(token, base_url=…)`` takes; PTB appends ``<token>/<method>``."""
        if self._runner is None:
            raise RuntimeError("the stand-in is not started")
        return f"http://{self.host}:{self.port}/bot"

    # ---- test controls ------------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """The user behind ``chat_id`` blocks the bot: sends answer 403."""
        self.blocked_chats.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.blocked_chats.discard(chat_id)

    def throttle(self, seconds: float) -> None:
        """Answer every ``sendMessage`` 429 for the next ``seconds`` (a flood wait)."""
        self._throttled_until = time.monotonic() + seconds

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by a later getUpdates (the bot may not have them yet)."""
        return len(self._updates)

    def texts_to(self, chat_id: int) -> list[str]:
        return [message.text for message in self.sent if message.chat_id == chat_id]

    def push_update(self, update: JSON) -> JSON:
        """Queue ``update`` for getUpdates (an ``update_id`` is assigned if missing)."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._arrival.set()
        self._arrival = asyncio.Event()
        return update

    def push_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        first_name: str = "测试用户",
        username: str | None = None,
    ) -> JSON:
        """A user writes ``text`` in ``chat_id``; a leading /command gets its entity."""
        content: JSON = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            length = len(command.encode("utf-16-le")) // 2
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._push_message(chat_id, content, user_id, first_name, username)

    def push_message(
        self,
        chat_id: int,
        kind: str,
        *,
        user_id: int | None = None,
        first_name: str = "测试用户",
        username: str | None = None,
    ) -> JSON:
        """A user sends something other than text: ``kind`` is a key of :data:`NON_TEXT`."""
        return self._push_message(chat_id, NON_TEXT[kind], user_id, first_name, username)

    def _push_message(
        self,
        chat_id: int,
        content: JSON,
        user_id: int | None,
        first_name: str,
        username: str | None,
    ) -> JSON:
        message: JSON = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": _user(chat_id, user_id, first_name, username),
            **content,
        }
        return self.push_update({"message": message})

    def push_callback(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int | None = None,
        too_old: bool = False,
        user_id: int | None = None,
        first_name: str = "测试用户",
        username: str | None = None,
    ) -> JSON:
        """A user presses an inline button with ``data`` under one of the bot's messages.

        Without ``message_id`` the button sits under the bot's latest message to the
        chat. With ``too_old`` the press reaches the bot too late to be answered, as
        when Telegram delivers it after a while: ``answerCallbackQuery`` gets a 400.
        """
        if message_id is None:
            message_id = max(
                (mid for (chat, mid) in self._messages if chat == chat_id), default=None
            )
        message = self._messages.get((chat_id, message_id)) if message_id is not None else None
        if message is None:
            raise ValueError(f"the bot has sent no message {message_id} to chat {chat_id}")
        query_id = str(next(self._callback_ids))
        if not too_old:
            self._open_callbacks.add(query_id)
        query: JSON = {
            "id": query_id,
            "from": _user(chat_id, user_id, first_name, username),
            "message": message,
            "chat_instance": str(chat_id),
            "data": data,
        }
        return self.push_update({"callback_query": query})

    # ---- HTTP ---------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if self.token is not None and token != self.token:
            return ApiError(401, "Unauthorized").response()
        method = self._methods.get(request.match_info["method"].lower())
        if method is None:
            return ApiError(404, "Not Found").response()
        try:
            params = await _read_params(request)
            self._caller = token  # the bot's identity; read before the method's first await
            result = await method(params)
        except ApiError as error:
            if error.status == 429:
                self.http_429 += 1
            return error.response()
        return web.json_response({"ok": True, "result": result})

    async def _http_push_text(self, request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response(self.push_text(int(body["chat_id"]), str(body["text"])))

    async def _http_push_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        kind = str(body.get("kind", ""))
        if kind not in NON_TEXT:
            return web.json_response({"error": f"kinds: {', '.join(NON_TEXT)}"}, status=400)
        return web.json_response(self.push_message(int(body["chat_id"]), kind))

    async def _http_push_callback(self, request: web.Request) -> web.Response:
        body = await request.json()
        try:
            update = self.push_callback(int(body["chat_id"]), str(body["data"]))
        except ValueError as error:
            return web.json_response({"error": str(error)}, status=400)
        return web.json_response(update)

    # ---- Bot API methods ----------------------------------------------------------

    async def _true(self, params: Params) -> bool:
        return True

    async def _get_me(self, params: Params) -> JSON:
        return self._bot_user()

    async def _send_message(self, params: Params) -> JSON:
        chat_id = self._known_chat(params)
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > _MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        now = time.monotonic()
        self._flood_control(chat_id, now)
        message: JSON = {
            "message_id": self._next_message_id(chat_id),
            "from": self._bot_user(),
            "chat": _chat(chat_id),
            "date": int(time.time()),
            "text": text,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes inline keyboards only
        self._messages[(chat_id, message["message_id"])] = message
        self.sent.append(SentMessage(chat_id, message["message_id"], text, markup, now))
        if self.echo:
            print(catalogue_text("telegram_standin_sent", chat=chat_id, text=text), flush=True)
        return message

    async def _edit_message_text(self, params: Params) -> JSON:
        text = str(params.get("text", ""))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        return self._edit(params, text, params.get("reply_markup"))

    async def _edit_message_reply_markup(self, params: Params) -> JSON:
        message = self._stored_message(params)
        return self._edit(params, message["text"], params.get("reply_markup"))

    async def _answer_callback_query(self, params: Params) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_callbacks:
            raise ApiError(400, _QUERY_TOO_OLD)
        self._open_callbacks.discard(query_id)
        self.callback_answers.append(params)
        return True

    async def _set_my_commands(self, params: Params) -> bool:
        self.commands = list(params.get("commands") or [])
        return True

    async def _get_my_commands(self, params: Params) -> list[JSON]:
        return self.commands

    async def _delete_my_commands(self, params: Params) -> bool:
        self.commands = []
        return True

    async def _set_webhook(self, params: Params) -> bool:
        url = str(params.get("url", ""))
        if url and not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        self.webhook_url = url
        if _flag(params, "drop_pending_updates"):
            self._updates.clear()
        return True

    async def _delete_webhook(self, params: Params) -> bool:
        self.webhook_url = ""
        if _flag(params, "drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, params: Params) -> JSON:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _get_updates(self, params: Params) -> list[JSON]:
        """Long polling: confirm by ``offset``, then wait up to ``timeout`` for something new."""
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )
        self._confirm(int(params.get("offset") or 0))
        limit = min(100, max(1, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        if not self._updates and timeout and not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrival.wait(), timeout)
        return self._updates[:limit]

    # ---- helpers ------------------------------------------------------------------

    def _bot_user(self) -> JSON:
        bot_id = (self.token or self._caller).split(":", 1)[0]
        return {
            "id": int(bot_id) if bot_id.isdigit() else 1,
            "is_bot": True,
            "first_name": "乡信",
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _known_chat(self, params: Params) -> int:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id in self.unknown_chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _flood_control(self, chat_id: int, now: float) -> None:
        """Refuse with 429 when the throttle or a window says so; else count the message."""
        wait = max(0.0, self._throttled_until - now)
        chat_window = self._chat_window(chat_id, now)
        for window in (self._bot_window, chat_window):
            if window is not None:
                wait = max(wait, window.wait(now))
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        for window in (self._bot_window, chat_window):
            if window is not None:
                window.record(now)

    def _chat_window(self, chat_id: int, now: float) -> _Window | None:
        if self.chat_rate <= 0:
            return None
        window = self._chat_windows.get(chat_id)
        if window is None:
            if len(self._chat_windows) >= 10_000:  # forget chats whose window has passed
                self._chat_windows = {
                    chat: kept for chat, kept in self._chat_windows.items() if not kept.idle(now)
                }
            window = self._chat_windows[chat_id] = _Window(self.chat_rate, self.slack)
        return window

    def _next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _stored_message(self, params: Params) -> JSON:
        if "inline_message_id" in params:
            raise ApiError(400, "Bad Request: inline messages are not supported by the stand-in")
        chat_id = self._known_chat(params)
        try:
            message_id = int(params["message_id"])
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: message identifier is not specified") from None
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _edit(self, params: Params, text: str, markup: JSON | None) -> JSON:
        message = self._stored_message(params)
        if message["text"] == text and message.get("reply_markup") == markup:
            raise ApiError(400, _NOT_MODIFIED)
        edited = {**message, "text": text, "edit_date": int(time.time())}
        edited.pop("reply_markup", None)
        if markup is not None:
            edited["reply_markup"] = markup
        chat_id, message_id = message["chat"]["id"], message["message_id"]
        self._messages[(chat_id, message_id)] = edited
        self.edits.append(SentMessage(chat_id, message_id, text, markup, time.monotonic()))
        return edited

    def _confirm(self, offset: int) -> None:
        """Forget updates the client has seen, as Telegram does when given ``offset``."""
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]


def _chat(chat_id: int) -> JSON:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"用户{chat_id}"}
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": f"群{-chat_id}"}


def _user(chat_id: int, user_id: int | None, first_name: str, username: str | None) -> JSON:
    if user_id is None:
        user_id = chat_id if chat_id > 0 else 1_000_000
    user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        user["username"] = username
    return user


def _flag(params: Params, name: str) -> bool:
    value = params.get(name, False)
    return value is True or value in ("true", "True", "1")


async def _read_params(request: web.Request) -> Params:
    """Parameters as Telegram reads them: query string, then a JSON or form body.

    PTB posts form fields with every non-string value JSON-encoded, so those
    fields are decoded here; a JSON body already carries native values.
    """
    params: Params = dict(request.query)
    if request.method != "POST" or not request.can_read_body:
        return _decode(params)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError:
            raise ApiError(400, "Bad Request: can't parse JSON") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON object expected")
        params.update(body)
        return params
    form = await request.post()
    params.update({key: value for key, value in form.items() if isinstance(value, str)})
    return _decode(params)


def _decode(params: Params) -> Params:
    for field in _JSON_FIELDS & params.keys():
        value = params[field]
        if isinstance(value, str):
            try:
                params[field] = json.loads(value)
            except json.JSONDecodeError:
                raise ApiError(400, f"Bad Request: can't parse {field} JSON object") from None
    return params


async def _serve(args: argparse.Namespace) -> None:
    standin = TelegramStandIn(
        args.rate, args.chat_rate, token=args.token, host=args.host, port=args.port, echo=True
    )
    async with standin:
        print(catalogue_text("telegram_standin_listening", url=standin.base_url), flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m standins.telegram_api")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--rate", type=float, default=30, help="messages per second per bot")
    parser.add_argument("--chat-rate", type=float, default=1, help="messages per second per chat")
    parser.add_argument("--token", default=None, help="accept only this token")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
