"""The Alembic migration and the models describe the same schema, on both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import make_engine
from storage.migrate import alembic_config, upgrade
from storage.models import Base
from storage.sandbox import FreshDatabase


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_models(db: FreshDatabase) -> None:
    # The sandbox database was built by running the migrations.
    async with db.database.reading() as connection:
        assert await connection.run_sync(_diff) == []
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        stored = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
        assert stored == [(head,)]


async def test_upgrade_creates_everything_and_is_repeatable(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'bot.db'}"
    await upgrade(url)  # inside this test's running event loop
    await upgrade(url)  # already at head: nothing to do
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            assert set(Base.metadata.tables) <= tables
            assert await connection.run_sync(_diff) == []
            mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
            assert mode == "wal"
            keys = (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar()
            assert keys == 1
    finally:
        await engine.dispose()


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda c: set(inspect(c).get_table_names()))


def _downgrade(connection: Connection, url: str, revision: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def test_link_attempts_migration_upgrades_from_0001_and_back(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await upgrade(url, "0001")  # a database from before the wrong-code limits
    engine = make_engine(url)
    try:
        assert "link_attempts" not in await _tables(engine)
        await upgrade(url)
        assert "link_attempts" in await _tables(engine)
        async with engine.begin() as connection:
            await connection.run_sync(_downgrade, url, "0001")
        assert "link_attempts" not in await _tables(engine)
    finally:
        await engine.dispose()


async def _user_columns(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda c: {column["name"] for column in inspect(c).get_columns("users")}
        )


async def test_app_language_migration_upgrades_from_0007_and_back(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await upgrade(url, "0007")  # a database from before the app's language was kept
    engine = make_engine(url)
    try:
        assert "app_language" not in await _user_columns(engine)
        await upgrade(url)
        assert {"language", "app_language"} <= await _user_columns(engine)
        async with engine.begin() as connection:
            await connection.run_sync(_downgrade, url, "0007")
        columns = await _user_columns(engine)
        assert "language" in columns and "app_language" not in columns
    finally:
        await engine.dispose()
