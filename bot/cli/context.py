"""What every CLI command shares: the console, the database, the acting person, errors.

A command builds an async function of one session and hands it to :func:`run`,
which applies pending migrations, runs it in one transaction and turns a
:class:`DomainError` into a red Chinese line and exit code 1.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalogue import text
from core.db import Database, retry_when_locked
from core.errors import DomainError
from core.settings import Settings, get_settings
from migrations import upgrade_async
from usecases.principal import Principal
from village.models import StaffMember, Village
from village.registry import find_staff, get_village

T = TypeVar("T")

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def fail(message: str) -> typer.Exit:
    """Print ``message`` as the red error line; the caller raises the returned exit."""
    errors.print(f"[bold red]{text('cli_error_label')}[/bold red]{escape(message)}")
    return typer.Exit(code=1)


def run(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction against the configured database.

    On SQLite a write lock still busy after the busy timeout runs the whole
    transaction again for a while (:func:`retry_when_locked`); only then does the
    command give up, with "系统繁忙，请稍后再试" from the CLI's error layer.
    """

    async def main() -> T:
        settings = get_settings()
        await retry_when_locked(lambda: upgrade_async(settings.database_url))
        database = Database(settings.database_url)

        async def unit() -> T:
            async with database.transaction() as session:
                return await work(session)

        try:
            return await retry_when_locked(unit)
        finally:
            await database.dispose()

    try:
        return asyncio.run(main())
    except DomainError as error:
        raise fail(error.message) from None


async def principal_in(
    session: AsyncSession, village_ref: str, by: str
) -> tuple[Village, Principal]:
    """The village named on the command line and ``--by`` resolved once into a Principal.

    The CLI is the operator's console and trusts the terminal: ``--by`` names the
    person, no password asked. An inactive staff member is refused here.
    """
    village = await get_village(session, village_ref)
    principal = Principal.of(await find_staff(session, by, village.id))
    await principal.staff(session)  # refuses an inactive member
    return village, principal


async def actor_in(session: AsyncSession, village_ref: str, by: str) -> tuple[Village, StaffMember]:
    """The village named on the command line and the staff member acting in it."""
    village, principal = await principal_in(session, village_ref, by)
    return village, await principal.staff(session)


def headed_table(*codes: str, title: str | None = None) -> Table:
    """A table headed by catalogue texts; cells wrap anywhere (Chinese has no spaces)."""
    made = Table(title=title)
    for code in codes:
        made.add_column(text(code), overflow="fold")
    return made


def say(code: str, /, **params: Any) -> None:
    console.print(text(code, **params))


VILLAGE_OPTION = typer.Option(..., "--village", "-v", help="村名或村编号")
BY_OPTION = typer.Option(..., "--by", "-b", help="操作人（工作人员姓名或编号）")


def start_logging(settings: Settings) -> None:
    """For the long-running commands: our log at the set level, without a line per HTTP call."""
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Telegram's long polls, one a minute


def progress_bar() -> Progress:
    """The bar long CLI work shows (imports, printing cards): count, elapsed, gone when done."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
