"""A fresh PostgreSQL demo database is exactly the demo data, even when it is reused.

``fresh_demo_database("postgresql")`` hands out kept clones of a template, with the
template's rows put back on each claim (``storage/sandbox_pool.py``). Whatever the
previous test did to its database, rows, sequences or schema, the next one must see
what migrating and seeding an empty database gives.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.demo import seed_demo
from storage.migrate import upgrade
from storage.sandbox import FreshDatabase, fresh_demo_database, postgres_base_url
from storage.unit_of_work import Database
from tests.backends import require_postgresql

Contents = dict[str, Any]
# One reference database for the module: under pytest-xdist it stays on one worker.
pytestmark = pytest.mark.xdist_group("sandbox")


async def contents(database: Database) -> Contents:
    """Every row of every table (in a stable order) and every sequence's position."""
    found: Contents = {}
    async with database.reading() as connection:
        tables = (await connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ))).scalars().all()
        for table in tables:
            rows = (await connection.execute(text(f'SELECT * FROM "{table}"'))).all()
            found[table] = sorted((tuple(row) for row in rows), key=repr)
        sequences = (await connection.execute(text(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
        ))).scalars().all()
        for sequence in sequences:
            position = text(f'SELECT last_value, is_called FROM "{sequence}"')
            found[f"sequence {sequence}"] = tuple((await connection.execute(position)).one())
    return found


@pytest.fixture(scope="module")
def migrated_and_seeded() -> Contents:
    """What an empty database holds after the migrations and today's demo data."""
    return asyncio.run(_migrate_and_seed())


async def _migrate_and_seed() -> Contents:
    await require_postgresql()
    name = f"acct_reference_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(postgres_base_url(), isolation_level="AUTOCOMMIT",
                                poolclass=NullPool)
    url = make_url(postgres_base_url()).set(database=name).render_as_string(hide_password=False)
    try:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            await upgrade(url)
            database = Database(url, poolclass=NullPool)
            try:
                async with database.transaction() as connection:
                    await seed_demo(connection, datetime.now(UTC).date())
                return await contents(database)
            finally:
                await database.dispose()
        finally:
            async with admin.connect() as connection:
                await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        await admin.dispose()


async def exists(url: str) -> bool:
    admin = create_async_engine(postgres_base_url(), poolclass=NullPool)
    try:
        async with admin.connect() as connection:
            found = await connection.scalar(
                text("SELECT count(*) FROM pg_database WHERE datname = :name"),
                {"name": make_url(url).database},
            )
    finally:
        await admin.dispose()
    return bool(found == 1)


async def change_everything(db: FreshDatabase) -> None:
    async with db.database.transaction() as connection:
        await connection.execute(text(
            "INSERT INTO users (email, name, phone) "
            "VALUES ('new@x.example', 'New Person', '+442079460000')"
        ))
        await connection.execute(text("UPDATE accounts SET name = 'Renamed'"))
        await connection.execute(text("DELETE FROM usage_records"))
        await connection.execute(text(
            "INSERT INTO link_codes (code_hash, user_id, created_at, expires_at) "
            "SELECT 'abcdefgh', id, now(), now() FROM users LIMIT 1"
        ))


async def test_a_database_a_test_changed_comes_back_as_fresh_demo_data(
    migrated_and_seeded: Contents,
) -> None:
    async with await fresh_demo_database("postgresql") as first:
        assert await contents(first.database) == migrated_and_seeded
        await change_everything(first)
        assert await contents(first.database) != migrated_and_seeded
    await first.dispose()  # disposing twice changes nothing: the clone is kept, for reuse
    assert await exists(first.url)
    async with await fresh_demo_database("postgresql") as second:
        assert await contents(second.database) == migrated_and_seeded


@pytest.mark.parametrize("change", [
    "DROP TABLE usage_records",  # putting the rows back fails
    "ALTER TABLE accounts ADD COLUMN extra integer",  # it would not: the schema check does
])
async def test_a_database_whose_schema_a_test_changed_comes_back_whole(
    migrated_and_seeded: Contents, change: str,
) -> None:
    async with (await fresh_demo_database("postgresql") as first,
                first.database.transaction() as connection):
        await connection.execute(text(change))
    async with await fresh_demo_database("postgresql") as second:
        assert await contents(second.database) == migrated_and_seeded


async def test_databases_in_use_at_once_are_different(migrated_and_seeded: Contents) -> None:
    async with (await fresh_demo_database("postgresql") as one,
                await fresh_demo_database("postgresql") as two):
        assert one.url != two.url
        await change_everything(one)
        assert await contents(two.database) == migrated_and_seeded
