"""``python -m bot db upgrade`` and ``python -m bot demo``."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from bot.config import get_settings
from bot.startup.database import check_database_url, database_errors
from storage.database import make_engine as make_db_engine
from storage.database import make_sessionmaker
from storage.demo import seed_demo
from storage.migrate import upgrade


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="migrate to the latest schema").set_defaults(
        run=run_upgrade
    )
    commands.add_parser("demo", help="seed the demo data (idempotent)").set_defaults(run=run_demo)


def run_upgrade(_args: argparse.Namespace) -> int:
    url = get_settings().database_url
    check_database_url(url)
    with database_errors(url):
        asyncio.run(upgrade(url))
    print("Database is at the latest schema.")
    return 0


def run_demo(_args: argparse.Namespace) -> int:
    asyncio.run(_demo())
    print("Demo data is in place.")
    return 0


async def _demo() -> None:
    url = get_settings().database_url
    check_database_url(url)
    with database_errors(url):
        await upgrade(url)
        db_engine = make_db_engine(url)
    try:
        await seed_demo(make_sessionmaker(db_engine), datetime.now(UTC).date())
    finally:
        await db_engine.dispose()
