"""The aiohttp application. For now: ``GET /healthz``; webhooks and the console come later."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web
from sqlalchemy import text as sql

from core.catalogue import text
from core.clock import local_text, utcnow
from core.db import Database
from notifications.delivery import LinkHealth

DATABASE_KEY = web.AppKey("database", Database)
#: Each configured channel's link ("sms" → the gateway's health), for /healthz.
CHANNELS_KEY = web.AppKey("channels", dict[str, Callable[[], LinkHealth]])
DOWN_LIMIT_KEY = web.AppKey("down_limit", float)


def channel_report(health: LinkHealth, down_limit: float) -> tuple[dict[str, Any], bool]:
    """One channel as /healthz shows it, and whether it has been down too long."""
    report: dict[str, Any] = {"state": "up" if health.up else "down"}
    too_long = False
    if health.down_since is not None:
        seconds = max(0, round((utcnow() - health.down_since).total_seconds()))
        report |= {"down_since": local_text(health.down_since), "down_seconds": seconds}
        too_long = seconds > down_limit
    if health.last_error:
        report["last_error"] = health.last_error
    return report, too_long


async def healthz(request: web.Request) -> web.Response:
    """The database answers and no channel has been down longer than the limit.

    A load balancer or a watchdog sees real health; a person reads each
    channel's state, since when it is down (Beijing time) and the last error.
    """
    database = request.app[DATABASE_KEY]
    try:
        async with database.session() as session:
            await session.execute(sql("SELECT 1"))
    except Exception as error:  # any database failure means "not healthy"
        return web.json_response({"status": "error", "database": type(error).__name__}, status=503)
    body: dict[str, Any] = {"status": "ok", "database": database.dialect}
    channels = request.app.get(CHANNELS_KEY, {})
    if channels:
        down_limit = request.app.get(DOWN_LIMIT_KEY, 120.0)
        body["channels"] = {}
        for name, health in channels.items():
            report, too_long = channel_report(health(), down_limit)
            body["channels"][name] = report
            if too_long:
                body["status"] = "error"
                body.setdefault("reasons", []).append(
                    text("health_channel_down", channel=name, since=report["down_since"])
                )
    return web.json_response(body, status=200 if body["status"] == "ok" else 503)


def create_app(
    database: Database,
    channels: Mapping[str, Callable[[], LinkHealth]] | None = None,
    down_limit: float = 120.0,
) -> web.Application:
    app = web.Application()
    app[DATABASE_KEY] = database
    app[CHANNELS_KEY] = dict(channels or {})
    app[DOWN_LIMIT_KEY] = down_limit
    app.router.add_get("/healthz", healthz)
    return app
