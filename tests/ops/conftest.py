"""Fixtures for the operations tests: the Telegram ones (a Bot API server, the live bot);
``sqlite_db`` comes from ``tests/conftest.py``."""

from tests.telegram.conftest import botapi, live, mode

__all__ = ["botapi", "live", "mode"]
