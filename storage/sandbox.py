"""Fresh, isolated demo databases in milliseconds, for tests and the script runner.

The expensive part (migrate + seed) happens once per process into a template;
each call then copies it: a file copy on SQLite; on PostgreSQL a kept clone of the
template with the template's rows put back (:mod:`storage.sandbox_pool`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Literal

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage import sandbox_pool
from storage.demo import seed_demo
from storage.migrate import upgrade
from storage.store import SqlStoreFactory
from storage.unit_of_work import Database

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
Kind = Literal["sqlite", "postgresql"]

# (kind, today) -> template file path or template database name, for this process.
_templates: dict[tuple[str, date], str] = {}


def postgres_base_url() -> str:
    """The maintenance database fresh PostgreSQL databases are created from."""
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@dataclass
class FreshDatabase:
    """A private demo database; ``dispose()`` (or leaving ``async with``) removes it."""

    kind: Kind
    url: str
    database: Database
    stores: SqlStoreFactory = field(init=False)
    _cleanup_path: Path | None = None

    def __post_init__(self) -> None:
        self.stores = SqlStoreFactory(self.database)

    async def dispose(self) -> None:
        """Close connections and delete the database."""
        await self.database.dispose()
        if self.kind == "postgresql":
            database = make_url(self.url).database
            assert database is not None
            if not await sandbox_pool.release(database):
                await _drop_database(database)
        elif self._cleanup_path is not None:
            shutil.rmtree(self._cleanup_path, ignore_errors=True)

    async def __aenter__(self) -> FreshDatabase:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.dispose()


async def fresh_demo_database(kind: Kind, workdir: Path | None = None) -> FreshDatabase:
    """A new database holding the demo data seeded for today (UTC).

    SQLite files go to ``workdir`` (kept) or a temporary directory (deleted on dispose).
    """
    today = datetime.now(UTC).date()
    if kind == "sqlite":
        return await _fresh_sqlite(today, workdir)
    return await _fresh_postgresql(today)


def _schema_fingerprint(today: date) -> str:
    """Changes when the migrations, the demo data or the code seeding it change, or the day.

    Templates (and the clones kept of them) outlive the process: a stale one would hand
    every later run yesterday's data or an old seeding's."""
    digest = hashlib.sha256(today.isoformat().encode())
    package = Path(__file__).resolve().parent
    seeding = [package / name for name in ("demo.py", "demo_data.py", "models.py")]
    for path in sorted([*package.glob("migrations/versions/*.py"), *seeding]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


async def _build(url: str, today: date) -> None:
    await upgrade(url)
    database = Database(url, poolclass=NullPool)
    try:
        async with database.transaction() as connection:
            await seed_demo(connection, today)
    finally:
        # Closing the last connection folds the SQLite WAL into the main file, so a
        # plain copy of that file is a complete database.
        await database.dispose()


async def _fresh_sqlite(today: date, workdir: Path | None) -> FreshDatabase:
    template = _templates.get(("sqlite", today))
    if template is None or not Path(template).exists():
        folder = Path(tempfile.mkdtemp(prefix="acct_template_"))
        building = folder / "building.db"
        await _build(f"sqlite+aiosqlite:///{building}", today)
        final = folder / "template.db"
        os.replace(building, final)  # atomic: a half-built template is never used
        template = _templates[("sqlite", today)] = str(final)
    cleanup = None
    if workdir is None:
        workdir = cleanup = Path(tempfile.mkdtemp(prefix="acct_db_"))
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / f"demo-{uuid.uuid4().hex[:12]}.db"
    shutil.copyfile(template, target)
    url = f"sqlite+aiosqlite:///{target}"
    return FreshDatabase("sqlite", url, Database(url), _cleanup_path=cleanup)


def _admin_engine() -> AsyncEngine:
    return create_async_engine(
        postgres_base_url(), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )


def _quote(name: str) -> str:
    assert name.replace("_", "").isalnum(), name  # names are ours; refuse anything odd
    return f'"{name}"'


async def _fresh_postgresql(today: date) -> FreshDatabase:
    template = _templates.get(("postgresql", today))
    if template is None:
        template = await _postgres_template(today)
        _templates[("postgresql", today)] = template
    name = await sandbox_pool.claim(postgres_base_url(), template, today)
    url = make_url(postgres_base_url()).set(database=name).render_as_string(hide_password=False)
    return FreshDatabase("postgresql", url, Database(url, pool_size=5, max_overflow=5))


async def _postgres_template(today: date) -> str:
    """The template database for this code and date, built if no process built it yet."""
    template = f"acct_template_{_schema_fingerprint(today)}"
    admin = _admin_engine()
    try:
        async with admin.connect() as connection:
            exists = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": template}
            )
            if exists:
                return template
            building = f"acct_building_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            await connection.exec_driver_sql(f"CREATE DATABASE {_quote(building)}")
        base = make_url(postgres_base_url())
        try:
            await _build(base.set(database=building).render_as_string(hide_password=False), today)
            async with admin.connect() as connection:
                # Renaming makes the finished template appear atomically; if another
                # process won the race, ours is simply dropped.
                await connection.exec_driver_sql(
                    f"ALTER DATABASE {_quote(building)} RENAME TO {_quote(template)}"
                )
        except Exception:
            await _drop_database(building)
            async with admin.connect() as connection:
                if not await connection.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": template}
                ):
                    raise
        return template
    finally:
        await admin.dispose()


async def _drop_database(name: str) -> None:
    admin = _admin_engine()
    try:
        async with admin.connect() as connection:
            # A test that leaked a connection must not keep its database alive.
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            await connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quote(name)}")
    finally:
        await admin.dispose()
