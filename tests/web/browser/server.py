"""The real web chat server for the browser tests, in the test's event loop, on a fresh
demo database: sign-in links, what the database says, and the server dropping sockets."""

from __future__ import annotations

from contextlib import AsyncExitStack
from types import TracebackType
from typing import Any

from sqlalchemy import select, update

from bot.web.server import WebServer
from storage.models import Account
from storage.sandbox import FreshDatabase, fresh_demo_database
from tests.web.serving import base, link_for, serve


class ChatServer:
    """``async with ChatServer() as server``: ``server.url`` serves ``/chat``, started as
    ``python -m bot web`` starts it (:func:`tests.web.serving.serve`)."""

    def __init__(self) -> None:
        self.url = ""
        self._fresh: FreshDatabase | None = None
        self._running: WebServer | None = None
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> ChatServer:
        async with AsyncExitStack() as stack:
            self._fresh = await fresh_demo_database("sqlite")
            stack.push_async_callback(self._fresh.dispose)
            self._running = await serve(self._fresh)
            stack.push_async_callback(self._running.stop)
            self.url = base(self._running)
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
        assert self._running is not None
        return await link_for(self.database, self._running, email)

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
