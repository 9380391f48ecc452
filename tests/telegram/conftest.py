"""Fixtures: a test Bot API server per test, and the live bot over it.

``live`` runs every e2e test in polling and in webhook mode on SQLite;
``live_any_db`` adds PostgreSQL (the ``db`` fixture's backends) for the core flows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.charts import render_usage_chart
from flows.engine import Engine
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from testkit.telegram.harness import TelegramHarness
from tests.telegram.stack import LiveBot, Mode


@pytest.fixture
async def botapi() -> AsyncIterator[BotApiServer]:
    # Per test: starting it takes a few milliseconds, and each test gets clean chats.
    async with BotApiServer(token="123456:TEST-TOKEN") as server:
        yield server


@pytest.fixture(params=["polling", "webhook"])
def mode(request: pytest.FixtureRequest) -> Mode:
    value: Mode = request.param
    return value


@pytest.fixture
async def live(
    botapi: BotApiServer, sqlite_db: FreshDatabase, mode: Mode
) -> AsyncIterator[LiveBot]:
    bot = await LiveBot(botapi, sqlite_db, mode).start()
    try:
        yield bot
    finally:
        await bot.stop()


@pytest.fixture
async def live_any_db(
    botapi: BotApiServer, db: FreshDatabase, mode: Mode
) -> AsyncIterator[LiveBot]:
    bot = await LiveBot(botapi, db, mode).start()
    try:
        yield bot
    finally:
        await bot.stop()


@pytest.fixture
async def hooked(botapi: BotApiServer, sqlite_db: FreshDatabase) -> AsyncIterator[LiveBot]:
    """The live bot in webhook mode only (tests of the webhook endpoint itself)."""
    bot = await LiveBot(botapi, sqlite_db, "webhook").start()
    try:
        yield bot
    finally:
        await bot.stop()


@pytest.fixture
async def harness(sqlite_db: FreshDatabase) -> AsyncIterator[TelegramHarness]:
    """The real dispatcher in process (no HTTP), drawing usage charts."""
    engine = Engine(sqlite_db.stores, charts={"telegram": render_usage_chart})
    harness = TelegramHarness(engine, sqlite_db.database)
    yield harness
    await harness.close()
