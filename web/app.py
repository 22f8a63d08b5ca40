"""The aiohttp application. For now: ``GET /healthz``; webhooks and the console come later."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import text

from core.db import Database

DATABASE_KEY = web.AppKey("database", Database)


async def healthz(request: web.Request) -> web.Response:
    """Liveness that also proves the database answers, so a load balancer sees real health."""
    database = request.app[DATABASE_KEY]
    try:
        async with database.session() as session:
            await session.execute(text("SELECT 1"))
    except Exception as error:  # any database failure means "not healthy"
        return web.json_response({"status": "error", "database": type(error).__name__}, status=503)
    return web.json_response({"status": "ok", "database": database.dialect})


def create_app(database: Database) -> web.Application:
    app = web.Application()
    app[DATABASE_KEY] = database
    app.router.add_get("/healthz", healthz)
    return app
