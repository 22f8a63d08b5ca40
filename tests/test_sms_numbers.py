"""However a number is written, every SMS gateway and ``sms receive`` use its E.164 form."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import Result

from core.db import Database
from notifications.models import InboundMessage
from notifications.sms.console import ConsoleSmsGateway
from notifications.sms.http import e164_number, provider_number
from tests.factories import make_town
from village.models import Household

Invoke = Callable[..., Result]
SPELLINGS = [
    "13942917476",
    "+8613942917476",
    "8613942917476",
    "008613942917476",
    "１３９４２９１７４７６",
]


async def _seed(url: str) -> None:
    database = Database(url)
    try:
        town = await make_town(database, households=1)
        async with database.transaction() as session:
            home = await session.get_one(Household, town.households[0].id)
            home.phone = "+8613942917476"
    finally:
        await database.dispose()


async def _senders(url: str) -> list[str]:
    database = Database(url)
    try:
        async with database.session() as session:
            return list(await session.scalars(select(InboundMessage.sender)))
    finally:
        await database.dispose()


@pytest.mark.parametrize("phone", ["13942917476", "８６１３９４２９１７４７６"])
def test_sms_receive_from_a_national_number_finds_the_household(
    invoke: Invoke, cli_url: str, phone: str
) -> None:
    asyncio.run(_seed(cli_url))
    reply = invoke("sms", "receive", phone, "TD")
    assert reply.exit_code == 0, reply.output
    assert "已为您退订" in reply.output.replace("\n", "")
    assert asyncio.run(_senders(cli_url)) == ["+8613942917476"]


def test_sms_receive_refuses_what_is_no_number(invoke: Invoke, cli_url: str) -> None:
    result = invoke("sms", "receive", "12345", "TD")
    assert result.exit_code == 1 and "不是有效的手机号码" in result.output


@pytest.mark.parametrize("phone", SPELLINGS)
async def test_the_console_gateway_writes_every_spelling_as_e164(
    tmp_path: Path, phone: str
) -> None:
    gateway = ConsoleSmsGateway(tmp_path / "sms.log")

    async def ignore(_: object) -> None:
        return None

    await gateway.start(ignore, ignore)
    try:
        await gateway.send(phone, "您好", "ref-1")
    finally:
        await gateway.close()
    [line] = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["to"] == "+8613942917476"


@pytest.mark.parametrize("phone", SPELLINGS)
def test_the_http_gateway_reads_every_spelling(phone: str) -> None:
    assert provider_number(phone) == "13942917476"
    assert e164_number(phone) == "+8613942917476"
