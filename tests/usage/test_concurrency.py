"""Exactly once on PostgreSQL: recordings from separate connections, all at once."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage import models as m
from storage.sandbox import FreshDatabase
from storage.unit_of_work import Database
from storage.usage import UsageRequest
from storage.usage_service import record
from tests.storage.helpers import NOW
from tests.usage.helpers import ACME, OWNER_AND_ADMIN_CHATS, link_acme_chats, outbox

WRITERS = 20


async def test_twenty_writers_crossing_a_threshold_at_once_alert_once(
    postgres_db: FreshDatabase,
) -> None:
    await link_acme_chats(postgres_db)
    # Each its own Database: its own write connection and transaction, as worker processes.
    writers = [Database(postgres_db.url) for _ in range(WRITERS)]
    try:
        results = await asyncio.gather(*(
            record(writer, UsageRequest(ACME, "bot_sessions", 100, f"at-once-{n}"), NOW)
            for n, writer in enumerate(writers)
        ))
    finally:
        await asyncio.gather(*(writer.dispose() for writer in writers))
    assert sorted(r.used for r in results) == [100 * n for n in range(1, WRITERS + 1)]
    # 2,000 sessions are included: the 16th event reaches 80 %, the 20th 100 %.
    assert sorted(r.alert for r in results if r.alert) == [80, 100]
    async with postgres_db.database.reading() as connection:
        rows = await connection.scalar(select(func.count()).select_from(m.UsageAlert))
    assert rows == 2
    assert len(await outbox(postgres_db)) == 2 * len(OWNER_AND_ADMIN_CHATS)


async def test_the_same_event_posted_at_once_counts_once(postgres_db: FreshDatabase) -> None:
    writers = [Database(postgres_db.url) for _ in range(8)]
    try:
        results = await asyncio.gather(*(
            record(writer, UsageRequest(ACME, "conversations", 7, "one-event"), NOW)
            for writer in writers
        ))
    finally:
        await asyncio.gather(*(writer.dispose() for writer in writers))
    assert {r.event_id for r in results} == {results[0].event_id}
    assert [r.replayed for r in results].count(False) == 1
    assert {r.used for r in results} == {7}
