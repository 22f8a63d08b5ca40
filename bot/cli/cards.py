"""``xiangxin cards …``: print households' binding cards, issue a staff member's binding code.

Issuing a code voids the person's earlier unused codes, so printing cards again
(say, for a lost card) makes the old ones useless. The HTML file holds the
plain codes: print it, hand out the cards, then delete it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot import cards
from bot.cli.context import (
    BY_OPTION,
    VILLAGE_OPTION,
    actor_in,
    errors,
    fail,
    progress_bar,
    run,
    say,
)
from bot.cli.errors import os_reason
from core.catalogue import text
from core.clock import local_date_text, utcnow
from core.errors import DomainError
from village import binding
from village.models import Household, StaffMember, Village
from village.registry import find_household, find_staff
from village.roster import village_households

app = typer.Typer(no_args_is_help=True)

HOUSEHOLDS_OPTION = typer.Option(
    [], "--household", "-H", help="户编号，可写多次；不写则为全村（或 --group 指定的组）每户打印"
)
GROUP_OPTION = typer.Option("", "--group", "-g", help="只打印这个组的户，如 一组")
OUT_OPTION = typer.Option(
    None,
    "--out",
    "-o",
    help="输出的 HTML 文件，或文件夹（写入其中的 <村名>绑定卡.html）；默认当前目录下 <村名>绑定卡.html",
)


def _bot_username() -> str:
    try:
        return asyncio.run(cards.resolve_bot_username())
    except DomainError as error:
        raise fail(error.message) from None


async def _chosen(
    session: AsyncSession, village: Village, numbers: list[str], group: str
) -> list[Household]:
    group = group.strip()
    if numbers:
        chosen = [await find_household(session, number, village.id) for number in numbers]
        return [h for h in chosen if not group or h.group_name == group]
    households = await village_households(session, village, group or None)
    if not households and group:
        raise DomainError("cards_group_empty", village=village.name, group=group)
    return households


@app.command(
    "print",
    help=(
        "为农户生成新的一次性绑定码，输出可打印的绑定卡（HTML，每户一页，含二维码）；"
        "这些户以前未使用的绑定码随即作废"
    ),
)
def print_cards(
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
    numbers: list[str] = HOUSEHOLDS_OPTION,
    group: str = GROUP_OPTION,
    out: str | None = OUT_OPTION,
) -> None:
    """Issue the codes and write the cards in one transaction: no code without its card.

    The file is written before the codes are committed; if it cannot be written
    the new codes are rolled back and the old cards stay valid. The price is that
    SQLite's write lock is held while the QR codes are drawn (~10 ms a card).
    """
    username = _bot_username()
    now = utcnow()
    expires_at = binding.expiry(now)
    written: list[Path] = []

    async def work(session: AsyncSession) -> tuple[int, Path]:
        village, actor = await actor_in(session, village_ref, by)
        households = await _chosen(session, village, numbers, group)
        if not households:
            raise DomainError("cards_none")
        target = card_path(out, village)
        issued = await binding.issue_household_codes(session, actor, village, households, now)
        with progress_bar() as bar:
            task = bar.add_task(text("cards_rendering"), total=len(issued))
            html = cards.render_cards(
                village,
                issued,
                bot_username=username,
                expires_at=expires_at,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        written.append(write_whole(html, target))
        return len(issued), target

    try:
        count, target = run(work)
    except BaseException:
        for path in written:  # written, but its codes were not committed: they would not work
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        raise
    say("cards_written", count=count, path=target)
    say("cards_expiry", date=local_date_text(expires_at))


def card_path(out: str | None, village: Village) -> Path:
    """Where the cards go: ``--out`` as given, or the default name inside a folder.

    ``-o 卡片/`` (a trailing slash) or an existing folder means "into this folder".
    """
    default = text("cards_file", village=village.name)
    if out is None or not out.strip():
        return Path(default)
    if out.endswith(("/", os.sep)) or Path(out).is_dir():
        return Path(out) / default
    return Path(out)


def write_whole(html: str, target: Path) -> Path:
    """Write ``target`` through a draft beside it, so a failed write leaves no half file."""
    draft = target.with_name(f".{target.name}.part")
    try:
        cards.write_cards(html, draft).replace(target)
    except OSError as error:
        with contextlib.suppress(OSError):
            draft.unlink(missing_ok=True)
        raise DomainError("cards_write_failed", path=target, error=os_reason(error)) from None
    return target


@app.command(
    "staff",
    help="为工作人员生成一次性绑定码：本人在 Telegram 打开链接或发送 /start 绑定码即可绑定",
)
def staff_code(
    village_ref: str = VILLAGE_OPTION,
    by: str = BY_OPTION,
    staff_ref: str = typer.Option(..., "--staff", "-s", help="要绑定的工作人员（姓名或编号）"),
) -> None:
    username, lookup_error = bot_username_or_reason()
    now = utcnow()

    async def work(session: AsyncSession) -> tuple[Village, StaffMember, str]:
        village, actor = await actor_in(session, village_ref, by)
        staff = await find_staff(session, staff_ref, village.id)
        code = await binding.issue_code(session, actor, staff=staff, now=now)
        return village, staff, code

    village, staff, code = run(work)
    printed = binding.format_code(code)
    say(
        "cards_staff_issued",
        name=staff.name,
        role=text(f"role_{staff.role}"),
        village=village.name,
        code=printed,
        date=local_date_text(binding.expiry(now)),
    )
    say_how_to_bind(code, username, lookup_error)


def bot_username_or_reason() -> tuple[str | None, str]:
    """The bot's @username for deep links, or why there is none (a code still works by /start)."""
    try:
        return asyncio.run(cards.resolve_bot_username()), ""
    except DomainError as error:
        return None, error.message


def say_how_to_bind(code: str, username: str | None, lookup_error: str) -> None:
    """The deep link when the bot's name is known, else how to type ``/start CODE``."""
    printed = binding.format_code(code)
    if username is not None:
        say("cards_staff_link", link=binding.deep_link(username, code), bot=username, code=printed)
    else:
        errors.print(f"[yellow]{lookup_error}[/yellow]")
        say("cards_staff_no_link", code=printed)
    say("cards_staff_warning")
