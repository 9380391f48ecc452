"""Conversation records: insert, update, and concurrent writers detected."""

from __future__ import annotations

import pytest

from flows.types import ConversationKey, ConversationRecord
from storage.errors import ConcurrentUpdate
from storage.sandbox import FreshDatabase

KEY = ConversationKey("telegram", "555")


async def test_round_trip_and_versions(db: FreshDatabase) -> None:
    async with db.stores.transaction() as store:
        assert await store.load_conversation(KEY) is None
        record = ConversationRecord(
            key=KEY, flow="edit", state="typing", data={"field": "name", "n": [1, 2]}
        )
        record.expires_at, record.updated_at, record.menu_token = 1700000600.5, 1700000000.25, "t1"
        await store.save_conversation(record)
    assert record.version == 1  # saved (and counted) when the turn ended
    async with db.stores.transaction() as store:
        loaded = await store.load_conversation(KEY)
        assert loaded == record
        assert loaded is not None
        loaded.state = "review"
        await store.save_conversation(loaded)
    assert loaded.version == 2
    async with db.stores.transaction() as store:
        again = await store.load_conversation(KEY)
        assert again is not None and (again.state, again.version) == ("review", 2)


async def test_stale_version_raises_and_keeps_the_winner(db: FreshDatabase) -> None:
    async with db.stores.transaction() as store:
        await store.save_conversation(ConversationRecord(key=KEY, flow="edit", state="a"))
    async with db.stores.transaction() as store:
        first = await store.load_conversation(KEY)
    async with db.stores.transaction() as store:
        second = await store.load_conversation(KEY)
    assert first is not None and second is not None
    first.state = "b"
    async with db.stores.transaction() as store:
        await store.save_conversation(first)
    second.state = "c"
    with pytest.raises(ConcurrentUpdate):
        async with db.stores.transaction() as store:
            await store.save_conversation(second)
    assert second.version == 1  # untouched on failure
    async with db.stores.transaction() as store:
        stored = await store.load_conversation(KEY)
    assert stored is not None and (stored.state, stored.version) == ("b", 2)


async def test_two_first_saves_conflict(db: FreshDatabase) -> None:
    async with db.stores.transaction() as store:
        await store.save_conversation(ConversationRecord(key=KEY, state="first"))
    with pytest.raises(ConcurrentUpdate):
        async with db.stores.transaction() as store:
            await store.save_conversation(ConversationRecord(key=KEY, state="second"))
    async with db.stores.transaction() as store:
        stored = await store.load_conversation(KEY)
    assert stored is not None and stored.state == "first"


async def test_transaction_rolls_back_on_error(db: FreshDatabase) -> None:
    with pytest.raises(RuntimeError):
        async with db.stores.transaction() as store:
            await store.save_conversation(ConversationRecord(key=KEY, state="lost"))
            raise RuntimeError("boom")
    async with db.stores.transaction() as store:
        assert await store.load_conversation(KEY) is None
