"""One settings class for the service, the CLI and the tests.

Read from ``XIANGXIN_*`` environment variables and ``.env``; nothing is read at
import time, callers ask for :func:`get_settings` when they need it.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

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
    secret_file: Path = Field(
        default=Path("var/secret.key"),
        description="The server secret keying one-time code hashes (HMAC), created 0600 on "
        "first use; every process serving the same database must share this file.",
    )
    log_level: str = "INFO"
    telegram_token: str | None = Field(
        default=None, description="Bot token; the Telegram bot runs only when it is set."
    )
    telegram_base_url: str | None = Field(
        default=None,
        description="Bot API base, e.g. http://127.0.0.1:8081/bot for a self-hosted server; "
        "the official https://api.telegram.org/bot when unset.",
    )
    telegram_bot_username: str = Field(
        default="",
        description="The bot's @username for the t.me deep links on printed cards; "
        "asked of Telegram (getMe) when empty and a token is set.",
    )
    telegram_webhook_url: str = Field(
        default="",
        description="Public HTTPS URL that reaches /telegram/webhook on this server; "
        "webhook mode when set, long polling otherwise.",
    )
    telegram_webhook_secret: str = Field(
        default="",
        description="Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (webhook mode).",
    )
    binding_code_days: int = Field(
        default=30, description="How long a printed binding code stays valid."
    )
    binding_attempts: int = Field(
        default=5, description="Wrong binding codes a chat may try per binding window."
    )
    binding_window_minutes: int = Field(
        default=15, description="The window over which wrong binding codes are counted."
    )
    visit_interval_days: int = Field(
        default=30, description="A household is due a home visit this many days after the last."
    )
    visit_remind_days_before: int = Field(
        default=3, description="The helper is reminded this many days before a visit is due."
    )
    visit_overdue_report_days: int = Field(
        default=7, description="A visit overdue by this many days is reported to the committee."
    )
    festival_visit_window_days: int = Field(
        default=15, description="A visit up to this many days before a festival counts for it."
    )
    pledge_remind_days_before: int = Field(
        default=3, description="A supporter is reminded this many days before the due day."
    )
    fund_arrears_day: int = Field(
        default=5, description="Day of the month the fund council gets the list of arrears."
    )
    reminder_time: time = Field(
        default=time(9, 0), description="When the daily reminder sweep runs (Asia/Shanghai)."
    )
    reminder_grace_days: int = Field(
        default=2,
        description="A reminder the sweep missed is still sent this many days late, "
        "unless a later one for the same occasion is due.",
    )
    telegram_rate: float = Field(default=30, description="Messages per second per bot.")
    telegram_chat_rate: float = Field(default=1, description="Messages per second per chat.")

    sms_gateway: Literal["console", "smpp", "http"] = Field(
        default="console", description="console (var/sms.log), smpp or http (Aliyun style)."
    )
    sms_tps: float = Field(default=10, description="SMS submitted per second (the gateway's TPS).")
    sms_log: Path = Field(
        default=Path("var/sms.log"), description="Where the console gateway writes each SMS."
    )
    sms_price_yuan: Decimal = Field(
        default=Decimal("0.05"), description="Price of one SMS segment, for cost estimates."
    )
    smpp_host: str = "127.0.0.1"
    smpp_port: int = 2775
    smpp_system_id: str = "xiangxin"
    smpp_password: str = ""
    smpp_source_addr: str = Field(default="10690000", description="Sender number (短信端口号).")
    sms_http_url: str = Field(
        default="https://dysmsapi.aliyuncs.com/",
        description="HTTP SMS provider endpoint (Aliyun 短信服务 style).",
    )
    sms_http_access_key_id: str = ""
    sms_http_access_key_secret: str = ""
    sms_http_sign_name: str = Field(default="乡信", description="短信签名")
    sms_http_template_code: str = Field(
        default="SMS_XIANGXIN_NOTICE", description="Template whose one parameter is ${content}."
    )
    sms_http_callback_token: str | None = Field(
        default=None,
        description="Secret the provider's receipt/reply push URLs carry as ?token=…; "
        "required with the HTTP gateway (it refuses to start without one).",
    )
    quiet_start: time = Field(default=time(21, 0), description="No SMS from (Asia/Shanghai).")
    quiet_end: time = Field(default=time(8, 0), description="…until (Asia/Shanghai).")
    health_down_seconds: float = Field(
        default=120,
        description="/healthz answers 503 once a configured channel (the SMPP link) "
        "has been down this long.",
    )
    outbox_lease_seconds: int = Field(
        default=60,
        description="A claimed message whose worker has not answered for this long "
        "is looked at again.",
    )
    console_session_minutes: int = Field(
        default=480, description="A web console login lasts this long; then log in again."
    )
    login_attempts: int = Field(
        default=5,
        description="Wrong console passwords allowed per account, and per address, "
        "within login_window_minutes; further tries wait for the window to pass.",
    )
    login_window_minutes: int = Field(
        default=15, description="The window over which wrong console passwords are counted."
    )
    console_secure_cookie: bool = Field(
        default=False,
        description="Send the console's login cookie over HTTPS only: set it (true) when "
        "people reach the console through an HTTPS reverse proxy.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of the reverse proxies in front "
        "of the service (e.g. 127.0.0.1); only their X-Forwarded-For is believed, so the "
        "login throttle and audit see each person's own address. Empty: believe none.",
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
