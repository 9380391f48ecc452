"""Several bot processes on one PostgreSQL database, handling the same chat at once.

Each "process" here is an :class:`Engine` with its own connection pool, so the
in-process chat lock does not order them: only the database does. A turn that
loses the race on the conversation record is run again on the fresh record, so
the user reads what happened ("already closed", the current menu), never the
generic apology.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func, select

from flows.engine import SORRY, Engine
from flows.settings import EngineSettings
from flows.types import ConversationKey, ConversationRecord, Inbound
from storage.models import AuditEntry
from storage.sandbox import FreshDatabase, fresh_demo_database
from storage.store import SqlStore, SqlStoreFactory
from storage.unit_of_work import Database
from tests.backends import require_postgresql
from tests.flows.talk import Talk, account_named


class Process:
    """One bot process: an engine over a database (writer and pools) of its own."""

    def __init__(self, url: str, stores: Any = None) -> None:
        self.database = Database(url)
        self.stores = stores or SqlStoreFactory(self.database)
        self.engine = Engine(self.stores, EngineSettings())

    async def close(self) -> None:
        await self.database.dispose()


@asynccontextmanager
async def processes(db: FreshDatabase, count: int) -> AsyncIterator[list[Process]]:
    started = [Process(db.url) for _ in range(count)]
    try:
        yield started
    finally:
        for process in started:
            await process.close()


async def at_final_step(talk: Talk) -> str:
    await talk.say("close my account")
    await talk.press("Continue")
    await talk.say("Acme Trading Ltd")
    return talk.token("permanently")


async def closures(db: FreshDatabase) -> int:
    async with db.database.reading() as connection:
        count = await connection.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "account.closed")
        )
    return int(count or 0)


async def test_a_triple_press_on_three_processes_closes_once_without_an_error() -> None:
    await require_postgresql()
    for _ in range(4):  # a race: a few rounds, each on fresh demo data
        async with await fresh_demo_database("postgresql") as db, processes(db, 3) as procs:
            owner = await Talk.open(procs[0].engine, db, "owner@acme.example")
            button = await at_final_step(owner)
            press = Inbound.pressed(owner.key, button)
            results = await asyncio.gather(*(p.engine.handle(press) for p in procs))
            texts = [" ".join(reply.text for reply in replies) for replies in results]
            assert not any(SORRY in text for text in texts), texts
            assert sum("is now closed" in text for text in texts) == 1, texts
            assert sum("was closed on" in text for text in texts) == 2, texts
            assert await closures(db) == 1
            assert (await account_named(db, "Acme Trading Ltd")).status == "closed"


async def test_a_double_save_on_two_processes_saves_once_without_an_error() -> None:
    await require_postgresql()
    for _ in range(4):
        async with await fresh_demo_database("postgresql") as db, processes(db, 2) as procs:
            admin = await Talk.open(procs[0].engine, db, "admin@acme.example")
            await admin.say("change my email")
            await admin.say("new@acme.example")
            press = Inbound.pressed(admin.key, admin.token("Save"))
            results = await asyncio.gather(*(p.engine.handle(press) for p in procs))
            texts = [" ".join(reply.text for reply in replies) for replies in results]
            assert not any(SORRY in text for text in texts), texts
            assert sum("✅ Saved" in text for text in texts) == 1, texts
            account = await account_named(db, "Acme Trading Ltd")
            assert account.contact_email == "new@acme.example"


class Meanwhile:
    """The real store factory, except that the first turn, right after loading the
    conversation, lets another process handle the same chat to the end. That makes
    the version conflict certain instead of a matter of timing."""

    def __init__(self, inner: SqlStoreFactory, other: Callable[[], Awaitable[object]]) -> None:
        self.inner = inner
        self.other: Callable[[], Awaitable[object]] | None = other

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        async with self.inner.transaction() as store:
            yield _Interrupted(store, self)


class _Interrupted:
    def __init__(self, store: SqlStore, meanwhile: Meanwhile) -> None:
        self._store = store
        self._meanwhile = meanwhile

    async def load_conversation(self, key: ConversationKey) -> ConversationRecord | None:
        record = await self._store.load_conversation(key)
        other, self._meanwhile.other = self._meanwhile.other, None
        if other is not None:
            await other()
        return record

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


async def lose_the_race(db: FreshDatabase, winner: Process, press: Inbound) -> str:
    """What the user reads from a process whose turn the winner overtook mid-way."""
    loser_db = Database(db.url)
    try:
        stores = Meanwhile(SqlStoreFactory(loser_db), lambda: winner.engine.handle(press))
        loser = Engine(stores, EngineSettings())  # type: ignore[arg-type]
        replies = await loser.handle(press)
    finally:
        await loser_db.dispose()
    return " ".join(reply.text for reply in replies)


async def test_a_close_that_loses_the_race_runs_again_and_says_already_closed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    await require_postgresql()
    async with await fresh_demo_database("postgresql") as db, processes(db, 1) as (winner,):
        owner = await Talk.open(winner.engine, db, "owner@acme.example")
        press = Inbound.pressed(owner.key, await at_final_step(owner))
        with caplog.at_level(logging.INFO, logger="flows.engine"):
            text = await lose_the_race(db, winner, press)
        assert "was closed on" in text and "cannot be reopened" in text, text
        assert SORRY not in text
        assert any("changed meanwhile" in r.getMessage() for r in caplog.records)
        assert await closures(db) == 1


async def test_a_save_that_loses_the_race_runs_again_and_shows_where_things_are(
    caplog: pytest.LogCaptureFixture,
) -> None:
    await require_postgresql()
    async with await fresh_demo_database("postgresql") as db, processes(db, 1) as (winner,):
        admin = await Talk.open(winner.engine, db, "admin@acme.example")
        await admin.say("change my email")
        await admin.say("new@acme.example")
        press = Inbound.pressed(admin.key, admin.token("Save"))
        with caplog.at_level(logging.INFO, logger="flows.engine"):
            text = await lose_the_race(db, winner, press)
        # The winner saved and ended the flow, so this press is of a menu now gone.
        assert "That menu has expired, so I did not act on it" in text, text
        assert SORRY not in text
        assert any("changed meanwhile" in r.getMessage() for r in caplog.records)
        account = await account_named(db, "Acme Trading Ltd")
        assert account.contact_email == "new@acme.example"
