"""The one-line outcome of a form, shown once on the page it leads to (Post/Redirect/Get).

A POST handler does its work, keeps one line in the session and answers 303;
the page the browser then asks for takes the line (so a reload shows it no
more) and renders it with ``_outcome.html``: green for what was done, red for
a rule of the domain that said no. Nothing is done twice by reloading.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp_session
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import DomainError, Forbidden, NotFound
from web.console.requests import database

KEY = "console_outcome"  # in the session, until the next page shows it


@dataclass(frozen=True)
class Outcome:
    text: str
    error: bool = False


async def keep(request: web.Request, text: str, *, error: bool = False) -> None:
    """Keep ``text`` for the page the browser is sent to next."""
    session = await aiohttp_session.get_session(request)
    session[KEY] = {"text": text, "error": error}


async def take(request: web.Request) -> Outcome | None:
    """The outcome kept by :func:`keep`, once; None when there is none."""
    session = await aiohttp_session.get_session(request)
    kept = session.pop(KEY, None)
    if not isinstance(kept, dict) or not isinstance(kept.get("text"), str):
        return None
    return Outcome(kept["text"], bool(kept.get("error")))


async def see_other(
    request: web.Request, location: str, text: str, *, error: bool = False
) -> web.HTTPSeeOther:
    """Keep ``text`` and answer 303 to ``location``, which shows it (``raise await see_other(…)``)."""
    await keep(request, text, error=error)
    return web.HTTPSeeOther(location)


@asynccontextmanager
async def back_on_refusal(request: web.Request, location: str) -> AsyncIterator[None]:
    """A rule of the domain said no (nothing changed): 303 to ``location`` with its message,
    in red. "Not you" (Forbidden) and "no such thing" (NotFound) stay a 403/404 page."""
    try:
        yield
    except (Forbidden, NotFound):
        raise
    except DomainError as error:
        raise await see_other(request, location, error.message, error=True) from None


async def act(
    request: web.Request, location: str, work: Callable[[AsyncSession], Awaitable[str]]
) -> web.HTTPSeeOther:
    """Run ``work`` in one transaction; 303 to ``location`` with the line it returns (green),
    or with the domain's refusal (red, nothing changed): ``raise await act(…)``."""
    async with back_on_refusal(request, location), database(request).transaction() as session:
        done = await work(session)
    return await see_other(request, location, done)
