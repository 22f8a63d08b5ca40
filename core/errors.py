"""Domain errors carry a machine code and a Chinese message from the catalogue.

Front-ends (CLI, bot, web) catch :class:`DomainError` and show ``message``;
they never show a stack trace to a person.
"""

from __future__ import annotations

from typing import Any

from core.catalogue import text


class DomainError(Exception):
    """A rule of the domain refused the request; nothing was changed."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code
        self.params = params
        self.message = text(code, **params)
        super().__init__(self.message)


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Conflict(DomainError):
    pass
