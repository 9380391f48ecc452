"""Wiring: open the database (migrated, demo data on a new one) and build the engine."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.config import Settings
from bot.ops.turns import MetricsObserver
from bot.startup.database import check_database_url, database_errors
from flows.context import ChartRenderer
from flows.engine import Engine
from flows.settings import EngineSettings
from storage.demo import seed_demo
from storage.migrate import upgrade
from storage.models import Account
from storage.store import SqlStoreFactory
from storage.unit_of_work import Database

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Runtime:
    """Everything a channel needs: the conversation engine and the database behind it.

    ``engine`` is the conversation engine (:class:`flows.engine.Engine`); ``database``
    owns every transaction (:class:`storage.unit_of_work.Database`).
    """

    settings: Settings
    database: Database
    engine: Engine


def engine_settings(settings: Settings) -> EngineSettings:
    return EngineSettings(
        flow_timeout_seconds=settings.flow_timeout_seconds,
        close_confirm_seconds=settings.close_confirm_seconds,
        support_contact=settings.support_contact,
    )


async def prepare_database(database: Database) -> bool:
    """Migrate to the latest schema; seed the demo data when there are no accounts yet.

    Returns True when the demo data was seeded now.
    """
    await upgrade(database.url)
    async with database.transaction() as connection:
        accounts = await connection.scalar(select(func.count()).select_from(Account))
        if not accounts:
            await seed_demo(connection, datetime.now(UTC).date())
    if accounts:
        return False
    log.info("new database: demo data seeded")
    return True


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    charts: Mapping[str, ChartRenderer] | None = None,
    prepare: bool = True,
) -> AsyncIterator[Runtime]:
    """Open the database named by ``settings`` and build the conversation engine over it.

    A database that cannot be used as configured (bad URL, no server, no such
    database, an unwritable SQLite file) raises a StartupError that says so.
    """
    url = settings.database_url
    check_database_url(url)
    with database_errors(url):  # creating the SQLite folder can fail already
        database = Database(url)
    try:
        if prepare:
            with database_errors(url):  # the first connection is made here
                await prepare_database(database)
        engine = Engine(SqlStoreFactory(database), engine_settings(settings), charts=charts,
                        observer=MetricsObserver())
        yield Runtime(settings=settings, database=database, engine=engine)
    finally:
        await database.dispose()
