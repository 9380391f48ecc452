"""The one owner of every transaction: turns, linking, the demo data, the command line.

A :class:`Database` is opened once per process for one URL. Everything that
writes goes through its shared writer (``storage.writer``): a block of work with
sole use of the write connection inside a savepoint, committed together with the
writes that arrived at the same time. Reads outside a write go to autocommit
connections. Repositories never open transactions; they take the
:class:`~sqlalchemy.ext.asyncio.AsyncConnection` they are given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.database import make_engine, make_reader_engine
from storage.writer import SharedWriter


class Database:
    """Transactions and reads on one database; ``dispose()`` when done."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self.engine: AsyncEngine = make_engine(url, **engine_options)
        self.readers: AsyncEngine = make_reader_engine(url, self.engine)
        self.writer = SharedWriter(self.engine)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A block of writes (and the reads they depend on), atomic and durable.

        Commits when the block exits cleanly (returning once the COMMIT is done),
        rolls back the block's own changes if it raises.
        """
        async with self.writer.unit() as connection:
            yield connection

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads of committed data, outside any write."""
        async with self.readers.connect() as connection:
            yield connection

    async def dispose(self) -> None:
        """Commit what is pending and close every connection."""
        await self.writer.close()
        await self.engine.dispose()
        if self.readers.sync_engine.pool is not self.engine.sync_engine.pool:
            await self.readers.dispose()
