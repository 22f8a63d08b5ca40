"""Alembic migrations, and the one function that applies them.

This package sits above the domain packages (it imports every table module),
so the shared kernel stays free of domain imports.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlmodel import SQLModel

import bot.models
import care.models
import fund.models
import notifications.models
import points.models
import village.models

HERE = Path(__file__).resolve().parent
metadata = SQLModel.metadata
__all__ = [
    "alembic_config",
    "bot",
    "care",
    "fund",
    "metadata",
    "notifications",
    "points",
    "upgrade",
    "village",
]


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (Alembic's own env runs async)."""
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, url, revision)
