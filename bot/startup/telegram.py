"""The Telegram settings (``BOT_TOKEN``, ``BOT_API_URL``, the webhook) explained.

No aiogram here: :mod:`bot.telegram.preflight` turns aiogram's errors into these.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from bot.startup.error import StartupError, network_reason

TELEGRAM = "api.telegram.org"


def check_api_url(url: str | None, setting: str) -> None:
    """A Bot API server URL must be the http(s) base URL of the server."""
    if url is None:
        return
    parts = _http_url(url)
    fix = (
        f"Set {setting} to your Bot API server's base URL, e.g. http://127.0.0.1:8081, "
        f"or unset it to use {TELEGRAM}."
    )
    if parts is None:
        raise StartupError(setting, f"{url!r} is not an http:// or https:// URL.", fix)
    if parts.path.startswith("/bot"):
        raise StartupError(
            setting, "must be the server's base URL only (the bot adds /bot… itself).", fix
        )


def check_webhook_url(url: str | None, setting: str, api_url: str | None) -> None:
    """Where Telegram posts updates: with real Telegram, a public https URL is required;
    a local or self-hosted Bot API server (``api_url``) may use the loopback default."""
    fix = (
        "Set WEBHOOK_URL (or --webhook-url) to the public https:// URL that reaches this "
        "server, e.g. https://bot.example.com/telegram/webhook."
    )
    if url is None:
        if api_url is None:
            raise StartupError(
                "WEBHOOK_URL (or --webhook-url)",
                f"not set, and {TELEGRAM} cannot post updates to this machine's "
                "loopback address.",
                fix,
            )
        return
    parts = _http_url(url)
    if parts is None:
        raise StartupError(setting, f"{url!r} is not an https:// URL.", fix)
    if api_url is not None:
        return
    if parts.scheme != "https":
        raise StartupError(setting, f"{url!r}: Telegram only posts to https:// URLs.", fix)
    if not _public(parts.hostname or ""):
        raise StartupError(setting, f"{url!r} is not reachable from the internet.", fix)


def missing_token() -> StartupError:
    return StartupError(
        "BOT_TOKEN",
        "not set.",
        "Get a token from @BotFather and put BOT_TOKEN=<token> in the environment or .env.",
    )


def malformed_token() -> StartupError:
    """BOT_TOKEN is not shaped like a token (aiogram's own check said so)."""
    return StartupError(
        "BOT_TOKEN",
        "not a bot token (one looks like 123456789:AAH…: digits, a colon, ~35 characters).",
        "Copy the token @BotFather gave you (send it /token to see it again) into BOT_TOKEN, "
        "without spaces or quotes.",
    )


def token_refused(api_url: str | None, answer: str) -> StartupError:
    """The Bot API server does not know the token."""
    return StartupError(
        "BOT_TOKEN",
        f"refused by {api_url or TELEGRAM} ({answer}): it is wrong or was revoked.",
        "Copy the current token from @BotFather (/token; /revoke makes a new one) into "
        "BOT_TOKEN" + ("." if api_url is None else ", or check that BOT_API_URL is right."),
    )


def api_unreachable(api_url: str | None, setting: str, error: BaseException) -> StartupError:
    """No Bot API server answers where ``api_url`` (or Telegram's default) points."""
    reason = network_reason(error)
    if api_url is None:
        return StartupError(
            f"{setting} (unset)",
            f"{TELEGRAM} cannot be reached from this machine ({reason}).",
            f"Check this machine's internet access, or set {setting} to a Bot API server "
            "it can reach.",
        )
    return StartupError(
        setting,
        f"nothing answers at {api_url} ({reason}).",
        f"Start the Bot API server there, or correct {setting}; unset it to use {TELEGRAM}.",
    )


def not_a_bot_api(api_url: str, setting: str, answer: str) -> StartupError:
    """Something answers at ``api_url``, but not like a Bot API server."""
    return StartupError(
        setting,
        f"{api_url} did not answer like a Bot API server ({answer}).",
        f"Set {setting} to your Bot API server's base URL, or unset it to use {TELEGRAM}.",
    )


def listen_problem(error: OSError, host: str, port: int, *, host_setting: str,
                   port_setting: str, port_choice: str = "WEBHOOK_PORT or --port",
                   ) -> StartupError | None:
    """Explain why the server (webhook, web chat) could not listen on ``host:port``, or None;
    ``port_choice`` says where a free port is given."""
    if error.errno == errno.EADDRINUSE:
        return StartupError(
            port_setting,
            f"port {port} on {host} is already in use by another program.",
            f"Stop that program (ss -ltnp shows it) or choose a free port with {port_choice}.",
        )
    if isinstance(error, socket.gaierror) or error.errno in (errno.EADDRNOTAVAIL, errno.EACCES):
        return StartupError(
            f"{host_setting} / {port_setting}",
            f"cannot listen on {host}:{port} ({error.strerror}).",
            f"Use an address of this machine for {host_setting} (e.g. 127.0.0.1 or 0.0.0.0) "
            "and a port of 1024 or above.",
        )
    return None


def _public(host: str) -> bool:
    """Whether Telegram's servers could reach ``host`` (a name, or a global address)."""
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return True  # a DNS name: assume it resolves publicly


def _http_url(url: str) -> SplitResult | None:
    """``url`` split, when it is an http(s) URL with a host; else None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    return parts if parts.scheme in ("http", "https") and host else None


def another_poller() -> StartupError:
    """Telegram ended our getUpdates: another process polls with the same token."""
    return StartupError(
        "BOT_TOKEN",
        "another process is already receiving this bot's updates "
        "(Telegram answered 409 Conflict).",
        "Stop the other instance, or run one webhook service with --webhook --workers N.",
    )


def webhook_while_polling() -> StartupError:
    """A webhook was set for the bot (by another process) while this one polls."""
    return StartupError(
        "BOT_TOKEN",
        "a webhook was set for this bot while this process was polling "
        "(Telegram answered 409 Conflict).",
        "Run either the webhook service or polling, not both: stop the webhook service, "
        "or run this one with --webhook.",
    )
