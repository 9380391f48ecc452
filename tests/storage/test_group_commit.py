"""Group commit on SQLite: shared COMMITs, isolated failures, nothing left hanging."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text

from flows.types import ConversationKey, ConversationRecord
from storage import models as m
from storage.group_commit import GroupCommitter
from storage.inline_sqlite import InlineConnection
from storage.sandbox import FreshDatabase, fresh_demo_database


@pytest.fixture
async def sqlite_db() -> AsyncIterator[FreshDatabase]:
    database = await fresh_demo_database("sqlite")
    try:
        yield database
    finally:
        await database.dispose()


async def conversations(db: FreshDatabase) -> int:
    async with db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(m.Conversation)) or 0)


def count_commits(db: FreshDatabase, driver: InlineConnection) -> list[str]:
    seen: list[str] = []
    driver.sqlite.set_trace_callback(
        lambda sql: seen.append(sql) if sql.strip().upper() == "COMMIT" else None
    )
    return seen


async def save(db: FreshDatabase, chat: str, fail: bool = False) -> None:
    async with db.stores.transaction() as store:
        await store.save_conversation(ConversationRecord(key=ConversationKey("gc", chat)))
        if fail:
            raise RuntimeError("this update fails after writing")


async def test_concurrent_updates_share_commits_and_all_land(sqlite_db: FreshDatabase) -> None:
    async with sqlite_db.engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
    assert isinstance(driver, InlineConnection)
    commits = count_commits(sqlite_db, driver)
    await asyncio.gather(*(save(sqlite_db, str(n)) for n in range(40)))
    assert await conversations(sqlite_db) == 40
    assert 1 <= len(commits) < 40  # grouped, yet committed


async def test_a_failing_update_rolls_back_only_itself(sqlite_db: FreshDatabase) -> None:
    results = await asyncio.gather(
        save(sqlite_db, "a"),
        save(sqlite_db, "b", fail=True),
        save(sqlite_db, "c"),
        return_exceptions=True,
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], RuntimeError)
    async with sqlite_db.sessionmaker() as session:
        chats = set((await session.scalars(select(m.Conversation.chat_id))).all())
    assert chats == {"a", "c"}


async def test_a_failed_commit_fails_every_update_in_it(sqlite_db: FreshDatabase) -> None:
    committer = GroupCommitter(sqlite_db.engine)

    async def write(user_id: int) -> None:
        async with committer.unit() as connection:
            # Deferred: the broken foreign key is only noticed by the shared COMMIT.
            await connection.execute(text("PRAGMA defer_foreign_keys = ON"))
            await connection.execute(
                text(
                    "INSERT INTO chat_identities (channel, external_id, user_id, created_at)"
                    " VALUES ('gc', :chat, :user, '2026-01-01 00:00:00')"
                ),
                {"chat": f"chat-{user_id}", "user": user_id},
            )

    results = await asyncio.gather(write(1), write(99_999), return_exceptions=True)
    assert all(isinstance(r, Exception) for r in results), results
    async with sqlite_db.sessionmaker() as session:
        linked = await session.scalar(
            select(func.count()).select_from(m.ChatIdentity).where(m.ChatIdentity.channel == "gc")
        )
    assert linked == 0


async def test_a_waiter_cancelled_in_the_queue_does_not_strand_the_batch(
    sqlite_db: FreshDatabase,
) -> None:
    committer = GroupCommitter(sqlite_db.engine)
    inside = asyncio.Event()
    leave = asyncio.Event()

    async def first() -> None:
        async with committer.unit() as connection:
            await connection.execute(
                text("UPDATE accounts SET name = 'Renamed' WHERE name = 'Globex Retail'")
            )
            inside.set()
            await leave.wait()

    async def second() -> None:
        async with committer.unit():
            pass

    one = asyncio.create_task(first())
    await inside.wait()
    two = asyncio.create_task(second())
    await asyncio.sleep(0)  # two is now queued: first will leave the commit to it
    leave.set()
    await asyncio.sleep(0)
    two.cancel()
    await asyncio.wait_for(one, timeout=5)  # committed by the flush, not stuck
    assert two.cancelled() or two.done()
    async with sqlite_db.sessionmaker() as session:
        renamed = await session.scalar(select(m.Account.id).where(m.Account.name == "Renamed"))
    assert renamed is not None
