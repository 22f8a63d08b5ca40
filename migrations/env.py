"""Alembic environment: async engines for SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from core.db import prepare_database, sqlite_connect_args
from migrations import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    prepare_database(url)  # a private var/ and database file before the first connection
    engine = create_async_engine(url, connect_args=sqlite_connect_args(url))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_offline(url: str) -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
assert url, "no database URL given to Alembic"
if context.is_offline_mode():
    run_offline(url)
else:
    asyncio.run(_run_async(url))
