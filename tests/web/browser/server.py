"""The real web chat server for the browser tests, in the test's event loop, on a fresh
demo database: sign-in links, what the database says, and the server dropping sockets."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import select, update

from bot.charts import render_usage_chart
from bot.config import Settings
from bot.runtime import engine_settings
from bot.web.links import sign_in_link
from bot.web.server import WebServer, start_web_server
from flows.engine import Engine
from storage.identities import issue_link_code
from storage.models import Account
from storage.sandbox import FreshDatabase, fresh_demo_database

HOST = "127.0.0.1"


class ChatServer:
    """``async with ChatServer() as server``: ``server.url`` serves ``/chat``, started as
    ``python -m bot web`` starts it (:func:`bot.web.server.start_web_server`)."""

    def __init__(self) -> None:
        self.url = ""
        self._fresh: FreshDatabase | None = None
        self._running: WebServer | None = None
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> ChatServer:
        async with AsyncExitStack() as stack:
            self._fresh = await fresh_demo_database("sqlite")
            stack.push_async_callback(self._fresh.dispose)
            # The defaults, whatever the environment of the test run says.
            settings = Settings.model_construct()
            engine = Engine(self._fresh.stores, engine_settings(settings),
                            charts={"web": render_usage_chart})
            self._running = await start_web_server(engine, self._fresh.database, settings,
                                                   host=HOST, port=0)
            stack.push_async_callback(self._running.stop)
            self.url = f"http://{HOST}:{self._running.port}"
            self._stack = stack.pop_all()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self._stack.aclose()

    @property
    def database(self) -> FreshDatabase:
        assert self._fresh is not None
        return self._fresh

    async def sign_in_link(self, email: str) -> str:
        """A one-time sign-in link for the user with ``email``."""
        async with self.database.database.transaction() as connection:
            code = await issue_link_code(connection, email, datetime.now(UTC), 900)
        assert self._running is not None
        return sign_in_link(self._running.url, code)  # as `link-code --channel web` prints

    async def account(self, name: str) -> dict[str, Any]:
        """The account row called ``name``, as the database has it now."""
        async with self.database.database.reading() as connection:
            row = (await connection.execute(
                select(Account).where(Account.name == name))).mappings().one()
        return dict(row)

    async def rename_account(self, old: str, new: str) -> None:
        async with self.database.database.transaction() as connection:
            await connection.execute(update(Account).where(Account.name == old).values(name=new))

    async def drop_sockets(self) -> None:
        """The server closes every open page's socket (as when it restarts)."""
        assert self._running is not None
        await self._running.chat.pages.close_all()
