"""The bot: python-telegram-bot's Application wired to our database and role conversations.

Every update is handled the same way: find who the chat is bound to, hand the
text or button to that role's conversation inside one transaction, then send
the replies, paced per chat and per bot like the outbox (a burst of questions
from one person must not draw Telegram's 429s). A rule broken (a
:class:`DomainError`) rolls the turn back and is answered with its Chinese
message; anything else reaches the one error handler, which logs it and tells
the person to try again. Updates of one chat are handled one after another
(their conversation state is shared), different chats side by side.

People do not always send what a menu expects: an unbound chat that sends its
card's code, with or without /start, is bound; a sticker, photo or voice note is
answered with a hint and the menu; a button pressed on an old message is still
handled although Telegram no longer takes the press's acknowledgement.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import state
from bot.keywords import Command, parse
from bot.telegram import committee, fund_council, helper, household, shop, supporter
from bot.telegram.turn import Reply, RoleConversation, Turn
from core.catalogue import text
from core.clock import utcnow
from core.db import Database
from core.errors import DomainError
from core.models import Role
from core.settings import Settings
from notifications.binding_notice import tell_new_binding
from notifications.telegram import TelegramPacer
from village.binding import Identity, bind_chat, code_readings, identify

log = logging.getLogger("xiangxin.bot")

Clock = Callable[[], datetime]
SEND_ATTEMPTS = 3
READ_ONLY = frozenset({Command.HELP, Command.POINTS, Command.STARS, Command.SHOP, Command.UNKNOWN})

ROLES: dict[str, RoleConversation] = {
    "household": household.Household(),
    Role.COMMITTEE.value: committee.Committee(),
    Role.SHOPKEEPER.value: shop.Shop(),
    Role.HELPER.value: helper.Helper(),
    Role.FUND_COUNCIL.value: fund_council.FundCouncil(),
    "supporter": supporter.Supporter(),
}


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Many chats at once, but one chat's updates strictly in order."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:
                del self._users[chat.id], self._locks[chat.id]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class TelegramBot:
    """The chat front-end; ``start`` polls, or only processes pushed updates in webhook mode."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        clock: Clock = utcnow,
        pacer: TelegramPacer | None = None,
    ) -> None:
        assert settings.telegram_token
        self.settings = settings
        self.database = database
        self.clock = clock
        #: Shared with the outbox's Telegram channel when both run in one process.
        self.pacer = pacer or TelegramPacer(settings.telegram_rate, settings.telegram_chat_rate)
        #: What Telegram must send back in the webhook header (made up when not configured).
        self.webhook_secret = settings.telegram_webhook_secret or secrets.token_urlsafe(32)
        builder = ApplicationBuilder().token(settings.telegram_token)
        if settings.telegram_base_url:
            builder = builder.base_url(settings.telegram_base_url)
        builder = builder.concurrent_updates(ChatOrderedProcessor())
        if settings.telegram_webhook_url:
            builder = builder.updater(None)
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.add_handlers(self.application)

    def add_handlers(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        application.add_handler(CommandHandler("start", self.on_start))
        application.add_handler(CommandHandler(["help", "menu"], self.on_help))
        application.add_handler(CommandHandler("cancel", self.on_cancel))
        application.add_handler(MessageHandler(filters.TEXT, self.on_text))
        application.add_handler(MessageHandler(filters.ALL, self.on_other))
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_error_handler(self.on_error)

    # ---- lifecycle ----------------------------------------------------------------

    async def start(self) -> None:
        app = self.application
        await app.initialize()
        await app.bot.set_my_commands(
            [
                ("start", text("bot_command_start")),
                ("help", text("bot_command_help")),
                ("cancel", text("bot_command_cancel")),
            ]
        )
        await app.start()
        if self.settings.telegram_webhook_url:
            await app.bot.set_webhook(
                self.settings.telegram_webhook_url,
                secret_token=self.webhook_secret,
                allowed_updates=["message", "callback_query"],
            )
            log.info(text("bot_webhook_mode", url=self.settings.telegram_webhook_url))
        else:
            assert app.updater is not None
            await app.bot.delete_webhook()
            await app.updater.start_polling(allowed_updates=["message", "callback_query"])
            log.info(text("bot_polling_mode", username=app.bot.username))

    async def stop(self) -> None:
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def push(self, payload: dict[str, Any]) -> None:
        """An update that arrived by webhook joins the same queue as polled ones.

        Raises ``ValueError`` when ``payload`` is not shaped like an update:
        python-telegram-bot reads whatever it is given, and a message without a
        chat would only fail later, in a handler, with nobody to tell.
        """
        try:
            update = Update.de_json(payload, self.application.bot)
        except (TypeError, AttributeError, KeyError, ValueError) as error:
            raise ValueError(str(error)) from None
        message = update.effective_message
        if type(update.update_id) is not int or (
            message is not None and (message.chat is None or type(message.chat.id) is not int)
        ):
            raise ValueError(text("bot_update_malformed"))
        await self.application.update_queue.put(update)

    # ---- handlers -----------------------------------------------------------------

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        code = " ".join(context.args or []).strip()
        if not code:
            async with self.database.session() as session:
                who = await identify(session, _chat_id(update))
            await self.send(update, [self.welcome(who)], who)
            return
        await self.bind(update, code)

    async def bind(self, update: Update, code: str) -> None:
        chat_id = _chat_id(update)
        now = self.clock()
        async with self.database.transaction() as session:
            result = await bind_chat(session, chat_id, code, now)
            if result.ok and result.identity is not None:
                await state.clear(session, chat_id)
                await tell_new_binding(session, result.identity, chat_id, now)
        who = result.identity if result.ok else None
        replies = [Reply(result.message)]
        if who is not None:
            replies.append(self.welcome(who))
        await self.send(update, replies, who)

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        async with self.database.session() as session:
            who = await identify(session, _chat_id(update))
        await self.send(update, [self.welcome(who)], who)

    async def on_cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = _chat_id(update)
        async with self.database.transaction() as session:
            await state.clear(session, chat_id)
            who = await identify(session, chat_id)
        await self.send(update, [Reply(text("bot_cancelled"), menu=True)], who)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        chat_id = _chat_id(update)
        now = self.clock()
        parsed = parse(message.text)
        answer: Reply | None = None
        async with self.database.session() as session:
            who = await identify(session, chat_id)
            if who is not None and who.household is not None and parsed.command in READ_ONLY:
                # The common case (查积分) reads only: no write transaction to queue for.
                answer = await household.answer_text(session, who, parsed, now)
        if who is None and code_readings(message.text):  # the card's code, without /start
            await self.bind(update, message.text)
            return
        if who is None:
            answer = Reply(text("bot_unbound"))
        if answer is not None:  # sent with the connection back in the pool
            await self.send(update, [answer], who)
            return
        replies = await self.in_turn(
            chat_id, now, lambda turn: self.role(turn.who).on_text(turn, message.text or "")
        )
        await self.send(update, replies, who)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A sticker, photo, voice note, contact, file …: the bot reads only text and buttons."""
        async with self.database.session() as session:
            who = await identify(session, _chat_id(update))
        hint = text("bot_text_only") if who is not None else text("bot_text_only_unbound")
        await self.send(update, [Reply(hint, menu=True)], who)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        try:
            await query.answer()
        except TelegramError as error:  # only stops the spinner; too late on an old press
            log.info(text("bot_press_unanswered", error=error.message))
        chat_id = _chat_id(update)
        data = query.data or ""
        replies = await self.in_turn(
            chat_id, self.clock(), lambda turn: self.role(turn.who).on_button(turn, data)
        )
        if query.message is not None:  # the choice is made: its buttons go away
            try:
                await query.edit_message_reply_markup(None)
            except BadRequest as error:  # gone already (a double tap), or too old to edit
                log.info(text("bot_buttons_kept", error=error.message))
        async with self.database.session() as session:
            who = await identify(session, chat_id)
        await self.send(update, replies, who)

    async def in_turn(
        self, chat_id: str, now: datetime, act: Callable[[Turn], Awaitable[list[Reply]]]
    ) -> list[Reply]:
        """Run ``act`` in one transaction; a broken rule rolls it back and is the answer."""
        try:
            async with self.database.transaction() as session:
                who = await identify(session, chat_id)
                if who is None:
                    return [Reply(text("bot_unbound"))]
                turn = Turn(session, chat_id, who, now, self.settings)
                turn.step = await state.load(session, chat_id, now)
                return await act(turn)
        except DomainError as error:
            return [Reply(error.message)]

    def role(self, who: Identity) -> RoleConversation:
        conversation = ROLES.get(who.role)
        if conversation is None:
            raise DomainError("bot_role_unsupported", role=text(f"role_{who.role}"))
        return conversation

    def welcome(self, who: Identity | None) -> Reply:
        if who is None:
            return Reply(text("bot_welcome_unbound"))
        if who.household is not None:
            return Reply(text("household_help"), menu=True)
        if who.supporter is not None:
            return Reply(text("supporter_help", name=who.name, village=who.village.name), menu=True)
        return Reply(
            text("bot_staff_help", name=who.name, role=text(f"role_{who.role}")), menu=True
        )

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error(text("bot_handler_failed"), exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            await self.send_one(update.effective_chat.id, text("bot_sorry"))

    # ---- sending ------------------------------------------------------------------

    async def send(self, update: Update, replies: list[Reply], who: Identity | None) -> None:
        chat = update.effective_chat
        assert chat is not None
        for reply in replies:
            await self.send_one(chat.id, reply.text, self.markup(reply, who))

    async def send_one(
        self,
        chat_id: int,
        body: str,
        markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | None = None,
    ) -> None:
        """One message in the chat's and the bot's turn; a 429 pauses every send, then retries.

        A 429 can still come when another process (``xiangxin worker``) sends with
        the same bot: the pacer cannot count those.
        """
        for attempt in range(SEND_ATTEMPTS):
            async with self.pacer.turn(chat_id):
                try:
                    await self.application.bot.send_message(chat_id, body, reply_markup=markup)
                    return
                except RetryAfter as error:
                    if attempt == SEND_ATTEMPTS - 1:
                        raise
                    self.pacer.flooded(error)

    def markup(
        self, reply: Reply, who: Identity | None
    ) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
        if reply.buttons:
            return InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                    for row in reply.buttons
                ]
            )
        if reply.menu and who is not None:
            labels = [text(code) for code in self.menu_of(who)]
            keys = [
                [KeyboardButton(label) for label in labels[i : i + 2]]
                for i in range(0, len(labels), 2)
            ]
            return ReplyKeyboardMarkup(keys, resize_keyboard=True, is_persistent=True)
        return None

    def menu_of(self, who: Identity) -> tuple[str, ...]:
        conversation = ROLES.get(who.role)
        return conversation.MENU if conversation is not None else ("menu_help",)


def _chat_id(update: Update) -> str:
    chat = update.effective_chat
    assert chat is not None
    return str(chat.id)
