"""aiosqlite's interface, executed on the event loop's own thread.

aiosqlite runs every call on a worker thread and wakes the loop for each result;
on this machine that thread hop costs far more than the SQLite call itself (an
indexed read or a small WAL commit takes tens of microseconds). Calling SQLite
inline removes the hops. It is safe because the engine gives this driver a pool
of exactly one connection: transactions queue asynchronously for it, so no call
can ever block the loop waiting for a lock held by another transaction of ours.
A lock held by *another process* still waits up to ``busy_timeout``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import Callable
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine


class _RunNow:
    """Stands in for aiosqlite's queue to its worker thread: runs the job at once.

    SQLAlchemy's adapter puts some jobs on that queue directly (setting the
    isolation level), so the queue has to exist and resolve their futures.
    """

    def put_nowait(self, job: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = job
        try:
            result = function()
        except BaseException as error:
            if future is not None and not future.done():
                future.set_exception(error)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An ``aiosqlite.Connection`` whose calls run synchronously, without a thread."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self._tx = _RunNow()  # type: ignore[assignment]

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The sqlite3 connection itself, for statements that skip every layer."""
        return self._conn

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Any:
        # No worker thread to start, unlike aiosqlite.
        return self._connect().__await__()

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def connect(database: str, **kwargs: Any) -> InlineConnection:
    """Like ``aiosqlite.connect``; SQLAlchemy calls it through ``async_creator_fn``."""
    kwargs["check_same_thread"] = False  # SQLAlchemy may dispose from another thread
    return InlineConnection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size=64)


_inline_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def mark_inline(engine: AsyncEngine) -> None:
    """Remember that ``engine`` connects through this driver (storage.database does)."""
    _inline_engines.add(engine.sync_engine)


def is_inline_sqlite(engine: AsyncEngine) -> bool:
    """True when ``engine`` connects through this driver."""
    return engine.sync_engine in _inline_engines
