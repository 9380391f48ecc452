"""Configuration from environment variables and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot import redaction
from bot.startup.settings import invalid_setting

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/bot.db"

LogFormat = Annotated[Literal["text", "json"], BeforeValidator(lambda v: str(v).strip().lower())]


class Settings(BaseSettings):
    """Every knob the bot reads; names match the environment variables (case-insensitive)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    bot_token: str | None = None
    bot_api_url: str | None = None
    flow_timeout_seconds: int = Field(default=600, ge=10)
    close_confirm_seconds: int = Field(default=180, ge=10)
    link_code_ttl_seconds: int = Field(default=900, ge=60)
    # Wrong link codes tolerated per LINK_LOCKOUT_SECONDS, per chat and over all chats.
    link_attempts_per_chat: int = Field(default=5, ge=1)
    link_attempts_total: int = Field(default=100, ge=1)
    link_lockout_seconds: int = Field(default=900, ge=60)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8080
    flood_limit_per_minute: int = Field(default=60, ge=1)
    # The cross-process chat lock (bot.chat_isolation): auto = postgres on PostgreSQL,
    # process on SQLite.
    chat_lock: Literal["auto", "postgres", "redis", "process"] = "auto"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Updates one worker holds at once (running or waiting for their chat); past it the
    # webhook answers 503 + Retry-After and polling answers "busy".
    max_in_flight: int = Field(default=256, ge=1)
    # Webhook worker processes when --workers is not given (the name uvicorn, gunicorn
    # and PaaS platforms use for the same knob); polling ignores it.
    web_concurrency: int = Field(default=1, ge=1)
    # On SIGTERM or SIGINT: how long updates in progress get to finish (replies sent)
    # before what is left is cancelled and logged.
    shutdown_grace_seconds: int = Field(default=25, ge=1)
    support_contact: str = "support@platform.example or +1 555 0100 (Mon–Fri 8:00–18:00 UTC)"
    # The Telegram forum supergroup where agents answer handed-over customers, one topic
    # per ticket; unset: tickets are answered with ``python -m bot support``.
    support_chat_id: int | None = None
    # Operations (bot.ops): log lines as text or JSON; in polling mode /healthz, /readyz
    # and /metrics are served on OPS_HOST:OPS_PORT (0: not served). A webhook serves them
    # on its own port.
    log_format: LogFormat = "text"
    ops_host: str = "127.0.0.1"
    ops_port: int = Field(default=9464, ge=0, le=65535)
    # The web chat (bot.web): where `python -m bot web` listens, the address people open
    # (sign-in links are printed with it; https there makes the cookie Secure), and how
    # long a sign-in lasts.
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    web_public_url: str | None = None
    web_session_seconds: int = Field(default=12 * 3600, ge=60)
    # Bearer token of POST /usage (bot.usage.http); unset or empty: the endpoint is off.
    usage_api_token: str | None = None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once.

    A bad value raises a StartupError naming the variable; the secrets among the
    settings are masked in everything printed or logged from then on.
    """
    try:
        settings = Settings()
    except ValidationError as error:
        raise invalid_setting(error, Settings) from error
    redaction.remember(
        settings.bot_token, settings.webhook_secret, settings.usage_api_token,
        redaction.url_password(settings.database_url),
        redaction.url_password(settings.redis_url),
    )
    from bot.ops.logs import use_format  # here: the command line's log lines follow LOG_FORMAT

    use_format(settings.log_format)
    return settings
