"""Shared fixtures: ``db`` is a fresh demo database on each backend.

PostgreSQL is skipped when unreachable, except under CI (env ``CI`` set), where an
unreachable server is a failure: a silently skipped backend is an untested backend.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator

import pytest

from storage.sandbox import FreshDatabase, fresh_demo_database
from tests.backends import require_postgresql

pytest_plugins = ["pytester"]  # tests/scripts run pytest on conversation files in process


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is imported and collected by now lives as long as the run: out of the garbage
    collector's way (as ``bot.gc_tuning`` does for the bot), so neither its own full
    collections nor the tests' ``gc.collect()`` walk those objects again and again."""
    gc.collect()
    gc.freeze()


@pytest.fixture(params=["sqlite", "postgresql"], ids=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest) -> AsyncIterator[FreshDatabase]:
    """A private database with the demo data: ``.url``, ``.database`` (transactions and reads),
    ``.stores`` (a ``SqlStoreFactory``)."""
    kind = request.param
    if kind == "postgresql":
        await require_postgresql()
    database = await fresh_demo_database(kind)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def postgres_db() -> AsyncIterator[FreshDatabase]:
    """A private PostgreSQL demo database (tests of what only PostgreSQL serves)."""
    await require_postgresql()
    database = await fresh_demo_database("postgresql")
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def sqlite_db() -> AsyncIterator[FreshDatabase]:
    """A private SQLite demo database (what needs one backend, or a file for a process)."""
    database = await fresh_demo_database("sqlite")
    try:
        yield database
    finally:
        await database.dispose()
