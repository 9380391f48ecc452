"""Startup failures explained: which setting, what is wrong with it, how to fix it.

A :class:`StartupError` is what ``python -m bot`` prints instead of a traceback:
two lines, exit status 2 (``--debug`` adds the traceback, secrets masked). The
``check_*`` functions run before anything slow is imported or any connection is
made; the ``*_problem`` functions explain what only shows when connecting (the
database here; the Telegram side in :mod:`bot.telegram.preflight`, which builds
its errors from the functions below so that this module never imports aiogram).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import sqlite3
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.redaction import mask

DATABASE_URL = "DATABASE_URL"
DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
DATABASE_EXAMPLES = (
    "sqlite+aiosqlite:///data/bot.db or postgresql+asyncpg://user@host:5432/dbname"
)
TELEGRAM = "api.telegram.org"
SECRET_WORDS = ("token", "secret", "password")  # settings whose values are never echoed


class StartupError(Exception):
    """The bot cannot start as configured: ``setting`` is wrong in the way ``problem``
    says, and ``fix`` says what to do. Never carries a secret (rendering masks anyway)."""

    def __init__(self, setting: str, problem: str, fix: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting
        self.problem = problem
        self.fix = fix

    def lines(self) -> tuple[str, str]:
        """The two lines shown to whoever started the bot."""
        return mask(f"{self.setting}: {self.problem}"), mask(f"Fix: {self.fix}")


def report(error: StartupError, *, debug: bool = False) -> str:
    """What ``python -m bot`` prints for ``error``; with ``debug``, the traceback first."""
    lines = list(error.lines())
    if debug:
        lines.insert(0, traceback_text(error))
    return "\n".join(lines)


def traceback_text(error: BaseException) -> str:
    """``error``'s traceback (with its causes), secrets masked."""
    return mask("".join(traceback.format_exception(error)).rstrip())


# --- settings -------------------------------------------------------------------------


def invalid_setting(error: ValidationError, model: type[BaseModel]) -> StartupError:
    """Explain the first value of ``model`` (the settings) that failed validation."""
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    name = field.upper() or "the configuration"
    info = model.model_fields.get(field)
    bounds = ""
    if info is not None:
        for rule in info.metadata:  # Field(ge=...) constraints, as annotated_types objects
            if (least := getattr(rule, "ge", None)) is not None:
                bounds = f" of at least {least}"
    default = f"; unset it for the default, {info.default}" if info is not None else ""
    value = first.get("input")
    if any(word in field for word in SECRET_WORDS):
        value = "(hidden)"
    if first["type"].startswith("int_"):
        problem = f"{value!r} is not a whole number."
        expected = f"a whole number{bounds}"
    elif first["type"] == "greater_than_equal":
        problem = f"{value} is too small."
        expected = f"a whole number{bounds}"
    else:
        problem = f"{value!r} is not valid ({first['msg'][:1].lower()}{first['msg'][1:]})."
        expected = "a valid value"
    return StartupError(
        name, problem, f"Set {name} to {expected} (in the environment or .env){default}."
    )


# --- the database ----------------------------------------------------------------------


def check_database_url(url: str, setting: str = DATABASE_URL) -> URL:
    """The parsed URL if the bot can use it (SQLite or PostgreSQL, async driver)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # Not echoed: an unparsable URL may still hold a password we cannot find.
        raise StartupError(
            setting, "not a database URL.", f"Set it to a URL like {DATABASE_EXAMPLES}."
        ) from None
    shown = parsed.render_as_string(hide_password=True)
    backend = parsed.get_backend_name()
    backend = "postgresql" if backend == "postgres" else backend  # the Heroku-style alias
    if backend not in DRIVERS:
        raise StartupError(
            setting,
            f"a {backend} database ({shown}); the bot runs on SQLite or PostgreSQL only.",
            f"Set it to a URL like {DATABASE_EXAMPLES}.",
        )
    if parsed.drivername != DRIVERS[backend]:
        driver = (
            f"the {parsed.get_driver_name()} driver" if "+" in parsed.drivername else "no driver"
        )
        suggested = parsed.set(drivername=DRIVERS[backend]).render_as_string(hide_password=True)
        raise StartupError(
            setting,
            f"{shown} names {driver}; the bot needs the async driver {DRIVERS[backend]}.",
            f"Write it as {suggested} (with your password in place of ***)."
            if parsed.password
            else f"Write it as {suggested}.",
        )
    return parsed


def database_problem(
    error: BaseException, url: str, setting: str = DATABASE_URL
) -> StartupError | None:
    """Explain why opening or preparing the database at ``url`` failed, or None
    when ``error`` is not about the configuration (a bug keeps its traceback)."""
    parsed = make_url(url)
    causes = list(_causes(error))
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_problem(causes, parsed, setting)
    return _postgres_problem(causes, parsed, setting)


@contextmanager
def database_errors(url: str, setting: str = DATABASE_URL) -> Iterator[None]:
    """Turn a failure to open or prepare the database at ``url`` into a StartupError."""
    try:
        yield
    except Exception as error:
        problem = database_problem(error, url, setting)
        if problem is None:
            raise
        raise problem from error


def _sqlite_problem(
    causes: list[BaseException], parsed: URL, setting: str
) -> StartupError | None:
    path = (parsed.database or "").removeprefix("file:")
    writable = (
        f"Point {setting} at a file this user can create and write, e.g. "
        "sqlite+aiosqlite:///data/bot.db (relative to the working directory)."
    )
    for cause in causes:
        if isinstance(cause, sqlite3.Error):
            name = cause.sqlite_errorname
            if name.startswith("SQLITE_CANTOPEN"):
                return StartupError(
                    setting, f"cannot open or create the SQLite database {path}.", writable
                )
            if name.startswith(("SQLITE_READONLY", "SQLITE_PERM")):
                return StartupError(
                    setting,
                    f"the SQLite database {path} is read-only.",
                    "Make it and its folder writable by this user (SQLite writes -wal and -shm "
                    f"files beside it), or point {setting} at a writable file.",
                )
            if name.startswith("SQLITE_NOTADB"):
                return StartupError(setting, f"{path} is not a SQLite database.", writable)
            if name.startswith("SQLITE_FULL"):
                return StartupError(
                    setting, f"the disk holding {path} is full.", "Free some space."
                )
            return None
        if isinstance(cause, OSError):  # creating the database's folder failed
            where = cause.filename or path
            in_the_way = isinstance(cause, FileExistsError | NotADirectoryError)
            reason = "a file is in the way" if in_the_way else cause.strerror
            return StartupError(
                setting,
                f"cannot create the folder {where} for the SQLite database {path} ({reason}).",
                writable,
            )
    return None


def _postgres_problem(
    causes: list[BaseException], parsed: URL, setting: str
) -> StartupError | None:
    # Imported here: only PostgreSQL URLs need asyncpg.
    import asyncpg

    server = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    shown = parsed.render_as_string(hide_password=True)
    for cause in causes:
        if isinstance(cause, asyncpg.InvalidCatalogNameError):
            return StartupError(
                setting,
                f"PostgreSQL at {server} has no database {parsed.database!r}.",
                f"Create it (createdb -h {parsed.host or 'localhost'} -p {parsed.port or 5432}"
                f" -U {parsed.username or 'postgres'} {parsed.database}) or name an existing "
                f"database in {setting}.",
            )
        if isinstance(
            cause, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
        ):
            return StartupError(
                setting,
                f"PostgreSQL at {server} refused user {parsed.username!r} ({cause}).",
                f"Correct the user and password in {setting} ({shown}).",
            )
        if isinstance(cause, OSError):  # refused, unreachable, unknown host, timed out
            return StartupError(
                setting,
                f"no PostgreSQL server answers at {server} ({_network_reason(cause)}).",
                f"Start PostgreSQL there, or correct the host and port in {setting} ({shown}).",
            )
    return None


# --- Telegram ---------------------------------------------------------------------------


def check_api_url(url: str | None, setting: str) -> None:
    """A Bot API server URL must be the http(s) base URL of the server."""
    if url is None:
        return
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host, parts = None, None
    fix = (
        f"Set {setting} to your Bot API server's base URL, e.g. http://127.0.0.1:8081, "
        f"or unset it to use {TELEGRAM}."
    )
    if parts is None or parts.scheme not in ("http", "https") or not host:
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
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host, parts = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise StartupError(setting, f"{url!r} is not an https:// URL.", fix)
    if api_url is not None:
        return
    if parts.scheme != "https":
        raise StartupError(setting, f"{url!r}: Telegram only posts to https:// URLs.", fix)
    if not _public(host):
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
    reason = _network_reason(error)
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
                   port_setting: str) -> StartupError | None:
    """Explain why the webhook server could not listen on ``host:port``, or None."""
    if error.errno == errno.EADDRINUSE:
        return StartupError(
            port_setting,
            f"port {port} on {host} is already in use by another program.",
            "Stop that program (ss -ltnp shows it) or choose a free port with WEBHOOK_PORT "
            "or --port.",
        )
    if isinstance(error, socket.gaierror) or error.errno in (errno.EADDRNOTAVAIL, errno.EACCES):
        return StartupError(
            f"{host_setting} / {port_setting}",
            f"cannot listen on {host}:{port} ({error.strerror}).",
            f"Use an address of this machine for {host_setting} (e.g. 127.0.0.1 or 0.0.0.0) "
            "and a port of 1024 or above.",
        )
    return None


# --- helpers ----------------------------------------------------------------------------


def _causes(error: BaseException) -> Iterator[BaseException]:
    """``error``, then what it wraps: SQLAlchemy's ``orig``, ``__cause__``, ``__context__``."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # public on SQLAlchemy's DBAPIError
        for wrapped in (orig, current.__cause__, current.__context__):
            if isinstance(wrapped, BaseException):
                pending.append(wrapped)


def _network_reason(error: BaseException) -> str:
    """A few words on why a connection failed, from the most telling cause."""
    causes = list(_causes(error))
    for kind, reason in (
        (ConnectionRefusedError, "connection refused"),
        (socket.gaierror, "unknown host"),
        (TimeoutError, "timed out"),
    ):
        if any(isinstance(cause, kind) for cause in causes):
            return reason
    for cause in causes:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
    return str(error) or type(error).__name__


def _public(host: str) -> bool:
    """Whether Telegram's servers could reach ``host`` (a name, or a global address)."""
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return True  # a DNS name: assume it resolves publicly
