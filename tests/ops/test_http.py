"""``/healthz``, ``/readyz`` and ``/metrics``, served for real over HTTP on real databases."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.ops.http import Readiness, add_ops_routes, start_ops_server
from bot.ops.readiness import latest_schema
from bot.startup.error import StartupError
from storage.migrate import alembic_config
from storage.sandbox import FreshDatabase
from storage.unit_of_work import Database

LATEST = max(latest_schema())
OLDER = "0001"


class Served:
    """The ops endpoints of one database on a free local port."""

    def __init__(self, runner: web.AppRunner) -> None:
        self.runner = runner
        host, port = runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"

    async def get(self, path: str) -> tuple[int, str, str]:
        async with ClientSession() as http, http.get(self.base + path) as response:
            return response.status, await response.text(), response.content_type


async def serve(database: Database) -> AsyncIterator[Served]:
    runner = await start_ops_server(database, "127.0.0.1", 0)
    try:
        yield Served(runner)
    finally:
        await runner.cleanup()


@pytest.fixture
async def ops(db: FreshDatabase) -> AsyncIterator[Served]:
    async for served in serve(db.database):
        yield served


def _stamp(revision: str) -> object:
    def stamp(connection: Connection) -> None:
        scripts = ScriptDirectory.from_config(alembic_config())
        MigrationContext.configure(connection).stamp(scripts, revision)
    return stamp


async def test_healthz_says_ok(ops: Served) -> None:
    assert await ops.get("/healthz") == (200, "ok\n", "text/plain")


async def test_a_fresh_database_is_ready(ops: Served) -> None:
    assert await ops.get("/readyz") == (200, "ready\n", "text/plain")


async def test_a_schema_behind_the_code_is_not_ready_and_says_how_to_fix_it(
    db: FreshDatabase, ops: Served
) -> None:
    async with db.database.transaction() as connection:
        await connection.run_sync(_stamp(OLDER))
    status, body, _ = await ops.get("/readyz")
    assert status == 503
    assert body == (f"schema at {OLDER}, latest is {LATEST}; run python -m bot db upgrade\n")


async def test_a_database_without_the_schema_is_not_ready(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        async for served in serve(database):
            status, body, _ = await served.get("/readyz")
            assert status == 503
            assert body.startswith("schema not created (no migration applied), latest is ")
            assert body.endswith("; run python -m bot db upgrade\n")
    finally:
        await database.dispose()


async def test_a_schema_from_a_newer_version_is_not_ready(
    sqlite_db: FreshDatabase,
) -> None:
    async with sqlite_db.database.transaction() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    async for served in serve(sqlite_db.database):
        status, body, _ = await served.get("/readyz")
        assert status == 503
        assert "schema at 9999, which this version does not know" in body
        assert "newer version of the bot" in body


async def test_an_unreachable_database_is_not_ready() -> None:
    with socket.socket() as probe:  # a port nothing listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        database = Database(f"postgresql+asyncpg://postgres:secret-pw@127.0.0.1:{port}/test")
        try:
            async for served in serve(database):
                status, body, _ = await served.get("/readyz")
                assert status == 503
                assert body.startswith("database unreachable (")
                assert "secret-pw" not in body
                assert await served.get("/healthz") == (200, "ok\n", "text/plain")
        finally:
            await database.dispose()


async def test_a_stopping_worker_is_not_ready(sqlite_db: FreshDatabase) -> None:
    app = web.Application()
    readiness = add_ops_routes(app, sqlite_db.database)
    assert isinstance(readiness, Readiness) and await readiness.reason() is None
    readiness.stop()
    assert await readiness.reason() == "shutting down"


async def test_metrics_are_prometheus_text(ops: Served) -> None:
    status, body, content_type = await ops.get("/metrics")
    assert status == 200 and content_type == "text/plain"
    assert "# TYPE bot_updates_total counter" in body
    assert "# TYPE bot_turn_seconds histogram" in body


async def test_a_port_in_use_names_ops_port(sqlite_db: FreshDatabase) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StartupError) as caught:
            await start_ops_server(sqlite_db.database, "127.0.0.1", port)
    assert caught.value.setting == "OPS_PORT"
    assert "OPS_PORT=0" in caught.value.fix
