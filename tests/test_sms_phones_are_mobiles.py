"""Phones that get an SMS must be mobiles: a 座机 such as 0932-6521234 is refused, with the
reason, for 帮扶责任人 (visit reminders) and 孝善 supporters (contribution reminders)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from care.helper_import import import_helpers, read_helper_list
from core.db import Database
from core.errors import DomainError
from fund import pledges
from tests.factories import make_town
from tests.test_helper_import import write_csv
from village.models import StaffMember, Supporter
from village.registry import add_staff


async def test_helper_list_with_a_landline_is_refused(db: Database, tmp_path: Path) -> None:
    town = await make_town(db, households=2)
    n = [h.number for h in town.households]
    path = write_csv(
        tmp_path / "帮扶.csv",
        [(n[0], "张帮扶", "13812345678", "15"), (n[1], "李帮扶", "0932-6521234", "15")],
    )
    parsed = read_helper_list(path)
    assert [(p.row, p.reason()) for p in parsed.problems] == [
        (3, "093****1234 是座机，收不到短信；请填手机号")
    ]
    async with db.transaction() as s:
        report = await import_helpers(s, town.director, town.village, parsed)
    assert report.stopped
    async with db.session() as s:
        assert "李帮扶" not in set(await s.scalars(select(StaffMember.name)))


async def test_supporter_with_a_landline_is_refused(db: Database) -> None:
    town = await make_town(db, households=1)
    async with db.transaction() as s:
        council = await add_staff(s, town.village, "孝善会长", "fund_council")
    async with db.transaction() as s:
        with pytest.raises(DomainError) as caught:
            await pledges.add_supporter(s, council, town.village, "王大明", "0932-6521234")
    assert caught.value.message == "093****1234 是座机，收不到短信；请填手机号"
    async with db.transaction() as s:
        son = await pledges.add_supporter(s, council, town.village, "王大明", "13812345678")
        assert son.phone == "+8613812345678"
    async with db.session() as s:
        assert len(list(await s.scalars(select(Supporter)))) == 1
