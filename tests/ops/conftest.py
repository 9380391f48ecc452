"""Fixtures for the operations tests: the Telegram ones (a Bot API server, the live bot)."""

from tests.telegram.conftest import botapi, live, mode, sqlite_db

__all__ = ["botapi", "live", "mode", "sqlite_db"]
