"""Engines and sessions for SQLite (aiosqlite, the default) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import inline_sqlite

DEFAULT_URL = "sqlite+aiosqlite:///data/bot.db"


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url``, tuned per backend; ``kwargs`` go to SQLAlchemy.

    SQLite: WAL (readers never block the writer), foreign keys on, and every
    transaction starts with ``BEGIN IMMEDIATE`` so that two writers queue on the
    busy timeout instead of one failing with SQLITE_BUSY when it upgrades its
    read lock to a write lock. The parent directory of the file is created.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    options: dict[str, Any] = {"pool_pre_ping": False}
    if "poolclass" not in kwargs:
        # Bounded: a burst of updates queues for a connection instead of exhausting
        # the server's max_connections.
        options.update(pool_size=10, max_overflow=10)
    options.update(kwargs)
    return create_async_engine(url, **options)


def _sqlite_engine(url: str, **kwargs: Any) -> AsyncEngine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {}
    if "poolclass" not in kwargs:
        # One connection, used inline on the loop (see storage.inline_sqlite): SQLite
        # has one writer anyway, and transactions queue for it without blocking.
        # A caller choosing its own pool gets plain (threaded) aiosqlite instead.
        options = {
            "connect_args": {"async_creator_fn": inline_sqlite.connect},
            "pool_size": 1,
            "max_overflow": 0,
            "pool_timeout": 60,
        }
    options.update(kwargs)
    engine = create_async_engine(url, **options)
    if "connect_args" in options:
        inline_sqlite.mark_inline(engine)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver: we emit our own (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "busy_timeout=5000",
            "synchronous=FULL",  # a reply leaves only after an fsync
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Take the write lock up front; a deferred BEGIN would fail instead of waiting.
        driver = conn.connection.driver_connection
        if isinstance(driver, inline_sqlite.InlineConnection):
            driver.sqlite.execute("BEGIN IMMEDIATE")  # inline: skip SQLAlchemy's layers
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values readable after commit (no implicit refresh)."""
    return async_sessionmaker(engine, expire_on_commit=False)
