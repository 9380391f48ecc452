"""Two workers on one PostgreSQL database, each update of a chat to either of them.

Two dispatchers, engines and lock clients in this process stand for two worker
processes (each has its own pools, as a process would): with the cross-process
chat lock (PostgreSQL's advisory locks, or aiogram's RedisEventIsolation) their turns
of one chat never overlap, so none has to be run again after a version conflict, and
every message is answered once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re

import pytest

from bot.chat_isolation import open_chat_isolation
from bot.telegram.chat import CHANNEL
from flows.engine import Engine
from storage.identities import ensure_identity
from storage.sandbox import FreshDatabase
from storage.store import SqlStoreFactory
from storage.unit_of_work import Database
from testkit.telegram.emulator import FakeTelegram
from testkit.telegram.harness import TelegramHarness

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
CHATS = 20
PER_CHAT = 6
ECHO = re.compile(r"didn't understand “(zz-\d+-\d+)”")


async def require_redis() -> None:
    """Skip when Redis is unreachable (fail under CI, like PostgreSQL)."""
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        await asyncio.wait_for(client.ping(), 5)
    except Exception as error:
        message = f"Redis unreachable at {REDIS_URL} ({type(error).__name__}: {error})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    finally:
        await client.aclose()


@pytest.mark.parametrize("chat_lock", ["postgres", "redis"])
async def test_two_workers_take_turns_on_a_chat(
    postgres_db: FreshDatabase, caplog: pytest.LogCaptureFixture, chat_lock: str
) -> None:
    if chat_lock == "redis":
        await require_redis()
    telegram = FakeTelegram()
    databases = [Database(postgres_db.url) for _ in range(2)]
    locks = [open_chat_isolation(chat_lock, postgres_db.url, REDIS_URL) for _ in range(2)]
    workers = [
        TelegramHarness(Engine(SqlStoreFactory(database)), database, telegram=telegram,
                        isolation=lock)
        for database, lock in zip(databases, locks, strict=True)
    ]
    chat_ids = [7_100_000 + n for n in range(CHATS)]
    async with postgres_db.database.transaction() as connection:
        for chat_id in chat_ids:
            await ensure_identity(connection, CHANNEL, str(chat_id), "viewer@acme.example")
    try:
        with caplog.at_level(logging.INFO, logger="flows.engine"):
            # Every message at once, each chat's alternating between the two workers.
            await asyncio.gather(*(
                workers[n % 2].feed(telegram.send_text(chat_id, f"zz-{chat_id}-{n}"))
                for n in range(PER_CHAT)
                for chat_id in chat_ids
            ))
    finally:
        for lock in locks:
            assert lock is not None
            await lock.close()
        for database in databases:
            await database.dispose()
    assert not [worker.errors for worker in workers if worker.errors]
    assert not [r for r in caplog.records if "changed meanwhile" in r.getMessage()]
    for chat_id in chat_ids:
        answered = sorted(
            match.group(1)
            for message in telegram.chat_for_bot(chat_id).messages.values()
            if message.from_bot and (match := ECHO.search(message.text or ""))
        )
        assert answered == sorted(f"zz-{chat_id}-{n}" for n in range(PER_CHAT))
