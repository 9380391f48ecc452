"""``--workers`` / ``WEB_CONCURRENCY``: how many processes, and whether they can work."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.startup.error import StartupError


def check_workers(count: int, setting: str, *, webhook: bool, database_url: str) -> None:
    """Several processes need a webhook (Telegram hands updates to one poller) and a
    database several processes can share (PostgreSQL, not SQLite)."""
    if count < 1:
        raise StartupError(setting, f"{count} is not a number of processes.",
                           f"Set {setting} to 1 or more.")
    if count == 1:
        return
    if not webhook:
        raise StartupError(
            setting,
            f"{count} worker processes need the webhook; polling is single-instance "
            "(Telegram hands a bot's updates to one getUpdates caller at a time).",
            f"Add --webhook to run {count} workers, or use --workers 1.",
        )
    try:
        backend = make_url(database_url).get_backend_name()
    except (ArgumentError, ValueError):
        return  # check_database_url explains an unparsable URL
    if backend == "sqlite":
        raise StartupError(
            setting,
            f"{count} worker processes need PostgreSQL; SQLite is one process's database.",
            "Set DATABASE_URL=postgresql+asyncpg://user@host:5432/dbname, or use --workers 1.",
        )
