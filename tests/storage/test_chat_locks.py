"""The cross-process chat lock on PostgreSQL: two lock objects stand for two workers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from flows.types import ConversationKey
from storage.chat_locks import AdvisoryChatLocks, lock_id
from storage.sandbox import postgres_base_url
from tests.backends import require_postgresql


@pytest.fixture
async def workers() -> AsyncIterator[list[AdvisoryChatLocks]]:
    await require_postgresql()
    locks = [AdvisoryChatLocks(postgres_base_url()) for _ in range(3)]
    yield locks
    for lock in locks:
        await lock.close()


def chat() -> ConversationKey:
    """A chat no other test (or xdist worker) locks."""
    return ConversationKey("telegram", str(uuid.uuid4().int % 10**12))


async def queued(key: ConversationKey, waiting: int) -> None:
    """Return once ``waiting`` sessions wait in PostgreSQL for ``key``'s lock."""
    async with asyncio.timeout(10):
        while await advisory_locks([key], granted=False) < waiting:
            await asyncio.sleep(0.01)


async def test_a_chat_held_by_one_worker_waits_in_the_other(
    workers: list[AdvisoryChatLocks],
) -> None:
    first, second, _ = workers
    key, entered = chat(), asyncio.Event()

    async def take_second() -> None:
        async with second.hold(key):
            entered.set()

    async with first.hold(key):
        waiting = asyncio.create_task(take_second())
        await queued(key, 1)
        assert not entered.is_set()
    await asyncio.wait_for(waiting, 5)
    assert entered.is_set()


async def test_other_chats_do_not_wait(workers: list[AdvisoryChatLocks]) -> None:
    first, second, _ = workers
    async with first.hold(chat()), asyncio.timeout(5), second.hold(chat()):
        pass


async def test_waiting_workers_take_the_chat_in_the_order_they_asked(
    workers: list[AdvisoryChatLocks],
) -> None:
    first, second, third = workers
    key, order = chat(), []

    async def take(name: str, locks: AdvisoryChatLocks) -> None:
        async with locks.hold(key):
            order.append(name)

    async with first.hold(key):
        behind_second = asyncio.create_task(take("second", second))
        await queued(key, 1)
        behind_third = asyncio.create_task(take("third", third))
        await queued(key, 2)
        assert order == []
    await asyncio.wait_for(asyncio.gather(behind_second, behind_third), 5)
    assert order == ["second", "third"]


async def test_one_worker_takes_many_chats_and_frees_them_all(
    workers: list[AdvisoryChatLocks],
) -> None:
    first, second, _ = workers
    keys = [chat() for _ in range(50)]
    inside, done = asyncio.Semaphore(0), asyncio.Event()

    async def hold(key: ConversationKey) -> None:
        async with first.hold(key):  # all 50 at once: taken in shared batches
            inside.release()
            await done.wait()

    holders = [asyncio.create_task(hold(key)) for key in keys]
    async with asyncio.timeout(5):
        for _ in keys:
            await inside.acquire()
    assert await advisory_locks(keys, granted=True) == len(keys)
    done.set()
    await asyncio.gather(*holders)
    assert await advisory_locks(keys, granted=True) == 0
    async with asyncio.timeout(5), second.hold(keys[0]):
        pass


async def test_a_lost_lock_connection_frees_its_chats(workers: list[AdvisoryChatLocks]) -> None:
    first, second, _ = workers
    key = chat()
    holding = asyncio.Event()
    release = asyncio.Event()

    async def hold_forever() -> None:
        async with first.hold(key):
            holding.set()
            await release.wait()

    holder = asyncio.create_task(hold_forever())
    await holding.wait()
    await first.close()  # the process dies: PostgreSQL ends its session
    async with asyncio.timeout(5), second.hold(key):
        pass
    release.set()
    await asyncio.wait_for(holder, 5)  # its release finds nothing to unlock: no error


async def advisory_locks(keys: list[ConversationKey], *, granted: bool) -> int:
    """How many sessions hold (or wait for) the locks of ``keys``, seen from outside."""
    ids = [lock_id(key) for key in keys]
    engine = create_async_engine(postgres_base_url(), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND objsubid = 1 AND granted = :granted AND (classid::bigint, objid::bigint) "
                    "IN (SELECT * FROM unnest(CAST(:hi AS bigint[]), CAST(:lo AS bigint[])))"
                ),
                {
                    "granted": granted,
                    "hi": [(k >> 32) & 0xFFFFFFFF for k in ids],
                    "lo": [k & 0xFFFFFFFF for k in ids],
                },
            )
            return int(found or 0)
    finally:
        await engine.dispose()
