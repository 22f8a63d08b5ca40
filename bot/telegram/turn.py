"""One update's worth of conversation: who wrote, where they are, what to answer.

Role modules (household, committee, shop, helper) take a :class:`Turn` and
return :class:`Reply` objects; the application sends them after the turn's
transaction has committed, so nobody is told something that was rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot import state
from bot.state import Step
from core.errors import Forbidden
from core.settings import Settings
from usecases.principal import Principal
from village.binding import Identity

Button = tuple[str, str]  # (label, callback data)
Row = tuple[Button, ...]


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Row, ...] = ()  # inline keyboard, one tuple per row
    menu: bool = False  # show the role's menu keyboard with it


@dataclass
class Turn:
    session: AsyncSession
    chat_id: str
    who: Identity
    now: datetime
    settings: Settings
    step: Step | None = None
    data: dict[str, Any] = field(default_factory=dict)

    async def go(self, flow: str, step: str, **data: Any) -> None:
        """Move to ``step`` of ``flow``, keeping what was gathered and adding ``data``."""
        kept = self.step.data if self.step is not None and self.step.flow == flow else {}
        self.step = Step(flow, step, {**kept, **data})
        await state.save(self.session, self.chat_id, self.step, self.now)

    async def done(self) -> None:
        self.step = None
        await state.clear(self.session, self.chat_id)

    def at(self, flow: str, step: str | None = None) -> bool:
        return (
            self.step is not None
            and self.step.flow == flow
            and (step is None or self.step.step == step)
        )

    @cached_property
    def principal(self) -> Principal:
        """The bound staff member as the use cases take them, resolved once per update.

        A household's or a supporter's chat has none: they act on nothing a use case guards.
        """
        if self.who.staff is None:
            raise Forbidden("principal_role", name=self.who.name)
        return Principal.of(self.who.staff)

    @property
    def gathered(self) -> dict[str, Any]:
        return self.step.data if self.step is not None else {}


class RoleConversation(Protocol):
    """What a staff role's module offers: its menu, and answers to text and buttons."""

    @property
    def MENU(self) -> tuple[str, ...]:
        """Catalogue codes of the menu labels."""
        ...

    async def on_text(self, turn: Turn, body: str) -> list[Reply]: ...

    async def on_button(self, turn: Turn, data: str) -> list[Reply]: ...


def rows(buttons: list[Button], per_row: int = 1) -> tuple[Row, ...]:
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))
