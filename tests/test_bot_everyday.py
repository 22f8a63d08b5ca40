"""What people really do in the chat: stickers and voice notes, bursts of questions, old buttons.

Every test talks to the bot through the stand-in Bot API, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from core.db import Database
from standins.telegram_api import NON_TEXT
from tests.chat import chat_world
from tests.factories import make_town
from tests.test_bot_helper import town_with_helper

HOME = 7001
HELPER = 7002

# PTB 22 reads the deprecated int ``retry_after`` while building a RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def keyboard(markup: dict[str, object] | None) -> list[str]:
    rows = (markup or {}).get("keyboard", [])
    assert isinstance(rows, list)
    return [str(key["text"] if isinstance(key, dict) else key) for row in rows for key in row]


async def test_a_sticker_photo_or_voice_note_is_answered_with_a_hint_and_the_menu(
    db: Database,
) -> None:
    town = await make_town(db)
    async with chat_world(db) as world:
        unbound = await world.send_other(HOME, "sticker")
        assert len(unbound) == 1 and "绑定码" in unbound[0]

        await world.bind(HOME, town.secretary, household=town.households[1])
        for kind in NON_TEXT:
            before = len(world.api.sent)
            answer = await world.send_other(HOME, kind)
            assert answer == ["请发文字，或点下面的按钮。"], kind
            assert "查积分" in keyboard(world.api.sent[before].reply_markup), kind


async def test_a_household_binds_by_sending_the_printed_code_alone(db: Database) -> None:
    town = await make_town(db)
    home = town.households[1]
    async with chat_world(db) as world:
        code = await world.issue(town.secretary, household=home)
        bound = await world.send(HOME, f"{code[:4]}-{code[4:]}")  # as printed, no /start
        assert any(home.head_name in t and home.number in t for t in bound)
        assert "JF" in (await world.send(HOME, "帮助"))[0]  # and the chat is the household's


async def test_a_code_typed_with_look_alikes_binds(db: Database) -> None:
    """The card says K7MQ-23DZ; the person types ｋ7ｍo 23 0z (O for Q, zero for D, full-width)."""
    town = await make_town(db)
    home = town.households[2]
    async with chat_world(db) as world:
        await world.issue(town.secretary, household=home, code="K7MQ23DZ")
        bound = await world.send(HOME, "/start ｋ7ｍo 23 0z")
        assert any(home.head_name in t for t in bound)


async def test_wrong_codes_sent_alone_count_toward_the_attempt_limit(db: Database) -> None:
    town = await make_town(db)
    async with chat_world(db) as world:
        code = await world.issue(town.secretary, household=town.households[1])
        answers = [(await world.send(HOME, "WRNG2345"))[0] for _ in range(5)]
        assert "还可以再试 4 次" in answers[0] and "分钟后再试" in answers[-1]
        refused = await world.send(HOME, code)  # even the right code, until the window passes
        assert "输错次数太多" in refused[0]
        # ordinary words are no code: told how to bind, not counted
        assert "8 位绑定码" in (await world.send(HOME + 1, "你好"))[0]


async def test_a_burst_of_ten_questions_is_answered_in_full_without_a_429(db: Database) -> None:
    """Telegram lets a bot send one chat about one message a second; the replies keep that pace.

    The stand-in and the bot both allow 3 a second here, to keep the test short.
    """
    town = await make_town(db)
    async with chat_world(db, limits=True, telegram_chat_rate=3) as world:
        await world.bind(HOME, town.secretary, household=town.households[1])
        before = len(world.api.sent)
        for _ in range(10):
            world.api.push_text(HOME, "查积分")
        deadline = time.monotonic() + 30
        while len(world.api.texts_to(HOME)[before:]) < 10 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        replies = [m for m in world.api.sent[before:] if m.chat_id == HOME]
    assert len(replies) == 10 and all("积分" in m.text for m in replies)
    assert world.api.http_429 == 0


async def test_pressing_a_button_on_an_old_message_still_does_it(db: Database) -> None:
    town, helper = await town_with_helper(db, 2)
    home = town.households[1]
    async with chat_world(db) as world:
        await world.bind(HELPER, town.director, staff=helper)
        await world.send(HELPER, "记录走访")
        answer = await world.press(HELPER, f"vs:h:{home.id}", too_old=True)
    assert len(answer) == 1 and home.head_name in answer[0] and "抱歉" not in answer[0]
    assert world.buttons(HELPER) == ["vs:m:in_person", "vs:m:phone"]
    assert world.api.callback_answers == []  # Telegram refused the answer, the press was done
