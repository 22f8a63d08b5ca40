"""The village's lists as Excel workbooks: balances, redemptions, visits.

Committees keep and forward their records in Excel/WPS, so the console hands
them .xlsx files rather than screenshots. Every cell goes through
:func:`core.spreadsheet.safe_row` (a name typed as ``=HYPERLINK(…)`` stays
text), ID and phone numbers are not exported at all, and a file holds at most
:data:`ROWS_LIMIT` rows so one click cannot build an unbounded workbook.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from care.models import Visit
from care.visits import method_text
from core.catalogue import text
from core.clock import local_text, to_local
from core.spreadsheet import safe_row
from points.models import PointsAccount
from points.supermarket import list_redemptions, yuan
from usecases.principal import Principal, village_for
from village.models import Household, StaffMember, Village

ROWS_LIMIT = 50_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Export:
    filename: str  # Chinese: 幸福村_积分余额_2026-05-01.xlsx
    content: bytes
    content_type: str = XLSX_TYPE


def workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet: Any = book.active
    sheet.title = title
    sheet.append(safe_row(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(row))
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _export(village: Village, what: str, now: datetime, headers: list[str], rows: Any) -> Export:
    title = text(f"console_export_{what}")
    day = to_local(now).date().isoformat()
    filename = text("console_export_filename", village=village.name, what=title, day=day)
    return Export(filename, workbook(title, headers, rows))


async def balances_export(
    session: AsyncSession, principal: Principal, village_id: int, now: datetime
) -> Export:
    """户编号, 户主, 积分余额, 折合金额 of every household (one query)."""
    village = await village_for(session, principal, village_id)
    found = await session.execute(
        select(Household.number, Household.head_name, PointsAccount.balance)
        .outerjoin(PointsAccount, col(PointsAccount.household_id) == col(Household.id))
        .where(col(Household.village_id) == village_id)
        .order_by(col(Household.number))
        .limit(ROWS_LIMIT)
    )
    rows = [
        (number, name, balance or 0, yuan(village, balance or 0)) for number, name, balance in found
    ]
    headers = [text(f"console_col_{c}") for c in ("number", "head", "balance", "yuan")]
    return _export(village, "balances", now, headers, rows)


async def redemptions_export(
    session: AsyncSession, principal: Principal, village_id: int, now: datetime
) -> Export:
    """Every redemption, newest first: when, who, what, how many points, where it stands."""
    village = await village_for(session, principal, village_id)
    views = await list_redemptions(session, village, limit=ROWS_LIMIT)
    rows = [
        (
            view.redemption.id,
            local_text(view.redemption.created_at),
            view.household.number,
            view.household.head_name,
            view.summary,
            view.redemption.total_points,
            text(f"redemption_status_{view.redemption.status}"),
        )
        for view in views
    ]
    columns = ("redemption", "time", "number", "head", "items", "points", "status")
    headers = [text(f"console_col_{c}") for c in columns]
    return _export(village, "redemptions", now, headers, rows)


async def visits_export(
    session: AsyncSession, principal: Principal, village_id: int, now: datetime
) -> Export:
    """Every logged home visit, newest first, with its household and helper."""
    village = await village_for(session, principal, village_id)
    found = await session.execute(
        select(Visit, Household.number, Household.head_name, StaffMember.name)
        .join(Household, col(Household.id) == col(Visit.household_id))
        .join(StaffMember, col(StaffMember.id) == col(Visit.helper_id))
        .where(col(Household.village_id) == village_id)
        .order_by(col(Visit.visited_on).desc(), col(Visit.id).desc())
        .limit(ROWS_LIMIT)
    )
    rows = [
        (visit.visited_on.isoformat(), number, head, helper, method_text(visit.method), visit.note)
        for visit, number, head, helper in found
    ]
    columns = ("visit_day", "number", "head", "helper", "method", "note")
    headers = [text(f"console_col_{c}") for c in columns]
    return _export(village, "visits", now, headers, rows)
