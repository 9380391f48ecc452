"""Group commit for SQLite: updates that arrive together share one durable COMMIT.

SQLite has one writer, and a durable commit (``synchronous=FULL``) costs an
fsync, which is most of an update's time. So consecutive updates run one after
another inside one outer transaction, each in its own SAVEPOINT (a failing
update rolls back only itself), and the transaction is committed as soon as no
further update is waiting, or after ``max_batch`` updates. No update returns
before the COMMIT that contains it has succeeded: every reply still leaves only
after its state change is on disk. A failed COMMIT fails every update in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.inline_sqlite import InlineConnection

log = logging.getLogger(__name__)


class GroupCommitter:
    """Hands out savepoints inside a shared transaction and commits it in groups."""

    def __init__(self, engine: AsyncEngine, max_batch: int = 100) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._turn = asyncio.Lock()  # one update at a time on the connection
        self._waiting = 0  # updates queued for their turn
        self._connection: AsyncConnection | None = None
        self._pending: list[asyncio.Future[None]] = []
        self._savepoints = 0
        self._flushing: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncConnection]:
        """One update's share of the transaction; returns once it is committed."""
        committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting += 1
        try:
            await self._turn.acquire()
        except BaseException:  # cancelled while queued: whoever skipped committing for us
            self._waiting -= 1
            self._flush_soon()
            raise
        self._waiting -= 1
        try:
            connection = await self._open()
            name = self._savepoint()
            sqlite = _sqlite(connection)
            sqlite.execute(f"SAVEPOINT {name}")
            try:
                yield connection
            except BaseException:
                sqlite.execute(f"ROLLBACK TO {name}")
                sqlite.execute(f"RELEASE {name}")
                committed.cancel()
                raise
            sqlite.execute(f"RELEASE {name}")
            self._pending.append(committed)
        finally:
            try:
                # SQLite runs inline, so updates that arrived meanwhile have not had a
                # chance to queue up yet: let them, then see whether anyone waits.
                await asyncio.sleep(0)
                if self._waiting == 0 or len(self._pending) >= self._max_batch:
                    await self._commit()  # also ends an empty transaction: frees the lock
            finally:
                self._turn.release()
        await committed  # raises if the COMMIT containing this update failed

    def _flush_soon(self) -> None:
        if self._connection is not None and self._waiting == 0 and self._flushing is None:
            self._flushing = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        try:
            async with self._turn:
                if self._waiting == 0:
                    await self._commit()
        finally:
            self._flushing = None

    async def _open(self) -> AsyncConnection:
        if self._connection is None:
            connection = await self._engine.connect()
            try:
                await connection.begin()  # BEGIN IMMEDIATE (see storage.database)
            except BaseException:
                await connection.close()
                raise
            self._connection = connection
        return self._connection

    def _savepoint(self) -> str:
        self._savepoints += 1
        return f"update_{self._savepoints}"

    async def _commit(self) -> None:
        connection, pending = self._connection, self._pending
        self._connection, self._pending = None, []
        if connection is None:
            return
        try:
            await connection.commit()
        except Exception as error:
            log.exception("group commit of %d updates failed", len(pending))
            with contextlib.suppress(Exception):
                await connection.rollback()
            for future in pending:
                if not future.done():
                    future.set_exception(error)
            return
        finally:
            await connection.close()
        for future in pending:
            if not future.done():
                future.set_result(None)


def _sqlite(connection: AsyncConnection) -> sqlite3.Connection:
    assert connection.sync_connection is not None
    driver = connection.sync_connection.connection.driver_connection
    assert isinstance(driver, InlineConnection), "group commit needs the inline SQLite driver"
    return driver.sqlite
