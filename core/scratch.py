"""Throw-away PostgreSQL databases, for the tests and the benchmarks.

Each run gets a database of its own on the machine's server (created from the
admin connection, dropped afterwards), so nothing touches a shared database.
"""

from __future__ import annotations

import uuid

import asyncpg

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"


async def admin_execute(sql: str, dsn: str = ADMIN_DSN) -> None:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def new_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def async_url(name: str, dsn: str = ADMIN_DSN) -> str:
    """The SQLAlchemy (asyncpg) URL of database ``name`` on the admin DSN's server."""
    server = dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{server}/{name}"


async def create_database(name: str, dsn: str = ADMIN_DSN) -> str:
    await admin_execute(f'CREATE DATABASE "{name}"', dsn)
    return async_url(name, dsn)


async def drop_database(name: str, dsn: str = ADMIN_DSN) -> None:
    await admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', dsn)
