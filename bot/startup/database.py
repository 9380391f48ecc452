"""``DATABASE_URL``: checked before connecting, and failures to connect explained."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.startup.error import StartupError, causes_of, network_reason

DATABASE_URL = "DATABASE_URL"
DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
DATABASE_EXAMPLES = (
    "sqlite+aiosqlite:///data/bot.db or postgresql+asyncpg://user@host:5432/dbname"
)


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
    causes = list(causes_of(error))
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
                f"no PostgreSQL server answers at {server} ({network_reason(cause)}).",
                f"Start PostgreSQL there, or correct the host and port in {setting} ({shown}).",
            )
    return None
