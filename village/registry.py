"""Villages, staff and household look-ups."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.errors import Conflict, DomainError, NotFound
from core.models import Role
from village.access import require_role
from village.models import Household, StaffMember, Village


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
    name = name.strip()
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
    for key, value in changes.items():
        if key not in allowed:
            raise ValueError(key)
        if value is not None:
            setattr(village, key, value)
    await session.flush()
    return village


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
        name=name.strip(),
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
