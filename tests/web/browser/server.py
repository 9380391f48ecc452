"""The real web chat server for the browser tests, in the test's event loop, on a fresh
demo database: sign-in links, what the database says, and the server dropping sockets."""

from __future__ import annotations

from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from aiohttp import web
from sqlalchemy import select, update

from bot.charts import render_usage_chart
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from bot.web.app import WebChat
from storage.identities import issue_link_code
from storage.models import Account
from storage.sandbox import FreshDatabase, fresh_demo_database

HOST = "127.0.0.1"


class ChatServer:
    """``async with ChatServer() as server``: ``server.url`` serves ``/chat``."""

    def __init__(self) -> None:
        self.url = ""
        self.fresh: FreshDatabase | None = None
        self.chat: WebChat | None = None
        self._runtime_cm: Any = None
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> ChatServer:
        self.fresh = await fresh_demo_database("sqlite")
        settings = Settings(database_url=self.fresh.url)
        self._runtime_cm = open_runtime(settings, charts={"web": render_usage_chart},
                                        prepare=False)
        runtime: Runtime = await self._runtime_cm.__aenter__()
        self.chat = WebChat(runtime.engine, runtime.database, settings)
        app = web.Application()
        self.chat.register(app)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{HOST}:{port}"
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._runtime_cm is not None:
            await self._runtime_cm.__aexit__(exc_type, exc, tb)
        if self.fresh is not None:
            await self.fresh.dispose()

    @property
    def database(self) -> FreshDatabase:
        assert self.fresh is not None
        return self.fresh

    async def sign_in_link(self, email: str) -> str:
        """A one-time sign-in link for the user with ``email``."""
        async with self.database.database.transaction() as connection:
            code = await issue_link_code(connection, email, datetime.now(UTC), 900)
        return f"{self.url}/chat?code={code}"

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
        assert self.chat is not None
        await self.chat.pages.close_all()
