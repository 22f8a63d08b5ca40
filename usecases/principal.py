"""Who is acting, and over which villages: resolved once per request by each front-end.

The web console resolves it from the login session, the CLI from ``--by``, the
bot from the chat binding. A county (or township) administrator sees every
village; everyone else sees their own village only. The 村务监督委员会 reads
everything in its village and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from core.errors import Forbidden
from core.models import Role
from village.models import StaffMember, Village

#: Roles that only read: every page, no form.
READ_ONLY_ROLES = frozenset({Role.SUPERVISOR})


@dataclass(frozen=True)
class Principal:
    staff_id: int
    name: str
    role: Role
    village_id: int | None  # None for a county administrator: every village

    @classmethod
    def of(cls, staff: StaffMember) -> Principal:
        return cls(staff.id or 0, staff.name, Role(staff.role), staff.village_id)

    @property
    def everywhere(self) -> bool:
        return self.role == Role.COUNTY_ADMIN

    @property
    def read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES

    def holds(self, *roles: Role) -> bool:
        """Whether the principal holds one of ``roles`` (a county administrator holds all)."""
        return self.everywhere or self.role in roles

    def may_see(self, village_id: int) -> bool:
        return self.everywhere or self.village_id == village_id

    async def staff(self, session: AsyncSession) -> StaffMember:
        """The staff row, for domain functions that record their actor (and check it is active)."""
        staff = await session.get(StaffMember, self.staff_id)
        if staff is None or not staff.active:
            raise Forbidden("principal_inactive", name=self.name)
        return staff


async def visible_villages(session: AsyncSession, principal: Principal) -> list[Village]:
    """The villages ``principal`` may look at, by name."""
    query = select(Village).order_by(col(Village.name))
    if not principal.everywhere:
        query = query.where(col(Village.id) == principal.village_id)
    return list(await session.scalars(query))


async def village_for(
    session: AsyncSession, principal: Principal, village_id: int, *roles: Role
) -> Village:
    """The village, or Forbidden when it is not the principal's to see (or does not exist);
    with ``roles``, also Forbidden unless the principal holds one of them (see :func:`require_roles`)."""
    village = await session.get(Village, village_id) if principal.may_see(village_id) else None
    if village is None:
        raise Forbidden("principal_other_village", name=principal.name)
    if roles:
        require_roles(principal, *roles)
    return village


def require_roles(principal: Principal, *roles: Role) -> None:
    """Refuse unless the principal holds one of ``roles`` (a county administrator holds all)."""
    if not principal.holds(*roles):
        raise Forbidden("principal_role", name=principal.name)
