"""Delivering the outbox: in order per chat, failures retried, the unreachable given up."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.delivery import DeliveryLoop, Undeliverable, deliver_pending
from flows.ports import Notice
from flows.types import ConversationKey
from storage import models as m
from storage.outbox import MAX_ATTEMPTS, enqueue
from storage.sandbox import FreshDatabase

ALICE = ConversationKey("telegram", "101")
BOB = ConversationKey("telegram", "202")


async def queue(db: FreshDatabase, *notices: Notice) -> None:
    async with db.database.transaction() as connection:
        await enqueue(connection, notices, datetime.now(UTC))


async def states(db: FreshDatabase) -> dict[str, tuple[int, bool, bool]]:
    """Each notice's text: (attempts, delivered, given up)."""
    async with db.database.reading() as connection:
        rows = (await connection.execute(select(
            m.OutboxMessage.text, m.OutboxMessage.attempts,
            m.OutboxMessage.delivered_at, m.OutboxMessage.gave_up_at))).all()
    return {text: (tries, sent is not None, gone is not None)
            for text, tries, sent, gone in rows}


async def test_each_chat_gets_its_notices_once_and_in_order(db: FreshDatabase) -> None:
    await queue(db, Notice(ALICE, "a1"), Notice(BOB, "b1"), Notice(ALICE, "a2"),
                Notice(ALICE, "a3"))
    sent: list[Notice] = []

    async def send(notice: Notice) -> None:
        sent.append(notice)

    delivered = await deliver_pending(db.database, "telegram", send)
    assert [n.text for n in delivered] == ["a1", "b1", "a2", "a3"]
    assert [n.text for n in sent if n.to == ALICE] == ["a1", "a2", "a3"]
    assert await deliver_pending(db.database, "telegram", send) == []  # nothing twice
    assert len(sent) == 4


async def test_a_failed_send_holds_the_rest_of_that_chat_only(db: FreshDatabase) -> None:
    await queue(db, Notice(ALICE, "a1"), Notice(ALICE, "a2"), Notice(BOB, "b1"))

    async def send(notice: Notice) -> None:
        if notice.text == "a1":
            raise ConnectionError("Telegram is away")

    delivered = await deliver_pending(db.database, "telegram", send)
    assert [n.text for n in delivered] == ["b1"]
    # a1 failed and a2 waits behind it (order within a chat), both for the lease.
    assert await states(db) == {"a1": (1, False, False), "a2": (1, False, False),
                                "b1": (1, True, False)}


async def test_an_unreachable_chat_is_given_up_at_once(db: FreshDatabase) -> None:
    await queue(db, Notice(ALICE, "a1"), Notice(ALICE, "a2"))

    async def send(notice: Notice) -> None:
        raise Undeliverable("Forbidden: bot was blocked by the user")

    assert await deliver_pending(db.database, "telegram", send) == []
    assert await states(db) == {"a1": (1, False, True), "a2": (1, False, True)}


async def test_a_notice_that_keeps_failing_is_given_up(db: FreshDatabase) -> None:
    await queue(db, Notice(ALICE, "flaky"))
    async with db.database.transaction() as connection:  # as if tried and leased before
        await connection.execute(m.OutboxMessage.__table__.update().values(
            attempts=MAX_ATTEMPTS - 1))

    async def send(notice: Notice) -> None:
        raise ConnectionError("still away")

    await deliver_pending(db.database, "telegram", send)
    assert await states(db) == {"flaky": (MAX_ATTEMPTS, False, True)}


async def test_the_loop_delivers_what_is_queued_while_it_runs(db: FreshDatabase) -> None:
    import asyncio

    arrived = asyncio.Queue[Notice]()

    async def send(notice: Notice) -> None:
        await arrived.put(notice)

    loop = DeliveryLoop(db.database, "telegram", send, interval=30)
    loop.start()
    try:
        await queue(db, Notice(ALICE, "hello"))
        loop.wake()  # without it the next look is 30 s away
        async with asyncio.timeout(10):
            assert (await arrived.get()).text == "hello"
    finally:
        await loop.stop()
