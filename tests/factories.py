"""A small village built through the domain API, for tests that need one."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from core.db import Database
from points import ledger
from points.models import EntryKind
from village.models import Household, StaffMember, Village
from village.pinyin import initials
from village.registry import add_staff, create_village


@dataclass
class Town:
    village: Village
    households: list[Household]
    secretary: StaffMember  # 村两委 member who proposes
    director: StaffMember  # 村两委 member who approves
    shopkeeper: StaffMember
    staff: dict[str, StaffMember] = field(default_factory=dict)


async def add_household(
    session: AsyncSession, village: Village, number: str, name: str, **extra: object
) -> Household:
    household = Household(
        village_id=village.id or 0, number=number, head_name=name, initials=initials(name), **extra
    )
    session.add(household)
    await session.flush()
    return household


async def make_town(db: Database, households: int = 5, name: str = "幸福村") -> Town:
    async with db.transaction() as session:
        village = await create_village(session, name, township="城关镇", county="示范县")
        homes = [
            await add_household(session, village, f"{name}-{i:03d}", f"户主{i}")
            for i in range(1, households + 1)
        ]
        secretary = await add_staff(
            session, village, f"{name}文书", "committee", household_number=homes[0].number
        )
        director = await add_staff(session, village, f"{name}主任", "committee")
        shopkeeper = await add_staff(session, village, f"{name}店主", "shopkeeper")
    return Town(village, homes, secretary, director, shopkeeper)


async def give_points(session: AsyncSession, town: Town, home: Household, amount: int) -> None:
    """A starting balance for a household, posted as an award (once: the key is fixed)."""
    await ledger.post(
        session,
        ledger.Posting(
            household_id=home.id or 0,
            village_id=town.village.id or 0,
            amount=amount,
            kind=EntryKind.AWARD,
            reason="测试入账",
            actor_id=town.director.id or 0,
            idempotency_key="fund",
        ),
    )
