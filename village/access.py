"""Who may act on which village: checked in the domain, not only in menus."""

from __future__ import annotations

from core.catalogue import text
from core.errors import Forbidden
from core.models import Role
from village.models import StaffMember, Village


def role_names(roles: tuple[Role, ...]) -> str:
    return "、".join(text(f"role_{r.value}") for r in roles)


def require_role(actor: StaffMember, village: Village, *roles: Role) -> None:
    """Refuse unless ``actor`` holds one of ``roles`` in ``village`` (county admins: anywhere)."""
    if not actor.active:
        raise Forbidden("forbidden_role", actor=actor.name, roles=role_names(roles))
    if actor.role == Role.COUNTY_ADMIN:
        return
    if actor.role not in roles:
        raise Forbidden("forbidden_role", actor=actor.name, roles=role_names(roles))
    if actor.village_id != village.id:
        raise Forbidden("forbidden_village", actor=actor.name, village=village.name)


def require_fund_role(actor: StaffMember, village: Village) -> None:
    """The 孝善理事会 keeps the fund; the 村两委, which leads it, may do all it does."""
    require_role(actor, village, Role.FUND_COUNCIL, Role.COMMITTEE)
