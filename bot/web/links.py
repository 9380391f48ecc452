"""Where the web chat is, and its sign-in links: ``http://HOST:PORT/chat?code=CODE``."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from bot.config import Settings
from storage.identities import issue_link_code
from storage.unit_of_work import Database

ANY_ADDRESS = ("0.0.0.0", "::", "")  # listening everywhere: this machine is "localhost"


def chat_url(settings: Settings, *, host: str | None = None, port: int | None = None) -> str:
    """The chat page's address: ``WEB_PUBLIC_URL``, else the address it listens on."""
    if settings.web_public_url:
        return settings.web_public_url.rstrip("/") + "/chat"
    host = host if host is not None else settings.web_host
    port = port if port is not None else settings.web_port
    shown = "localhost" if host in ANY_ADDRESS else (f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}/chat"


def sign_in_link(chat: str, code: str) -> str:
    """The one-time link that signs its opener in as the code's user."""
    return f"{chat}?code={quote(code, safe='')}"


async def issue_sign_in_link(database: Database, email: str, chat: str, ttl_seconds: int) -> str:
    """A fresh one-time sign-in link to the chat page at ``chat`` for the user with
    ``email``, valid ``ttl_seconds`` (a link code, as Telegram's). Raises ``UnknownUser``."""
    async with database.transaction() as connection:
        code = await issue_link_code(connection, email, datetime.now(UTC), ttl_seconds)
    return sign_in_link(chat, code)
