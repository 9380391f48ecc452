"""The outbox on both backends: queued with a transaction, claimed once, settled."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from flows.ports import Notice
from flows.tokens import standing
from flows.types import Choice, ConversationKey
from storage import models as m
from storage.outbox import LEASE, claim, enqueue, has_due, settle
from storage.sandbox import FreshDatabase, fresh_demo_database
from tests.storage.helpers import NOW

ALICE = ConversationKey("telegram", "101")
BOB = ConversationKey("telegram", "202")
SEE_USAGE = Choice("📊 See usage", standing("start.package"))


async def queue(db: FreshDatabase, *notices: Notice) -> None:
    async with db.database.transaction() as connection:
        await enqueue(connection, notices, NOW)


async def test_a_notice_comes_back_as_it_was_queued(db: FreshDatabase) -> None:
    notice = Notice(ALICE, "Chatbot sessions reached 80 %", (SEE_USAGE,), thread_id=7)
    await queue(db, notice)
    async with db.database.transaction() as connection:
        claimed = await claim(connection, "telegram", NOW)
    assert [item.notice for item in claimed] == [notice]
    assert claimed[0].attempts == 1


async def test_a_notice_rolled_back_with_its_transaction_is_never_sent(db: FreshDatabase) -> None:
    with pytest.raises(RuntimeError):
        async with db.database.transaction() as connection:
            await enqueue(connection, [Notice(ALICE, "never")], NOW)
            raise RuntimeError("the usage event was refused")
    async with db.database.reading() as connection:
        assert not await has_due(connection, "telegram", NOW)


async def test_claims_are_leased_oldest_first_and_per_channel(db: FreshDatabase) -> None:
    await queue(db, Notice(ALICE, "one"), Notice(BOB, "two"),
                Notice(ConversationKey("terminal", "x"), "elsewhere"), Notice(ALICE, "three"))
    async with db.database.transaction() as connection:
        first = await claim(connection, "telegram", NOW, limit=2)
        second = await claim(connection, "telegram", NOW)
    assert [item.notice.text for item in first] == ["one", "two"]
    assert [item.notice.text for item in second] == ["three"]  # the others are held
    async with db.database.transaction() as connection:
        assert await claim(connection, "telegram", NOW + LEASE / 2) == []
        # A worker that died mid-send: its notices are claimed again after the lease.
        again = await claim(connection, "telegram", NOW + LEASE + timedelta(seconds=1))
    assert [(item.notice.text, item.attempts) for item in again] == [
        ("one", 2), ("two", 2), ("three", 2)]


async def test_one_chats_notices_can_be_claimed_alone(db: FreshDatabase) -> None:
    await queue(db, Notice(ALICE, "for alice"), Notice(BOB, "for bob"))
    async with db.database.reading() as connection:
        assert await has_due(connection, "telegram", NOW, chat_id=BOB.chat_id)
    async with db.database.transaction() as connection:
        claimed = await claim(connection, "telegram", NOW, chat_id=BOB.chat_id)
    assert [item.notice.text for item in claimed] == ["for bob"]


async def test_settled_notices_are_done(db: FreshDatabase) -> None:
    await queue(db, Notice(ALICE, "delivered"), Notice(BOB, "blocked"))
    async with db.database.transaction() as connection:
        delivered, blocked = await claim(connection, "telegram", NOW)
        await settle(connection, delivered=[delivered.id], given_up=[blocked.id], now=NOW)
    later = NOW + LEASE * 10
    async with db.database.reading() as connection:
        assert not await has_due(connection, "telegram", later)
        rows = (await connection.execute(
            select(m.OutboxMessage.text, m.OutboxMessage.delivered_at, m.OutboxMessage.gave_up_at)
            .order_by(m.OutboxMessage.id))).all()
    assert [(text, sent is not None, gone is not None) for text, sent, gone in rows] == [
        ("delivered", True, False), ("blocked", False, True)]


async def test_workers_sharing_postgresql_never_claim_the_same_notice() -> None:
    first = await fresh_demo_database("postgresql")
    # A second process's Database on the same database: its own writer connection.
    from storage.unit_of_work import Database

    second = Database(first.url)
    try:
        await queue(first, *(Notice(ConversationKey("telegram", str(n)), f"n{n}")
                             for n in range(200)))

        async def drain(database: Database) -> list[int]:
            got: list[int] = []
            while True:
                async with database.transaction() as connection:
                    batch = await claim(connection, "telegram", NOW, limit=7)
                if not batch:
                    return got
                got += [item.id for item in batch]

        one, two = await asyncio.gather(drain(first.database), drain(second))
        assert len(one) + len(two) == 200
        assert len(set(one) | set(two)) == 200  # none twice
        assert one and two  # both took part
    finally:
        await second.dispose()
        await first.dispose()


async def test_unlinking_a_chat_drops_what_was_queued_for_it(db: FreshDatabase) -> None:
    from flows.engine import Engine
    from flows.ports import TurnStore
    from flows.types import Inbound
    from storage.identities import LINKING, ensure_identity

    key = ConversationKey("terminal", "owner@acme.example")
    async with db.database.transaction() as connection:
        await ensure_identity(connection, key.channel, key.chat_id, key.chat_id)
    await queue(db, Notice(key, "an alert queued just before /logout"), Notice(BOB, "kept"))

    async def logout(store: TurnStore) -> bool:
        assert await store.get(LINKING).unlink(key.channel, key.chat_id)
        return False

    await Engine(db.stores).handle(Inbound.typed(key, "/logout"), before=logout)
    async with db.database.reading() as connection:
        assert not await has_due(connection, key.channel, NOW, chat_id=key.chat_id)
        assert await has_due(connection, "telegram", NOW, chat_id=BOB.chat_id)
