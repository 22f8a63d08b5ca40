"""One settings class for the service, the CLI and the tests.

Read from ``XIANGXIN_*`` environment variables and ``.env``; nothing is read at
import time, callers ask for :func:`get_settings` when they need it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="XIANGXIN_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite+aiosqlite:///var/xiangxin.db",
        description="SQLAlchemy async URL; SQLite (aiosqlite) by default, PostgreSQL via asyncpg.",
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    timezone: str = "Asia/Shanghai"
    redemption_code_minutes: int = Field(
        default=30, description="How long a redemption's confirmation code stays valid."
    )
    redemption_code_attempts: int = Field(
        default=5, description="Wrong codes allowed before a pending redemption is cancelled."
    )
    log_level: str = "INFO"
    telegram_token: str | None = Field(
        default=None, description="Bot token; the Telegram bot runs only when it is set."
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, so its folder can be created before first use."""
    prefix = "sqlite+aiosqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        return Path(url[len(prefix) :])
    return None
