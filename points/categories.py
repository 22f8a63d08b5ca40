"""Star categories (星级类别): per village, the seed's ten stars by default.

The defaults are installed lazily, the first time a village's categories are
read, rather than when the village is made: :mod:`village` must not import
:mod:`points` (dependencies run shared kernel ← village ← points). The insert
ignores rows that already exist, so two sessions reading a new village at once
do not trip over the unique (village, name) constraint.

A category that is no longer wanted is deactivated, never deleted: earlier
awards point at it and the notices that were printed must still read the same.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, func, select

from core.errors import Conflict, DomainError, NotFound
from core.models import Role
from points.models import StarCategory
from village.access import require_role
from village.models import StaffMember, Village

# 四(七) 开展星级评定: the ten stars named in the seed, in its order.
DEFAULT_CATEGORIES: tuple[str, ...] = (
    "增收致富之星",
    "政策明白之星",
    "移风易俗之星",
    "户容整洁之星",
    "反对迷信之星",
    "学用科技之星",
    "良好家风之星",
    "诚实守信之星",
    "模范守法之星",
    "热心公益之星",
)
DEFAULT_POINTS = 10
MAX_POINTS = 10_000
NAME_LENGTH = 32


def _village_id(village: Village) -> int:
    assert village.id is not None, "village must be flushed first"
    return village.id


async def ensure_default_categories(session: AsyncSession, village: Village) -> None:
    """Install the ten default stars for a village that has no category at all.

    A village that deactivated every star keeps its rows, so nothing comes back.
    """
    village_id = _village_id(village)
    count = await session.scalar(
        select(func.count()).select_from(StarCategory).where(StarCategory.village_id == village_id)
    )
    if count:
        return
    rows = [
        {
            "village_id": village_id,
            "name": name,
            "points": DEFAULT_POINTS,
            "sort_order": index,
            "active": True,
        }
        for index, name in enumerate(DEFAULT_CATEGORIES, start=1)
    ]
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    factory = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = factory(StarCategory).on_conflict_do_nothing(index_elements=["village_id", "name"])
    await session.execute(stmt, rows)


async def list_categories(
    session: AsyncSession, village: Village, *, active_only: bool = False
) -> list[StarCategory]:
    """The village's stars in display order (installing the defaults on first use)."""
    await ensure_default_categories(session, village)
    query = select(StarCategory).where(StarCategory.village_id == _village_id(village))
    if active_only:
        query = query.where(col(StarCategory.active).is_(True))
    query = query.order_by(col(StarCategory.sort_order), col(StarCategory.id))
    return list(await session.scalars(query))


async def find_category(session: AsyncSession, village: Village, ref: str | int) -> StarCategory:
    """A category of ``village`` by id or by name; another village's id is not found."""
    await ensure_default_categories(session, village)
    village_id = _village_id(village)
    text_ref = str(ref).strip()
    if isinstance(ref, int) or text_ref.isdigit():
        category = await session.get(StarCategory, int(text_ref))
        if category is not None and category.village_id == village_id:
            return category
    category = await session.scalar(
        select(StarCategory).where(
            StarCategory.village_id == village_id, StarCategory.name == text_ref
        )
    )
    if category is None:
        raise NotFound("category_not_found", name=text_ref, village=village.name)
    return category


def _check_points(points: int) -> int:
    if not 0 < points <= MAX_POINTS:
        raise DomainError("category_bad_points", points=points, max=MAX_POINTS)
    return points


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        raise DomainError("category_bad_name", name=name, max=NAME_LENGTH)
    return name


async def add_category(
    session: AsyncSession,
    village: Village,
    actor: StaffMember,
    name: str,
    points: int = DEFAULT_POINTS,
) -> StarCategory:
    """A new star for this village, placed after the existing ones."""
    require_role(actor, village, Role.COMMITTEE)
    name = _check_name(name)
    _check_points(points)
    existing = await list_categories(session, village)
    if any(c.name == name for c in existing):
        raise Conflict("category_exists", name=name, village=village.name)
    category = StarCategory(
        village_id=_village_id(village),
        name=name,
        points=points,
        sort_order=max((c.sort_order for c in existing), default=0) + 1,
        active=True,
    )
    session.add(category)
    await session.flush()
    return category


async def update_category(
    session: AsyncSession,
    village: Village,
    actor: StaffMember,
    ref: str | int,
    *,
    points: int | None = None,
    active: bool | None = None,
) -> StarCategory:
    """Change a star's point value or switch it on/off.

    Awards already proposed keep the points they were proposed with: what the
    公示 shows is what is credited, whatever the category says later.
    """
    require_role(actor, village, Role.COMMITTEE)
    category = await find_category(session, village, ref)
    if points is not None:
        category.points = _check_points(points)
    if active is not None:
        category.active = active
    await session.flush()
    return category


async def deactivate_category(
    session: AsyncSession, village: Village, actor: StaffMember, ref: str | int
) -> StarCategory:
    return await update_category(session, village, actor, ref, active=False)
