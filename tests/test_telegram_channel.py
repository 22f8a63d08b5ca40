"""The Telegram channel against the Bot API stand-in, and the stand-in itself.

Everything runs on loopback; every wait is bounded by ``asyncio.timeout``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import RetryAfter

from notifications.delivery import DeliveryError, Outcome
from notifications.telegram import TelegramChannel
from standins.telegram_api import TelegramStandIn

TOKEN = "123456:TEST-token"

# PTB 22 itself reads the deprecated int ``retry_after`` while building a RetryAfter
# (unless PTB_TIMEDELTA is set); the channel copes with either type.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

# The channel and the stand-in share one event loop, so a stalled test machine delays
# some arrivals more than others; forgive up to 0.1 s of that (production pacing
# needs only 0.05, see standins.telegram_api).
SLACK = 0.1


async def _go() -> bool:
    return True


def send(channel: TelegramChannel, address: str, body: str, reference: str) -> Awaitable[str]:
    """The worker's turn callback always agrees here: these tests are about pacing."""
    return channel.send(address, body, reference, _go)


@pytest.fixture
async def standin() -> AsyncIterator[TelegramStandIn]:
    async with TelegramStandIn(rate=30, chat_rate=1, slack=SLACK, unknown={404}) as server:
        yield server


async def open_channel(server: TelegramStandIn, **options: Any) -> TelegramChannel:
    channel = TelegramChannel(TOKEN, server.base_url, **options)
    await channel.start()
    return channel


@pytest.fixture
async def channel(standin: TelegramStandIn) -> AsyncIterator[TelegramChannel]:
    channel = await open_channel(standin)
    try:
        yield channel
    finally:
        await channel.close()


# ---- the channel ----------------------------------------------------------------------


async def test_send_delivers_text_and_returns_message_id(
    standin: TelegramStandIn, channel: TelegramChannel
) -> None:
    async with asyncio.timeout(5):
        first = await send(channel, "101", "您的积分：120 分", "r1")
        other = await send(channel, "202", "孝善金本月 5 日到期", "r2")

    assert (first, other) == ("1", "1")
    assert standin.texts_to(101) == ["您的积分：120 分"]
    assert standin.texts_to(202) == ["孝善金本月 5 日到期"]
    assert channel.name == "telegram"
    assert (await channel.lookup("101", "r1")).outcome is Outcome.UNKNOWN


async def test_two_messages_to_one_chat_are_a_second_apart(
    standin: TelegramStandIn, channel: TelegramChannel
) -> None:
    async with asyncio.timeout(5):
        ids = await asyncio.gather(
            send(channel, "7", "第一条", "a"), send(channel, "7", "第二条", "b")
        )

    assert sorted(ids) == ["1", "2"]
    first, second = standin.sent
    assert second.at - first.at >= 1 - SLACK
    assert standin.http_429 == 0


async def test_broadcast_runs_at_the_bot_rate_without_429() -> None:
    recipients, rate = 100, 50
    async with TelegramStandIn(rate=rate, chat_rate=1, slack=SLACK) as server:
        channel = await open_channel(server, rate=rate)
        try:
            started = time.monotonic()
            async with asyncio.timeout(10):
                await asyncio.gather(
                    *(
                        send(channel, str(1000 + i), f"政策提醒 {i}", f"k{i}")
                        for i in range(recipients)
                    )
                )
            elapsed = time.monotonic() - started
        finally:
            await channel.close()

        assert len(server.sent) == recipients
        assert server.http_429 == 0
        expected = (recipients - 1) / rate
        assert expected * 0.9 <= elapsed <= expected * 1.4


async def test_a_chat_keeps_its_pace_behind_a_deep_broadcast_queue() -> None:
    async with TelegramStandIn(rate=20, chat_rate=1, slack=SLACK) as server:
        channel = await open_channel(server, rate=20)
        try:
            async with asyncio.timeout(10):
                await asyncio.gather(
                    *(send(channel, str(1000 + i), "广播", f"b{i}") for i in range(30)),
                    send(channel, "7", "第一条", "a"),
                    send(channel, "7", "第二条", "b"),
                )
        finally:
            await channel.close()

    first, second = (message for message in server.sent if message.chat_id == 7)
    assert (first.text, second.text) == ("第一条", "第二条")
    assert second.at - first.at >= 1 - SLACK
    assert server.http_429 == 0


async def test_a_429_is_transient_and_pauses_the_channel(
    standin: TelegramStandIn, channel: TelegramChannel
) -> None:
    standin.throttle(1.0)
    async with asyncio.timeout(5):
        with pytest.raises(DeliveryError) as caught:
            await send(channel, "11", "会被限流", "t1")
        refused = time.monotonic()
        await send(channel, "12", "暂停之后", "t2")

    assert not caught.value.permanent
    assert caught.value.retry_after == 1
    assert standin.sent[0].at - refused >= 0.95
    assert standin.texts_to(12) == ["暂停之后"]
    assert standin.http_429 == 1


async def test_a_blocked_chat_fails_permanently(
    standin: TelegramStandIn, channel: TelegramChannel
) -> None:
    standin.block(33)
    async with asyncio.timeout(5):
        with pytest.raises(DeliveryError) as caught:
            await send(channel, "33", "你好", "b1")

    assert caught.value.permanent
    assert "blocked" in caught.value.reason
    assert standin.sent == []


async def test_an_unknown_chat_fails_permanently(channel: TelegramChannel) -> None:
    async with asyncio.timeout(5):
        with pytest.raises(DeliveryError) as caught:
            await send(channel, "404", "你好", "u1")

    assert caught.value.permanent
    assert "chat not found" in caught.value.reason.lower()


async def test_idle_chat_pacers_are_forgotten(standin: TelegramStandIn) -> None:
    channel = await open_channel(standin, chat_rate=50, chats_kept=2)
    try:
        async with asyncio.timeout(5):
            await send(channel, "1", "一", "1")
            await send(channel, "2", "二", "2")
            await asyncio.sleep(0.1)  # both pacers idle for more than two periods
            await send(channel, "3", "三", "3")
        assert list(channel.pacer._chats) == [2, 3]
    finally:
        await channel.close()


# ---- the stand-in ---------------------------------------------------------------------


async def test_standin_answers_429_to_a_chat_flooded_too_fast(standin: TelegramStandIn) -> None:
    url = f"{standin.base_url}{TOKEN}/sendMessage"
    async with aiohttp.ClientSession() as http, asyncio.timeout(5):
        async with http.post(url, json={"chat_id": 5, "text": "一"}) as first:
            assert first.status == 200
            sent = await first.json()
        async with http.post(url, data={"chat_id": "5", "text": "二"}) as second:
            assert second.status == 429
            refused = await second.json()

    assert sent["ok"] and sent["result"]["text"] == "一"
    assert sent["result"]["from"]["is_bot"]
    assert refused == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert standin.http_429 == 1
    assert standin.texts_to(5) == ["一"]


async def test_standin_limits_the_whole_bot() -> None:
    async with TelegramStandIn(rate=10, chat_rate=1, slack=SLACK) as server:
        url = f"{server.base_url}{TOKEN}/sendMessage"
        async with aiohttp.ClientSession() as http, asyncio.timeout(5):

            async def post(chat: int) -> int:
                async with http.post(url, json={"chat_id": chat, "text": "hi"}) as answer:
                    return answer.status

            statuses = await asyncio.gather(*(post(chat) for chat in range(1, 21)))

        assert sorted(statuses) == [200] * 10 + [429] * 10
        assert server.http_429 == 10


async def test_standin_turns_unpaced_ptb_into_retry_after(standin: TelegramStandIn) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("确认", callback_data="yes")]])
    async with Bot(TOKEN, base_url=standin.base_url) as bot, asyncio.timeout(5):
        message = await bot.send_message(chat_id=9, text="请确认", reply_markup=markup)
        with pytest.raises(RetryAfter):
            await bot.send_message(chat_id=9, text="太快了")

    assert message.message_id == 1
    assert message.reply_markup == markup
    assert standin.sent[0].reply_markup == markup.to_dict()


async def test_get_updates_long_polls_until_an_update_arrives(standin: TelegramStandIn) -> None:
    async with Bot(TOKEN, base_url=standin.base_url) as bot, asyncio.timeout(5):
        poll = asyncio.create_task(bot.get_updates(timeout=3))
        await asyncio.sleep(0.2)
        assert not poll.done()
        started = time.monotonic()
        standin.push_text(77, "/start 绑定码")
        updates = await poll
        woke_after = time.monotonic() - started

        (update,) = updates
        assert update.message is not None
        assert update.message.text == "/start 绑定码"
        assert update.message.entities[0].type == "bot_command"
        assert woke_after < 0.5

        again = await bot.get_updates(offset=update.update_id + 1, timeout=0)
        assert again == ()


async def test_get_updates_times_out_empty(standin: TelegramStandIn) -> None:
    async with Bot(TOKEN, base_url=standin.base_url) as bot, asyncio.timeout(5):
        started = time.monotonic()
        assert await bot.get_updates(timeout=1) == ()
        assert 0.9 <= time.monotonic() - started <= 2


async def test_buttons_round_trip(standin: TelegramStandIn) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("兑换", callback_data="redeem:3")]])
    async with Bot(TOKEN, base_url=standin.base_url) as bot, asyncio.timeout(5):
        sent = await bot.send_message(chat_id=8, text="兑换 3 号商品？", reply_markup=markup)
        standin.push_callback(8, "redeem:3")
        (update,) = await bot.get_updates(timeout=1)
        query = update.callback_query
        assert query is not None and query.data == "redeem:3"
        assert query.message is not None and query.message.message_id == sent.message_id

        assert await bot.answer_callback_query(query.id, text="已兑换")
        edited = await bot.edit_message_text("已兑换 3 号商品", chat_id=8, message_id=1)

    assert isinstance(edited, type(sent)) and edited.text == "已兑换 3 号商品"
    assert standin.callback_answers[0]["text"] == "已兑换"


async def test_stop_does_not_wait_for_a_long_poll() -> None:
    server = TelegramStandIn()
    await server.start()
    async with Bot(TOKEN, base_url=server.base_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        async with asyncio.timeout(5):
            await server.stop()
            assert await poll == ()
        assert time.monotonic() - started < 2


async def test_healthz_sees_telegram_down_while_it_cannot_be_reached_and_up_once_it_can(
    standin: TelegramStandIn, channel: TelegramChannel
) -> None:
    async with asyncio.timeout(30):
        await send(channel, "101", "第一条", "h1")
        assert channel.health().up

        await standin.stop()
        with pytest.raises(DeliveryError) as refused:
            await send(channel, "101", "第二条", "h2")
        assert not refused.value.permanent
        down = channel.health()
        assert down.down_since is not None and down.last_error == refused.value.reason
        with pytest.raises(DeliveryError):
            await send(channel, "102", "第三条", "h3")
        assert channel.health().down_since == down.down_since  # down since the first failure

        await standin.start()
        await send(channel, "101", "第四条", "h4")
        assert channel.health().up


async def test_a_blocked_chat_does_not_mark_telegram_down(
    standin: TelegramStandIn, channel: TelegramChannel
) -> None:
    standin.block(303)
    async with asyncio.timeout(10):
        with pytest.raises(DeliveryError):
            await send(channel, "303", "您好", "b1")
    assert channel.health().up
