"""Engines for SQLite (aiosqlite, the default) and PostgreSQL (asyncpg), tuned per backend.

Two engines per database: one for writes, used only by the shared writer
(``storage.writer``), and one for reads outside any write, in autocommit (a read
never holds a transaction open). Both are plain SQLAlchemy engines on the drivers
as shipped; only their settings differ by backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

DEFAULT_URL = "sqlite+aiosqlite:///data/bot.db"
SQLITE_READERS = 2  # connections (each with its aiosqlite thread) for reads


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """The write engine for ``url``; ``kwargs`` go to SQLAlchemy.

    SQLite: WAL (readers never block the writer), foreign keys on, and every
    transaction starts with ``BEGIN IMMEDIATE`` so that a writer in another process
    queues on the busy timeout instead of failing with SQLITE_BUSY when it upgrades
    its read lock to a write lock. The parent directory of the file is created.
    """
    if make_url(url).get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # Take the write lock up front; a deferred BEGIN would fail instead of waiting.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    options: dict[str, Any] = {"pool_pre_ping": False}
    if "poolclass" not in kwargs:
        # Bounded: a burst of reads queues for a connection instead of exhausting
        # the server's max_connections.
        options.update(pool_size=10, max_overflow=10)
    options.update(kwargs)
    return create_async_engine(url, **options)


def make_reader_engine(url: str, writes: AsyncEngine) -> AsyncEngine:
    """The engine for reads outside any write: autocommit, so no read holds a transaction.

    PostgreSQL shares the write engine's pool; SQLite gets its own small pool (the
    write engine's ``BEGIN IMMEDIATE`` would make every read take the write lock).
    """
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(
            url,
            pool_size=SQLITE_READERS,
            max_overflow=0,
            isolation_level="AUTOCOMMIT",
            pool_reset_on_return=None,  # nothing to reset: no read opens a transaction
        )
    return writes.execution_options(isolation_level="AUTOCOMMIT")


def _sqlite_engine(url: str, **kwargs: Any) -> AsyncEngine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver: the write engine emits its own.
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

    return engine
