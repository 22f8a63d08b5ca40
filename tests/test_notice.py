"""The printable 公示: what it shows, what it hides, and when it can be printed."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.db import Database
from core.errors import DomainError
from core.spreadsheet import safe_cell, safe_row
from points import notice, rounds
from tests.factories import Town, make_town
from village.models import Household, StaffMember, Village
from village.registry import add_staff

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)  # 10:00 on 5 January, Beijing time
ID_CARD = "410101199001011234"
PHONE = "+8613812345678"


@dataclass
class Published:
    town: Town
    member: StaffMember
    round_id: int
    award_ids: list[int]


async def _published(db: Database) -> Published:
    town = await make_town(db)
    async with db.transaction() as s:
        village = await s.get(Village, town.village.id)
        assert village is not None
        village.objection_contact = "村委会办公室（王会计）"
        for index, home in enumerate(town.households):
            row = await s.get(Household, home.id)
            assert row is not None
            row.group_name = f"{index % 2 + 1}组"
            row.id_card = ID_CARD
            row.phone = PHONE
        member = await add_staff(s, town.village, "委员", "committee")
        rnd = await rounds.create_round(s, town.village, town.director, "2026年第1季度", 2026, T0)
        round_id = rnd.id or 0
        homes = town.households
        proposals = [
            rounds.Proposal(homes[1].number, "增收致富之星", "养牛 30 头，带动 2 户"),
            rounds.Proposal(homes[2].number, "热心公益之星", "修路出工 <b>20</b> 天 & 捐款"),
            rounds.Proposal(homes[3].number, "户容整洁之星", "庭院整洁"),
            rounds.Proposal(homes[4].number, "政策明白之星", "未通过的提名"),
        ]
        awards = await rounds.propose_awards(s, round_id, town.director, proposals, T0)
        await rounds.submit_for_review(s, round_id, town.director, T0)
        ids = [a.id or 0 for a in awards]
        await rounds.review_awards(s, round_id, member, ids[:3], approve=True, now=T0)
        await rounds.reject_award(s, ids[3], member, "事迹不实", T0)
        await rounds.publish(s, round_id, town.director, T0)
    return Published(town, member, round_id, ids)


async def _gather(db: Database, round_id: int) -> notice.NoticeData:
    async with db.session() as s:
        return await notice.gather_notice(s, round_id)


async def test_notice_lists_the_approved_awards_and_the_period(db: Database) -> None:
    published = await _published(db)
    homes = published.town.households
    data = await _gather(db, published.round_id)
    assert data.title == "幸福村2026年第1季度星级评定结果公示"
    assert (data.start_date, data.end_date, data.days) == ("2026年01月05日", "2026年01月09日", 5)
    # ordered by 组, then 户编号: household 2 is in 1组, households 1 and 3 in 2组
    assert [(r.seq, r.household_number, r.group_name, r.category) for r in data.rows] == [
        (1, homes[2].number, "1组", "热心公益之星"),
        (2, homes[1].number, "2组", "增收致富之星"),
        (3, homes[3].number, "2组", "户容整洁之星"),
    ]
    assert data.total_points == 30

    page = notice.render_html(data)
    assert "<title>幸福村2026年第1季度星级评定结果公示</title>" in page
    assert "@media print" in page and "A4" in page
    for header in ("序号", "户编号", "户主姓名", "组", "星级类别", "积分", "事由"):
        assert f"<th>{header}</th>" in page
    for home in homes[1:4]:
        assert home.number in page and home.head_name in page
    assert "养牛 30 头，带动 2 户" in page
    assert "2026年01月05日至2026年01月09日" in page
    assert "2026年01月09日前" in page and "村委会办公室（王会计）" in page
    assert "幸福村村民委员会" in page
    # autoescaped, and nothing personal
    assert "&lt;b&gt;20&lt;/b&gt; 天 &amp; 捐款" in page and "<b>20</b>" not in page
    assert "未通过的提名" not in page
    assert ID_CARD not in page and "13812345678" not in page and "1990" not in page


async def test_xlsx_has_the_same_rows(db: Database, tmp_path: Path) -> None:
    published = await _published(db)
    data = await _gather(db, published.round_id)
    book = load_workbook(BytesIO(notice.render_xlsx(data)))
    sheet = book.active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == data.title
    assert "2026年01月05日至2026年01月09日" in str(values[2][0])
    header_at = next(i for i, row in enumerate(values) if row[0] == "序号")
    assert values[header_at] == list(data.headers)
    body = values[header_at + 1 : header_at + 1 + len(data.rows)]
    assert body == [list(r.cells()) for r in data.rows]
    flat = " ".join(str(v) for row in values for v in row if v is not None)
    assert "幸福村村民委员会" in flat and "村委会办公室（王会计）" in flat
    assert ID_CARD not in flat and "13812345678" not in flat
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4

    html_path, xlsx_path = notice.write_notice(data, tmp_path / "out")
    assert html_path.name == "公示.html" and xlsx_path.name == "公示.xlsx"
    assert data.title in html_path.read_text(encoding="utf-8")
    assert load_workbook(xlsx_path).active is not None


async def test_withdrawn_awards_leave_the_notice(db: Database) -> None:
    published = await _published(db)
    town = published.town
    target = published.award_ids[0]
    async with db.transaction() as s:
        objection = await rounds.lodge_objection(s, target, "李四", "", "牛是借的", T0)
        await rounds.resolve_objection(
            s, objection.id or 0, published.member, uphold=True, note="属实", now=T0
        )
    data = await _gather(db, published.round_id)
    assert len(data.rows) == 2
    assert town.households[1].number not in notice.render_html(data)


async def test_only_a_published_round_can_be_printed(db: Database) -> None:
    published = await _published(db)
    town = published.town
    async with db.transaction() as s:
        await rounds.reopen(s, published.round_id, town.director, "补评", T0)
    with pytest.raises(DomainError) as caught:
        await _gather(db, published.round_id)
    assert caught.value.code == "notice_not_published"
    assert "评议" in caught.value.message

    async with db.transaction() as s:
        await rounds.publish(s, published.round_id, town.director, T0 + timedelta(days=1))
        rnd = await rounds.find_round(s, published.round_id)
        assert rnd.publicity_ends_at is not None
        await rounds.take_effect(s, published.round_id, town.director, rnd.publicity_ends_at)
    data = await _gather(db, published.round_id)
    # The period printed is the new one; credited awards stay on the notice.
    assert (data.start_date, data.end_date) == ("2026年01月06日", "2026年01月10日")
    assert len(data.rows) == 3
    assert data.effective is not None and "生效" in data.effective
    assert data.effective in notice.render_html(data)


async def test_a_draft_round_has_no_notice(db: Database) -> None:
    town = await make_town(db)
    async with db.transaction() as s:
        rnd = await rounds.create_round(s, town.village, town.director, "2026年第2季度", 2026, T0)
    with pytest.raises(DomainError) as caught:
        await _gather(db, rnd.id or 0)
    assert caught.value.code == "notice_not_published"


async def test_a_household_named_like_a_formula_is_printed_as_text(db: Database) -> None:
    """A name or reason typed as ``=HYPERLINK(…)`` must not become a live formula in Excel."""
    published = await _published(db)
    link = '=HYPERLINK("http://evil.example/","点我")'
    async with db.transaction() as s:
        home = await s.get(Household, published.town.households[2].id)
        assert home is not None
        home.head_name = link
        home.group_name = "@1组"
    data = await _gather(db, published.round_id)
    payload = notice.render_xlsx(data)
    with zipfile.ZipFile(BytesIO(payload)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "HYPERLINK" in sheet_xml

    sheet = load_workbook(BytesIO(payload)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    values = [cell.value for cell in cells]
    assert "'" + link in values and "'@1组" in values
    points = [c.value for c in cells if c.column == 6 and c.row > 4 and c.value != "积分"]
    assert points and all(isinstance(value, int) for value in points)  # numbers stay numbers


def test_safe_cell_quotes_text_that_a_spreadsheet_would_evaluate() -> None:
    for risky in ("=1+1", "+8613812345678", "-13812345678", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(risky) == "'" + risky
    for plain in ("张建国", "13812345678", "", "a=b"):
        assert safe_cell(plain) == plain
    assert safe_cell(-5) == -5 and safe_cell(2.5) == 2.5 and safe_cell(None) is None
    assert safe_row(["=x", 3]) == ["'=x", 3]
