"""One chat at a time across processes: PostgreSQL advisory locks, taken in batches.

Within a process the Telegram channel's ``ChatOrderMiddleware`` already runs one
chat's updates one at a time, in arrival order. Several worker processes (or
machines) on one database need the same across processes: an update of a chat
must wait while another process handles one of that chat.

:class:`AdvisoryChatLocks` gives each process one connection that holds the
session-level advisory locks of the chats it is handling. Taking and releasing
go through a :class:`~storage.batching.Batcher`: the updates that start or end
together share one statement (``pg_try_advisory_lock`` / ``pg_advisory_unlock``
over an array), so a busy worker pays a few round trips per hundred updates,
not two per update. A lock held by another process is then waited for with a
blocking ``pg_advisory_lock`` on a connection of its own, which PostgreSQL
grants in the order the processes asked for it.

If a lock connection is lost, PostgreSQL releases its locks with it; the chat's
next update takes a fresh connection. Order across processes is then not
guaranteed for the updates in progress at that moment, but correctness is: every
turn still saves its record only at the version it loaded, and closing re-checks
the account inside its transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Literal

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from flows.types import ConversationKey
from storage.batching import Batcher

log = logging.getLogger(__name__)

Op = Literal["take", "release"]

# Unlocks first, then attempts: Append runs its branches in order.
_STEP = text(
    "SELECT k, pg_advisory_unlock(k) AS ok, false AS took "
    "FROM unnest(CAST(:release AS bigint[])) AS k "
    "UNION ALL "
    "SELECT k, pg_try_advisory_lock(k) AS ok, true AS took "
    "FROM unnest(CAST(:take AS bigint[])) AS k"
).bindparams(bindparam("release", type_=ARRAY(BIGINT)), bindparam("take", type_=ARRAY(BIGINT)))
_WAIT = text("SELECT pg_advisory_lock(:k)")
_UNLOCK = text("SELECT pg_advisory_unlock(:k)")


def lock_id(key: ConversationKey) -> int:
    """A signed 64-bit advisory-lock key for a conversation (a hash: a collision only
    makes two chats wait for each other)."""
    digest = hashlib.blake2b(f"{key.channel}:{key.chat_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class AdvisoryChatLocks:
    """Per-chat locks shared by every process on one PostgreSQL database.

    ``hold(key)`` is an async context manager; a process must not hold the same key
    twice at once (the Telegram channel's in-process lock sees to that).
    """

    def __init__(self, url: str, *, waiters: int = 20, wait_seconds: int = 30) -> None:
        # An engine of its own: waiting for a lock must not take connections that
        # turns need. Its connections are kept (a new one costs more than the wait),
        # never reset (autocommit: nothing to roll back), and a wait longer than
        # ``wait_seconds`` fails the update instead of hanging it.
        self._engine: AsyncEngine = create_async_engine(
            url,
            pool_size=waiters + 1,
            max_overflow=0,
            pool_timeout=wait_seconds,
            pool_reset_on_return=None,
            isolation_level="AUTOCOMMIT",
            connect_args={"server_settings": {"lock_timeout": f"{wait_seconds}s"}},
        )
        self._holder: AsyncConnection | None = None
        self._connecting = asyncio.Lock()
        self._steps: Batcher[tuple[Op, int], bool, None] = Batcher(self._step, max_size=500)

    @asynccontextmanager
    async def hold(self, key: ConversationKey) -> AsyncIterator[None]:
        """Hold ``key``'s lock for the block, waiting while another process holds it."""
        k = lock_id(key)
        if await self._steps.submit(("take", k), None):
            try:
                yield
            finally:
                if not await self._steps.submit(("release", k), None):
                    log.warning("the lock of %s was lost with its connection", key)
            return
        async with self._engine.connect() as waiting:  # contended: rare, so unbatched
            await waiting.execute(_WAIT, {"k": k})
            try:
                yield
            finally:
                await waiting.execute(_UNLOCK, {"k": k})

    async def close(self) -> None:
        """Release every lock (by closing the holding connection) and the pool."""
        if self._holder is not None:
            await self._holder.close()
            self._holder = None
        await self._engine.dispose()

    async def _step(
        self, batch: Sequence[tuple[tuple[Op, int], None]]
    ) -> dict[tuple[Op, int], bool]:
        release = [k for (op, k), _ in batch if op == "release"]
        take = [k for (op, k), _ in batch if op == "take"]
        holder = await self._connection()
        try:
            rows = (await holder.execute(_STEP, {"release": release, "take": take})).all()
        except Exception:
            # The connection may be gone, and its locks with it: start afresh next time.
            self._holder = None
            with suppress(Exception):
                await holder.invalidate()
                await holder.close()
            raise
        return {("take" if row.took else "release", row.k): bool(row.ok) for row in rows}

    async def _connection(self) -> AsyncConnection:
        async with self._connecting:
            if self._holder is None:
                self._holder = await self._engine.connect()
            return self._holder
