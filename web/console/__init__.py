"""The web console: committees, shopkeepers, councils and the township, in a browser.

A thin adapter over :mod:`usecases`: each handler resolves the logged-in
:class:`~usecases.principal.Principal`, calls one use case and renders its view
with the project's one Jinja environment (:mod:`core.pages`). htmx (vendored
under ``static/``, no build step, no CDN) swaps page parts in place.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
from aiohttp import web

from core.catalogue import text
from core.pages import page_environment
from core.settings import Settings
from web.console import auth, care_plans, logins, nav, pages, rounds
from web.console import broadcasts as outreach_pages
from web.console import care as care_pages
from web.console import counter as counter_pages

STATIC = Path(__file__).resolve().parent / "static"


def add_console(app: web.Application, settings: Settings) -> None:
    """Mount the console on ``app`` (which already carries the database, see web.app)."""
    auth.setup(app, settings)  # sessions, the principal of each request, CSRF, login throttle
    environment = page_environment()
    environment.globals.setdefault("t", text)
    environment.globals.setdefault("may_open", nav.may_open)  # _village_nav.html
    app[aiohttp_jinja2.APP_KEY] = environment
    app[aiohttp_jinja2.APP_CONTEXT_PROCESSORS_KEY] = [
        aiohttp_jinja2.request_processor,
        auth.page_context,
    ]
    app.middlewares.append(aiohttp_jinja2.context_processors_middleware)
    app.router.add_static("/static", STATIC, name="static")
    auth.add_routes(app)
    pages.add_routes(app)
    logins.add_routes(app)  # the login audit
    counter_pages.add_routes(app)  # the 扶贫超市 counter, stock, redemptions
    outreach_pages.add_routes(app)  # the 孝善基金 and policy notices
    rounds.add_routes(app)  # the rating round (星级评定) and its 公示
    care_pages.add_routes(app)  # roster import, home visits, follow-ups
    care_plans.add_routes(app)  # 帮扶 (helpers, visit plans, festivals) and 困难求助
