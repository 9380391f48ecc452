"""Wiring: open the database (migrated, demo data on a new one) and build the engine."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.chat_isolation import ChatIsolation, open_chat_isolation
from bot.config import Settings
from bot.ops.turns import MetricsObserver
from bot.startup.database import check_database_url, database_errors
from bot.startup.error import StartupError
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
    isolation: ChatIsolation | None = None
    """The cross-process chat lock (``CHAT_LOCK``) when serving a webhook, else None."""


def engine_settings(settings: Settings) -> EngineSettings:
    return EngineSettings(
        flow_timeout_seconds=settings.flow_timeout_seconds,
        close_confirm_seconds=settings.close_confirm_seconds,
        support_contact=settings.support_contact,
        support_group=settings.support_chat_id is not None,
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
    isolate: bool = False,
) -> AsyncIterator[Runtime]:
    """Open the database named by ``settings`` and build the conversation engine over it.

    ``isolate``: also open the cross-process chat lock ``CHAT_LOCK`` names, for a webhook
    that other processes (workers, machines) may serve beside this one. Polling is
    single-instance and needs none.

    A database that cannot be used as configured (bad URL, no server, no such
    database, an unwritable SQLite file) raises a StartupError that says so.
    """
    url = settings.database_url
    check_database_url(url)
    isolation = chat_isolation(settings) if isolate else None
    with database_errors(url):  # creating the SQLite folder can fail already
        database = Database(url)
    try:
        if prepare:
            with database_errors(url):  # the first connection is made here
                await prepare_database(database)
        engine = Engine(SqlStoreFactory(database), engine_settings(settings), charts=charts,
                        observer=MetricsObserver())
        yield Runtime(settings=settings, database=database, engine=engine, isolation=isolation)
    finally:
        if isolation is not None:
            await isolation.close()
        await database.dispose()


def chat_isolation(settings: Settings) -> ChatIsolation | None:
    """The cross-process chat lock ``CHAT_LOCK`` names; a StartupError when it cannot be."""
    try:
        return open_chat_isolation(settings.chat_lock, settings.database_url, settings.redis_url)
    except ValueError as error:
        raise StartupError(
            "CHAT_LOCK", f"{error}.",
            "Use CHAT_LOCK=auto (or process) on SQLite, or set DATABASE_URL to PostgreSQL.",
        ) from error
