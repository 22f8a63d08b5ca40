"""The console in a real browser: Debian's Chromium, driven by Playwright's async API.

* One Chromium per test session (per xdist worker), launched from
  ``/usr/bin/chromium`` (``make browsers`` installs it); each test gets a new
  context, so cookies and storage never leak from one test to the next.
* ``console`` runs the real service (:func:`bot.service.serve`) in a thread
  with its own event loop, on a free port of 127.0.0.1, over a fresh SQLite
  copy of the migrated template or the emptied PostgreSQL scratch database, with
  two seeded villages (幸福村 and 光明村) and staff who have passwords.
* Browser tests are ``async`` and run in the session's event loop (the browser
  lives there): every module says ``pytestmark = pytest.mark.asyncio(loop_scope="session")``.
  Playwright's sync API is not used: it installs its own running loop in the
  worker's main thread, which breaks every asyncio test after it.
* A failing test leaves a full-page screenshot of each open page in
  ``var/screenshots/<test id>.png``; the failure report names the files. With
  ``XIANGXIN_SCREENSHOTS=all`` every test leaves them, failed or not: the pages
  as each story ends, for a person to look at (``make screenshots``).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import glob
import os
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright
from playwright.async_api import expect as playwright_expect
from sqlalchemy import text as sql

from bot.service import serve
from core.db import Database
from core.settings import Settings
from migrations import metadata

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
TIMEOUT_MS = 10_000  # any single browser wait
SERVER_START_SECONDS = 30
SERVER_STOP_SECONDS = 15
PASSWORD = "Xiangxin-2026!"  # every seeded staff member's password
TABLES = ", ".join(t.name for t in metadata.sorted_tables)

playwright_expect.set_options(timeout=TIMEOUT_MS)


# --------------------------------------------------------------------------- the world


@dataclass(frozen=True)
class Login:
    village: str  # what the login form's 村 field takes ("" for a county administrator)
    name: str
    password: str = PASSWORD


@dataclass
class Console:
    """The running service and what was seeded into it."""

    url: str  # http://127.0.0.1:PORT (no trailing slash)
    dialect: str  # sqlite | postgresql
    database_url: str = ""  # the server's database, for a test to check facts in it
    villages: dict[str, int] = field(default_factory=dict)  # 幸福村 → id
    households: dict[str, int] = field(default_factory=dict)  # 户编号 → id
    secretary: Login = Login("幸福村", "周文书")  # 幸福村's committee member
    other_secretary: Login = Login("光明村", "孙文书")  # 光明村's committee member
    shopkeeper: Login = Login("幸福村", "吴店主")
    county_admin: Login = Login("", "钱主任")  # county administrator: every village
    committee_member: Login = Login("幸福村", "郑委员")  # a second reviewer for rating rounds

    def village_url(self, name: str, path: str = "") -> str:
        return f"{self.url}/villages/{self.villages[name]}/{path}"


#: (户编号, 户主, 证件号码, 手机, 组, 人口, 积分)
HOUSEHOLDS: dict[str, list[tuple[str, str, str | None, str | None, str, int, int]]] = {
    "幸福村": [
        ("XF001", "王建国", "411421195003010009", "+8613800001234", "一组", 4, 120),
        ("XF002", "李秀英", None, "+8613900002345", "一组", 2, 60),
        ("XF003", "王秀兰", None, None, "二组", 3, 30),
        ("XF004", "张伟", None, None, "二组", 5, 0),
        ("XF005", "赵德明", None, None, "三组", 1, 10),
    ],
    "光明村": [
        ("GM001", "刘桂芳", None, None, "一组", 3, 40),
        ("GM002", "陈志强", None, None, "一组", 4, 20),
    ],
}


async def seed(database: Database, world: Console) -> None:
    """Two villages of one county, their households, points and staff with passwords."""
    from points import ledger
    from points.models import EntryKind
    from tests.console import staff_with_password
    from tests.factories import add_household
    from village.registry import add_staff, create_village, get_village

    async with database.transaction() as session:
        for village_name, rows in HOUSEHOLDS.items():
            village = await create_village(
                session, village_name, township="城关镇", county="示范县"
            )
            assert village.id is not None
            world.villages[village_name] = village.id
            director = await add_staff(session, village, f"{village_name}主任", "committee")
            for number, head, id_card, phone, group, size, points in rows:
                home = await add_household(
                    session,
                    village,
                    number,
                    head,
                    id_card=id_card,
                    phone=phone,
                    group_name=group,
                    size=size,
                )
                assert home.id is not None
                world.households[number] = home.id
                if points:
                    await ledger.post(
                        session,
                        ledger.Posting(
                            household_id=home.id,
                            village_id=village.id,
                            amount=points,
                            kind=EntryKind.AWARD,
                            reason="增收致富之星",
                            actor_id=director.id or 0,
                            idempotency_key=f"seed:{number}",
                        ),
                    )
    first = await staff_with_password(
        database, world.secretary.village, world.secretary.name, "committee", PASSWORD
    )
    # argon2 takes ~0.2 s a hash here: the others get the same (salted) hash of the same password
    async with database.transaction() as session:
        for login, role in (
            (world.other_secretary, "committee"),
            (world.shopkeeper, "shopkeeper"),
            (world.county_admin, "county_admin"),
            (world.committee_member, "committee"),
        ):
            village = await get_village(session, login.village) if login.village else None
            staff = await add_staff(session, village, login.name, role)
            staff.password_hash = first.password_hash
            staff.password_set_at = first.password_set_at
            session.add(staff)


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerThread(threading.Thread):
    """``bot.service.serve`` in its own thread and event loop, seeded first."""

    def __init__(self, settings: Settings, world: Console) -> None:
        super().__init__(name=f"xiangxin-serve-{settings.http_port}", daemon=True)
        self.settings = settings
        self.world = world
        self.seeded = threading.Event()
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._halt: asyncio.Event | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:  # handed to the test thread
            self.error = error
        finally:
            self.seeded.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._halt = asyncio.Event()
        database = Database(self.settings.database_url)
        try:
            if database.dialect == "postgresql":
                async with database.engine.begin() as connection:
                    await connection.execute(sql(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
            await seed(database, self.world)
        finally:
            await database.dispose()
        self.seeded.set()
        await serve(self.settings, self._halt)

    def stop(self) -> None:
        if self._loop is not None and self._halt is not None and not self._loop.is_closed():
            # RuntimeError: the loop closed meanwhile, the server is gone already
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._halt.set)
        self.join(SERVER_STOP_SECONDS)
        assert not self.is_alive(), "the console server did not stop in time"


def wait_for_health(url: str, server: ServerThread) -> None:
    """Poll /healthz until it answers 200 (bounded); fail early when the server died."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    last: object = None
    while time.monotonic() < deadline:
        if server.error is not None:
            raise server.error
        if not server.is_alive():
            raise AssertionError("the console server stopped before it answered /healthz")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
                last = response.status
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last = error
        time.sleep(0.05)
    raise AssertionError(f"/healthz did not answer within {SERVER_START_SECONDS} s; last: {last}")


@pytest.fixture(params=["sqlite", "postgresql"])
def console(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, pg_url: str
) -> Iterator[Console]:
    """The real service on a free 127.0.0.1 port over a seeded database; its base URL."""
    if request.param == "sqlite":
        path = tmp_path / "console.db"
        shutil.copy(sqlite_template, path)
        database_url = f"sqlite+aiosqlite:///{path}"
    else:
        database_url = pg_url
    for attempt in range(3):
        port = free_port()
        world = Console(
            url=f"http://127.0.0.1:{port}", dialect=request.param, database_url=database_url
        )
        settings = Settings(
            database_url=database_url,
            http_host="127.0.0.1",
            http_port=port,
            secret_file=tmp_path / "secret.key",
            sms_log=tmp_path / "sms.log",
            telegram_token=None,
            sms_gateway="console",
        )
        if request.param == "sqlite" and attempt:
            shutil.copy(sqlite_template, path)  # a fresh copy for the new try
        server = ServerThread(settings, world)
        server.start()
        try:
            wait_for_health(world.url, server)
        except OSError as error:  # someone took the port between probe and bind: try another
            server.stop()
            if error.errno == errno.EADDRINUSE and attempt < 2:
                continue
            raise
        except BaseException:
            server.stop()
            raise
        try:
            yield world
        finally:
            server.stop()
        return


# --------------------------------------------------------------------------- the browser

SESSION_LOOP: dict[str, asyncio.AbstractEventLoop] = {}
CONTEXTS = pytest.StashKey[list[BrowserContext]]()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    SESSION_LOOP["loop"] = asyncio.get_running_loop()
    async with async_playwright() as driver:
        yield driver


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} 不存在：请运行 make browsers（以 root 安装 chromium 和 fonts-noto-cjk）"
        )
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    chromium = await playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=args, timeout=30_000
    )
    try:
        yield chromium
    finally:
        await chromium.close()


@pytest_asyncio.fixture(loop_scope="session")
async def context(
    browser: Browser, console: Console, request: pytest.FixtureRequest
) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile for one test (no cookies), Chinese locale, Beijing time."""
    ctx = await browser.new_context(
        base_url=console.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    request.node.stash.setdefault(CONTEXTS, []).append(ctx)
    for old in SCREENSHOTS.glob(glob.escape(_screenshot_name(request.node.nodeid)) + "*.png"):
        old.unlink()  # a screenshot left by an earlier failure of this test would mislead
    try:
        yield ctx
    finally:
        await ctx.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


# --------------------------------------------------------------------------- helpers


async def log_in(page: Page, console: Console, who: Login) -> None:
    """Fill and send the login form as a person would; returns once the page after it loaded."""
    await page.goto(f"{console.url}/login")
    form = page.locator("form", has=page.locator("input[name=password]"))
    village = form.locator("[name=village]")
    if await village.count():
        if await village.evaluate("e => e.tagName") == "SELECT":
            if who.village:
                await village.select_option(label=who.village)
        else:
            await village.fill(who.village)
    await form.locator("[name=name]").fill(who.name)
    await form.locator("[name=password]").fill(who.password)
    async with page.expect_navigation():
        await form.locator("[type=submit]").first.click()


# --------------------------------------------------------------------------- screenshots


def _screenshot_name(nodeid: str) -> str:
    return re.sub(r"[^\w.\-\[\]]+", "_", nodeid.split("/")[-1]).strip("_")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    contexts = item.stash.get(CONTEXTS, [])
    loop = SESSION_LOOP.get("loop")
    every = report.when == "call" and os.environ.get("XIANGXIN_SCREENSHOTS") == "all"
    if not (report.failed or every) or report.when == "teardown" or not contexts or loop is None:
        return
    if loop.is_running() or loop.is_closed():
        return
    SCREENSHOTS.parent.mkdir(mode=0o700, exist_ok=True)  # var/ is the owner's only
    SCREENSHOTS.mkdir(exist_ok=True)
    base = _screenshot_name(item.nodeid)
    saved: list[str] = []
    pages = [page for ctx in contexts for page in ctx.pages if not page.is_closed()]
    for number, page in enumerate(pages):
        path = SCREENSHOTS / (f"{base}.png" if number == 0 else f"{base}-{number + 1}.png")
        try:
            loop.run_until_complete(
                asyncio.wait_for(page.screenshot(path=str(path), full_page=True), 15)
            )
            saved.append(f"{path}  ({page.url})")
        except Exception as error:  # a screenshot must never hide the real failure
            saved.append(f"{path}: no screenshot ({type(error).__name__}: {error})")
    if saved and report.failed:
        report.sections.append(("browser screenshots", "\n".join(saved)))
