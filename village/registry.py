"""Villages, staff and household look-ups."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.catalogue import text
from core.errors import Conflict, DomainError, NotFound
from core.models import Role
from village import action_log
from village.access import require_role
from village.models import Household, StaffMember, Village

NAME_LIMIT = 64  # the column width of every name (village, township, staff)
CONTACT_LIMIT = 200
POINT_VALUE_MAX = Decimal("10000")  # yuan per point; the column holds 8 digits before the point
DAYS_MAX = 365
COUNT_MAX = 1_000_000  # commendation households and bonus points


def clean_name(value: str, what: str, *, limit: int = NAME_LIMIT, required: bool = True) -> str:
    """``value`` stripped; refused when blank (if ``required``) or wider than its column.

    The rule lives here, not in a front-end, so the CLI, the bot and the web
    console refuse the same blank or oversized names with the same words.
    """
    cleaned = value.strip()
    if required and not cleaned:
        raise DomainError("name_empty", what=text(what))
    if len(cleaned) > limit:
        raise DomainError("name_too_long", what=text(what), limit=limit)
    return cleaned


def check_range(
    value: int | Decimal | None, what: str, low: int | Decimal, high: int | Decimal
) -> None:
    """Refuse a setting outside ``low``–``high`` before it reaches a column that cannot hold it."""
    if value is not None and not low <= value <= high:
        raise DomainError("value_out_of_range", what=text(what), low=low, high=high)


def check_point_value(value: Decimal | None) -> None:
    """Yuan per point: positive, at most two decimals (fen) and at most ``POINT_VALUE_MAX``."""
    if value is None:
        return
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise DomainError("point_value_bad", value=value, high=POINT_VALUE_MAX)
    check_range(value, "what_point_value", Decimal("0.01"), POINT_VALUE_MAX)


async def create_village(
    session: AsyncSession,
    name: str,
    *,
    township: str = "",
    county: str = "",
    point_value_yuan: Decimal = Decimal("1.00"),
    publicity_days: int = 5,
    objection_contact: str = "",
) -> Village:
    name = clean_name(name, "what_village_name")
    township = clean_name(township, "what_township", required=False)
    county = clean_name(county, "what_county", required=False)
    objection_contact = clean_name(
        objection_contact, "what_contact", limit=CONTACT_LIMIT, required=False
    )
    check_point_value(point_value_yuan)
    check_range(publicity_days, "what_publicity_days", 1, DAYS_MAX)
    existing = await session.scalar(select(Village).where(Village.name == name))
    if existing is not None:
        raise Conflict("village_exists", name=name)
    village = Village(
        name=name,
        township=township,
        county=county,
        point_value_yuan=point_value_yuan,
        publicity_days=publicity_days,
        objection_contact=objection_contact,
    )
    session.add(village)
    await session.flush()
    return village


async def update_village(
    session: AsyncSession, village: Village, actor: StaffMember, **changes: object
) -> Village:
    """Change a village's settings (point value, 公示 days, commendation rules)."""
    require_role(actor, village, Role.COMMITTEE)
    allowed = {
        "point_value_yuan",
        "publicity_days",
        "commendation_top_n",
        "commendation_bonus",
        "commendation_title",
        "objection_contact",
    }
    for key in changes:
        if key not in allowed:
            raise ValueError(key)
    _check_settings(changes)
    said = []
    for key, value in changes.items():
        if value is not None and getattr(village, key) != value:
            said.append(f"{text(_SETTING_NAMES[key])} {getattr(village, key)} → {value}")
            setattr(village, key, value)
    if said:
        await action_log.record(
            session, actor, village, "village_settings", changes="；".join(said)
        )
    await session.flush()
    return village


_SETTING_NAMES = {
    "point_value_yuan": "what_point_value",
    "publicity_days": "what_publicity_days",
    "commendation_top_n": "what_commend_top",
    "commendation_bonus": "what_commend_bonus",
    "commendation_title": "what_commend_title",
    "objection_contact": "what_contact",
}


def _check_settings(changes: dict[str, object]) -> None:
    """The village settings' bounds, checked before any of them is set."""
    value = changes.get("point_value_yuan")
    check_point_value(value if isinstance(value, Decimal) else None)
    for key, what, low, high in (
        ("publicity_days", "what_publicity_days", 1, DAYS_MAX),
        ("commendation_top_n", "what_commend_top", 1, COUNT_MAX),
        ("commendation_bonus", "what_commend_bonus", 0, COUNT_MAX),
    ):
        number = changes.get(key)
        check_range(number if isinstance(number, int) else None, what, low, high)
    title, contact = changes.get("commendation_title"), changes.get("objection_contact")
    if isinstance(title, str):
        changes["commendation_title"] = clean_name(title, "what_commend_title")
    if isinstance(contact, str):
        changes["objection_contact"] = clean_name(
            contact, "what_contact", limit=CONTACT_LIMIT, required=False
        )


async def get_village(session: AsyncSession, ref: str | int) -> Village:
    if isinstance(ref, int) or str(ref).isdigit():
        village = await session.get(Village, int(ref))
        if village is not None:
            return village
    village = await session.scalar(select(Village).where(Village.name == str(ref).strip()))
    if village is None:
        raise NotFound("village_not_found", name=ref)
    return village


async def list_villages(session: AsyncSession) -> list[Village]:
    return list(await session.scalars(select(Village).order_by(col(Village.id))))


async def find_household(
    session: AsyncSession, number: str, village_id: int | None = None
) -> Household:
    """A household by its 户编号, within ``village_id`` when given."""
    query = select(Household).where(Household.number == number.strip())
    if village_id is not None:
        query = query.where(Household.village_id == village_id)
    household = await session.scalar(query)
    if household is None:
        raise NotFound("household_not_found", ref=number)
    return household


async def add_staff(
    session: AsyncSession,
    village: Village | None,
    name: str,
    role: str,
    *,
    household_number: str | None = None,
    phone: str | None = None,
) -> StaffMember:
    try:
        role_value = Role(role)
    except ValueError:
        raise DomainError("bad_role", role=role, choices=", ".join(r.value for r in Role)) from None
    name = clean_name(name, "what_staff_name")
    village_id = village.id if village is not None else None
    duplicate = await session.scalar(
        select(StaffMember).where(StaffMember.name == name, StaffMember.village_id == village_id)
    )
    if duplicate is not None:
        raise Conflict("staff_exists", name=name, village=village.name if village else "县")
    household_id = None
    if household_number:
        household_id = (await find_household(session, household_number, village_id)).id
    staff = StaffMember(
        village_id=village_id,
        name=name,
        role=role_value.value,
        household_id=household_id,
        phone=phone,
    )
    session.add(staff)
    await session.flush()
    return staff


async def find_staff(
    session: AsyncSession, ref: str | int, village_id: int | None = None
) -> StaffMember:
    """A staff member by id, or by name (within a village when given)."""
    if isinstance(ref, int) or str(ref).isdigit():
        staff = await session.get(StaffMember, int(ref))
        if staff is None:
            raise NotFound("staff_not_found", ref=ref)
        return staff
    query = select(StaffMember).where(StaffMember.name == str(ref).strip())
    if village_id is not None:
        query = query.where(
            (col(StaffMember.village_id) == village_id) | col(StaffMember.village_id).is_(None)
        )
    found = list(await session.scalars(query))
    if not found:
        raise NotFound("staff_not_found", ref=ref)
    if len(found) > 1:
        raise Conflict("staff_ambiguous", ref=ref, ids=", ".join(str(s.id) for s in found))
    return found[0]


async def list_staff(session: AsyncSession, village_id: int | None = None) -> list[StaffMember]:
    query = select(StaffMember).order_by(col(StaffMember.id))
    if village_id is not None:
        query = query.where(StaffMember.village_id == village_id)
    return list(await session.scalars(query))
