"""Run Alembic migrations from code (``python -m bot db upgrade`` and the test sandbox)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from storage.database import make_engine

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"


def alembic_config(url: str | None = None) -> Config:
    """The package's Alembic config, located next to this file (not the CWD)."""
    config = Config(str(ALEMBIC_INI))
    if url is not None:
        # ConfigParser interpolates '%', which URL-encoded passwords contain.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision``; safe inside a running event loop.

    Alembic is synchronous, so it runs on our async connection through
    ``run_sync`` instead of starting a second event loop.
    """
    config = alembic_config(url)
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, config, revision)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
