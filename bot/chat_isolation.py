"""Which lock keeps one chat's updates in order across worker processes.

In one process the Telegram channel's in-process lock is enough. Several workers
(``--workers N``, or several machines on one database) also need a lock every
process sees. Two are built in, chosen with ``CHAT_LOCK``:

- ``postgres`` (the default on PostgreSQL): advisory locks on the bot's own
  database, taken in batches (``storage.chat_locks``); nothing else to run.
- ``redis``: aiogram's ``RedisEventIsolation`` on ``REDIS_URL``.
- ``process``: the in-process lock alone (the default on SQLite, which is one
  process's database).

``benchmarks/throughput.py --chat-lock`` measures them side by side.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from flows.types import ConversationKey


class ChatIsolation(Protocol):
    """A lock per conversation that every worker process shares."""

    def hold(self, key: ConversationKey) -> AbstractAsyncContextManager[None]:
        """Hold ``key`` for the block; wait while another process holds it."""

    async def close(self) -> None:
        """Release what is held and close connections."""


class RedisChatIsolation:
    """aiogram's :class:`RedisEventIsolation` (a Redis lock per chat, 60 s lease)."""

    def __init__(self, url: str) -> None:
        # Imported here: redis is needed only by those who choose it.
        from aiogram.fsm.storage.base import DefaultKeyBuilder
        from aiogram.fsm.storage.redis import RedisEventIsolation

        self._isolation = RedisEventIsolation.from_url(
            url, key_builder=DefaultKeyBuilder(prefix="account-bot", with_destiny=True)
        )

    @asynccontextmanager
    async def hold(self, key: ConversationKey) -> AsyncIterator[None]:
        from aiogram.fsm.storage.base import StorageKey

        from storage.chat_locks import lock_id  # the same stable name in every process

        chat = lock_id(key)
        async with self._isolation.lock(
            StorageKey(bot_id=0, chat_id=chat, user_id=chat, destiny=key.channel)
        ):
            yield

    async def close(self) -> None:
        await self._isolation.redis.aclose()


def open_chat_isolation(choice: str, database_url: str, redis_url: str) -> ChatIsolation | None:
    """The cross-process lock ``choice`` names (``auto`` picks by database); None for
    ``process``."""
    from storage.chat_locks import AdvisoryChatLocks  # SQLAlchemy: only when serving

    postgres = database_url.startswith("postgresql")
    if choice == "auto":
        choice = "postgres" if postgres else "process"
    if choice == "postgres":
        if not postgres:
            raise ValueError("advisory locks need DATABASE_URL on PostgreSQL, not SQLite")
        return AdvisoryChatLocks(database_url)
    if choice == "redis":
        return RedisChatIsolation(redis_url)
    return None
