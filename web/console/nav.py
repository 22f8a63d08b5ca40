"""Which of a village's pages the nav offers a person: those their role may open.

The roles come from the use cases that refuse the others (403), so a link is
never shown to someone it would refuse. A page not named here (dashboard,
roster, counter, visits, follow-ups) opens for everyone who may see the
village: there a role that may not act reads it without the forms.
"""

from __future__ import annotations

from core.models import Role
from usecases import broadcast_pages, care_pages, care_plans, fund_pages, login_audit, round_pages
from usecases.principal import Principal

OPENED_BY: dict[str, tuple[Role, ...]] = {
    "rounds": round_pages.READERS,
    "fund": fund_pages.READERS,
    "broadcasts": broadcast_pages.SENDERS,
    "import": care_pages.IMPORTERS,
    "care": care_plans.READERS,
    "hardship": care_plans.HARDSHIP_READERS,
    "logins": login_audit.READERS,
}


def may_open(principal: Principal | None, page: str) -> bool:
    """Whether ``principal`` may open the village page ``page`` (a county administrator: all)."""
    if principal is None:
        return False
    roles = OPENED_BY.get(page)
    return roles is None or principal.holds(*roles)
