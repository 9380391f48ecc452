"""The one writer: every write runs on one connection, and writes that arrive together
share one COMMIT.

A durable commit costs an fsync (SQLite ``synchronous=FULL``, PostgreSQL's WAL
flush), which is most of a small update's time. So writes run one after another
inside one open transaction, which is committed as soon as no further write is
waiting, or after ``max_group`` writes. Nothing returns before the COMMIT that
contains it has succeeded, so a reply still leaves only after its state change is
durable. A failed COMMIT fails every write in it.

Two kinds of write share the transaction:

- :meth:`SharedWriter.statement` runs one statement (one statement is atomic on
  its own, so it needs no savepoint): the batched conversation saves.
- :meth:`SharedWriter.unit` gives a block sole use of the connection inside a
  SAVEPOINT, so a block that fails rolls back only itself: a turn that closes an
  account or saves details, linking a chat, the command line, the demo data.

On SQLite, the one writer is also the only way to write without ``SQLITE_BUSY``:
the file has one write lock, and this transaction holds it (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

T = TypeVar("T")

log = logging.getLogger(__name__)


class SharedWriter:
    """Hands out the write connection one block at a time and commits in groups."""

    def __init__(self, engine: AsyncEngine, max_group: int = 100) -> None:
        self._engine = engine
        self._max_group = max_group
        self._lock = asyncio.Lock()  # one block at a time on the connection
        self._waiting = 0  # blocks queued for the connection
        self._connection: AsyncConnection | None = None  # while a transaction is open
        self._idle: AsyncConnection | None = None  # kept between transactions
        self._pending: list[asyncio.Future[None]] = []  # done blocks awaiting the COMMIT
        self._flushing: asyncio.Task[None] | None = None

    async def statement(self, job: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run ``job`` (a single statement) in the shared transaction; return once committed."""
        async with self.unit(savepoint=False) as connection:
            result = await job(connection)
        return result

    @contextlib.asynccontextmanager
    async def unit(self, *, savepoint: bool = True) -> AsyncIterator[AsyncConnection]:
        """Sole use of the connection for the block; returns once the block is committed.

        With ``savepoint`` (the default) the block runs in a SAVEPOINT: if it raises,
        its own changes are rolled back and the others' stay. Without it the block
        must be a single statement.
        """
        committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting += 1
        try:
            await self._lock.acquire()
        except BaseException:  # cancelled while queued: whoever skipped committing for us
            self._waiting -= 1
            self._flush_soon()
            raise
        self._waiting -= 1
        try:
            connection = await self._open()
            if savepoint:
                nested = await connection.begin_nested()
                try:
                    yield connection
                except BaseException:
                    await nested.rollback()
                    committed.cancel()
                    raise
                await nested.commit()
            else:
                try:
                    yield connection
                except BaseException as error:
                    # A failed statement leaves a PostgreSQL transaction unusable: undo
                    # the whole group, whose writes then fail (nothing was committed).
                    committed.cancel()
                    await self._abort(error)
                    raise
            self._pending.append(committed)
        finally:
            try:
                # Let writes that arrived meanwhile queue up, then see whether anyone waits.
                await asyncio.sleep(0)
                if self._waiting == 0 or len(self._pending) >= self._max_group:
                    await self._commit()
            finally:
                self._lock.release()
        await committed  # raises if the COMMIT containing this block failed

    async def close(self) -> None:
        """Commit what is pending (blocks still running finish first), then disconnect."""
        async with self._lock:
            await self._commit()
            if self._idle is not None:
                await self._idle.close()
                self._idle = None

    def _flush_soon(self) -> None:
        if self._connection is not None and self._waiting == 0 and self._flushing is None:
            self._flushing = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        try:
            async with self._lock:
                if self._waiting == 0:
                    await self._commit()
        finally:
            self._flushing = None

    async def _open(self) -> AsyncConnection:
        if self._connection is None:
            kept, self._idle = self._idle, None
            if kept is not None:
                try:
                    await kept.begin()  # BEGIN IMMEDIATE on SQLite (see storage.database)
                    self._connection = kept
                    return kept
                except Exception:  # e.g. the server dropped an idle connection
                    log.warning("the idle write connection failed; opening a new one")
                    with contextlib.suppress(Exception):
                        await kept.close()
            connection = await self._engine.connect()
            try:
                await connection.begin()
            except BaseException:
                await connection.close()
                raise
            self._connection = connection
        return self._connection

    async def _abort(self, error: BaseException) -> None:
        connection, pending = self._connection, self._pending
        self._connection, self._pending = None, []
        if connection is None:
            return
        log.error("a write failed; rolling back the %d writes grouped with it", len(pending))
        await self._discard(connection)
        failure = error if isinstance(error, Exception) else RuntimeError("a grouped write stopped")
        for future in pending:
            if not future.done():
                future.set_exception(failure)

    async def _commit(self) -> None:
        connection, pending = self._connection, self._pending
        self._connection, self._pending = None, []
        if connection is None:
            return
        try:
            await connection.commit()
        except Exception as error:
            log.exception("group commit of %d writes failed", len(pending))
            await self._discard(connection)
            for future in pending:
                if not future.done():
                    future.set_exception(error)
            return
        self._idle = connection  # the next group begins on it: no pool round trip
        for future in pending:
            if not future.done():
                future.set_result(None)

    @staticmethod
    async def _discard(connection: AsyncConnection) -> None:
        """Roll back and close a connection whose transaction failed; a fresh one follows."""
        try:
            with contextlib.suppress(Exception):
                await connection.rollback()
        finally:
            with contextlib.suppress(Exception):
                await connection.close()
