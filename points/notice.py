"""The printable 公示 of a rating round: an A4 HTML page and the same table as .xlsx.

The notice is pinned on the village board and read by people who may want to
object, so it shows what will be credited (approved or credited awards; never
a withdrawn one), the period in Beijing time and how to object. It shows no
ID-card or phone number of any household. A round that is not (or no longer)
published has no notice: printing one would announce a period that is not
running.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from core.catalogue import text
from core.clock import local_date_text
from core.errors import DomainError, NotFound
from core.pages import page_environment
from core.spreadsheet import safe_cell
from points.models import Award, RatingRound, RoundStatus, StarCategory
from points.rounds import SHOWN_STATUSES, publicity_last_day, status_text
from village.models import Household, Village

HTML_NAME = "公示.html"
XLSX_NAME = "公示.xlsx"
COLUMNS = (
    "notice_col_seq",
    "notice_col_number",
    "notice_col_head",
    "notice_col_group",
    "notice_col_category",
    "notice_col_points",
    "notice_col_reason",
)


@dataclass(frozen=True)
class NoticeRow:
    seq: int
    household_number: str
    head_name: str
    group_name: str
    category: str
    points: int
    reason: str

    def cells(self) -> tuple[int | str, ...]:
        return (
            self.seq,
            self.household_number,
            self.head_name,
            self.group_name,
            self.category,
            self.points,
            self.reason,
        )


@dataclass(frozen=True)
class NoticeData:
    """Everything the notice says, already in words: both renderers only lay it out."""

    village: str
    round: str
    year: int
    title: str
    intro: str
    period: str
    objection: str
    summary: str
    committee: str
    issued: str
    effective: str | None
    start_date: str
    end_date: str
    days: int
    headers: tuple[str, ...]
    rows: tuple[NoticeRow, ...]

    @property
    def total_points(self) -> int:
        return sum(r.points for r in self.rows)


async def gather_notice(session: AsyncSession, round_id: int) -> NoticeData:
    """The notice of a published (公示 or 生效) round."""
    rnd = await session.get(RatingRound, round_id)
    if rnd is None:
        raise NotFound("round_not_found", ref=round_id)
    published = rnd.status in (RoundStatus.PUBLICITY.value, RoundStatus.EFFECTIVE.value)
    last_day = publicity_last_day(rnd)
    if not published or rnd.published_at is None or last_day is None:
        raise DomainError("notice_not_published", name=rnd.name, status=status_text(rnd.status))
    village = await session.get(Village, rnd.village_id)
    assert village is not None

    found = await session.execute(
        select(
            col(Household.number),
            col(Household.head_name),
            col(Household.group_name),
            col(StarCategory.name),
            col(Award.points),
            col(Award.reason),
        )
        .join(Household, col(Household.id) == col(Award.household_id))
        .join(StarCategory, col(StarCategory.id) == col(Award.category_id))
        .where(col(Award.round_id) == round_id, col(Award.status).in_(SHOWN_STATUSES))
        .order_by(
            col(Household.group_name),
            col(Household.number),
            col(StarCategory.sort_order),
            col(Award.id),
        )
    )
    rows = tuple(
        NoticeRow(index, number, head, group, category, points, reason)
        for index, (number, head, group, category, points, reason) in enumerate(found, start=1)
    )
    start = local_date_text(rnd.published_at)
    end = local_date_text(last_day)
    contact = village.objection_contact.strip() or text("notice_contact_default")
    return NoticeData(
        village=village.name,
        round=rnd.name,
        year=rnd.year,
        title=text("notice_title", village=village.name, round=rnd.name),
        intro=text("notice_intro", round=rnd.name),
        period=text("notice_period", start=start, end=end, days=rnd.publicity_days),
        objection=text("notice_objection", end=end, contact=contact),
        summary=text(
            "notice_summary",
            count=len(rows),
            households=len({r.household_number for r in rows}),
            total=sum(r.points for r in rows),
        ),
        committee=text("notice_committee", village=village.name),
        issued=start,
        effective=(
            text("notice_effective", date=local_date_text(rnd.effective_at))
            if rnd.effective_at is not None and rnd.status == RoundStatus.EFFECTIVE.value
            else None
        ),
        start_date=start,
        end_date=end,
        days=rnd.publicity_days,
        headers=tuple(text(code) for code in COLUMNS),
        rows=rows,
    )


def render_html(data: NoticeData) -> str:
    """A self-contained page (inline CSS) laid out for the browser's print on A4."""
    template = page_environment().get_template("notice.html")
    return template.render(notice=data, print_label=text("notice_print"))


def render_xlsx(data: NoticeData) -> bytes:
    """The same notice as a workbook, for villages that print from Excel/WPS."""
    book = Workbook()
    sheet: Any = book.active
    sheet.title = text("notice_sheet")
    width = len(data.headers)
    last = get_column_letter(width)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def line(row: int, value: str, *, bold: bool = False, size: int = 11) -> None:
        sheet.merge_cells(f"A{row}:{last}{row}")
        cell = sheet.cell(row=row, column=1, value=safe_cell(value))
        cell.font = Font(bold=bold, size=size)
        cell.alignment = centre if bold else wrap

    line(1, data.title, bold=True, size=16)
    sheet.row_dimensions[1].height = 30
    line(2, data.intro)
    line(3, data.period)
    header_row = 4
    for column, header in enumerate(data.headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=safe_cell(header))
        cell.font = Font(bold=True)
        cell.alignment = centre
        cell.border = border
    # One named style for the body: per-cell style objects cost more than the data.
    body = NamedStyle(name="notice_body", border=border, alignment=wrap)
    book.add_named_style(body)
    for offset, notice_row in enumerate(data.rows, start=1):
        for column, value in enumerate(notice_row.cells(), start=1):
            cell = sheet.cell(row=header_row + offset, column=column, value=safe_cell(value))
            cell.style = body.name
    row = header_row + len(data.rows) + 2
    for paragraph in (data.summary, data.objection, data.effective):
        if paragraph:
            line(row, paragraph)
            sheet.row_dimensions[row].height = 32
            row += 1
    row += 1
    for value in (data.committee, data.issued):
        cell = sheet.cell(row=row, column=width, value=safe_cell(value))
        cell.alignment = Alignment(horizontal="right")
        row += 1

    for column, chars in enumerate((6, 12, 10, 8, 14, 7, 40), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = chars
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.print_options.horizontalCentered = True
    sheet.freeze_panes = f"A{header_row + 1}"

    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_notice(data: NoticeData, directory: Path) -> tuple[Path, Path]:
    """Write 公示.html and 公示.xlsx into ``directory`` (made if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    html_path = directory / HTML_NAME
    xlsx_path = directory / XLSX_NAME
    html_path.write_text(render_html(data), encoding="utf-8")
    xlsx_path.write_bytes(render_xlsx(data))
    return html_path, xlsx_path
