"""The shared writer, on both backends: shared COMMITs, isolated failures, batched saves."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event, func, select, text, update

from flows.ports import ConcurrentUpdate
from flows.types import ConversationKey, ConversationRecord
from storage import models as m
from storage.sandbox import FreshDatabase


async def conversations(db: FreshDatabase) -> set[str]:
    async with db.database.reading() as connection:
        rows = await connection.execute(
            select(m.Conversation.chat_id).where(m.Conversation.channel == "gc")
        )
        return {chat for (chat,) in rows}


def count_commits(db: FreshDatabase) -> list[int]:
    seen: list[int] = []

    @event.listens_for(db.database.engine.sync_engine, "commit")
    def _committed(_connection: Any) -> None:
        seen.append(1)

    return seen


async def save(db: FreshDatabase, chat: str, fail: bool = False) -> None:
    async with db.stores.transaction() as store:
        await store.save_conversation(ConversationRecord(key=ConversationKey("gc", chat)))
        if fail:
            raise RuntimeError("this update fails after writing")


async def test_concurrent_saves_share_statements_and_commits_and_all_land(
    db: FreshDatabase,
) -> None:
    commits = count_commits(db)
    await asyncio.gather(*(save(db, str(n)) for n in range(40)))
    assert await conversations(db) == {str(n) for n in range(40)}
    assert 1 <= len(commits) < 40  # grouped, yet committed


async def test_a_stale_save_loses_and_the_others_in_its_batch_land(db: FreshDatabase) -> None:
    await save(db, "stale")
    fresh = ConversationRecord(key=ConversationKey("gc", "stale"), version=1, flow="edit")
    stale = ConversationRecord(key=ConversationKey("gc", "stale"), version=0)

    async def store(record: ConversationRecord) -> None:
        async with db.stores.transaction() as turn:
            await turn.save_conversation(record)

    results = await asyncio.gather(
        store(fresh), store(stale), save(db, "other"), return_exceptions=True
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], ConcurrentUpdate)
    assert fresh.version == 2 and stale.version == 0
    async with db.stores.transaction() as turn:
        loaded = await turn.load_conversation(ConversationKey("gc", "stale"))
    assert loaded is not None and loaded.version == 2 and loaded.flow == "edit"


async def test_a_failing_unit_rolls_back_only_itself(db: FreshDatabase) -> None:
    async def rename(old: str, new: str, fail: bool = False) -> None:
        async with db.database.transaction() as connection:
            await connection.execute(
                update(m.Account).where(m.Account.name == old).values(name=new)
            )
            if fail:
                raise RuntimeError("this unit fails after writing")

    results = await asyncio.gather(
        rename("Acme Trading Ltd", "Acme 2"),
        rename("Globex Retail", "Globex 2", fail=True),
        save(db, "c"),
        return_exceptions=True,
    )
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], RuntimeError)
    async with db.database.reading() as connection:
        names = set((await connection.scalars(select(m.Account.name))).all())
    assert "Acme 2" in names and "Globex Retail" in names and "Globex 2" not in names
    assert await conversations(db) == {"c"}


async def test_a_failed_commit_fails_every_write_in_it(db: FreshDatabase) -> None:
    """A foreign key checked only at COMMIT breaks the shared commit: nothing of it lands."""

    async def link(user_id: int) -> None:
        async with db.database.transaction() as connection:
            if db.kind == "sqlite":
                await connection.execute(text("PRAGMA defer_foreign_keys = ON"))
            else:
                await connection.execute(text("SET CONSTRAINTS ALL DEFERRED"))
            await connection.execute(
                text(
                    "INSERT INTO chat_identities (channel, external_id, user_id, created_at)"
                    " VALUES ('gc', :chat, :user, '2026-01-01 00:00:00+00')"
                ),
                {"chat": f"chat-{user_id}", "user": user_id},
            )

    results = await asyncio.gather(link(1), link(99_999), return_exceptions=True)
    if db.kind == "postgresql" and not all(isinstance(r, Exception) for r in results):
        # PostgreSQL checks a non-deferrable key at once: the bad unit fails alone.
        assert results[0] is None and isinstance(results[1], Exception)
        return
    assert all(isinstance(r, Exception) for r in results), results
    async with db.database.reading() as connection:
        linked = await connection.scalar(
            select(func.count()).select_from(m.ChatIdentity).where(m.ChatIdentity.channel == "gc")
        )
    assert linked == 0


async def test_a_waiter_cancelled_in_the_queue_does_not_strand_the_group(
    db: FreshDatabase,
) -> None:
    inside = asyncio.Event()
    leave = asyncio.Event()

    async def first() -> None:
        async with db.database.transaction() as connection:
            await connection.execute(
                update(m.Account).where(m.Account.name == "Globex Retail").values(name="Renamed")
            )
            inside.set()
            await leave.wait()

    async def second() -> None:
        async with db.database.transaction():
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
    async with db.database.reading() as connection:
        renamed = await connection.scalar(select(m.Account.id).where(m.Account.name == "Renamed"))
    assert renamed is not None
