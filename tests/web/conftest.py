"""A real web chat server on a free port over a fresh demo database, and pages for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.charts import render_usage_chart
from bot.config import Settings
from bot.web.links import sign_in_link
from bot.web.server import WebServer, start_web_server
from flows.engine import Engine
from flows.settings import EngineSettings
from storage.identities import issue_link_code
from storage.sandbox import FreshDatabase
from testkit.web import WebTestClient

OWNER = "owner@acme.example"
ADMIN = "admin@acme.example"
VIEWER = "viewer@acme.example"

OpenPage = Callable[..., Awaitable[WebTestClient]]


def web_settings(**overrides: Any) -> Settings:
    """The defaults, whatever the environment of the test run says."""
    return Settings.model_construct(**overrides)


async def serve(db: FreshDatabase, **overrides: Any) -> WebServer:
    engine = Engine(db.stores, EngineSettings(), charts={"web": render_usage_chart})
    return await start_web_server(engine, db.database, web_settings(**overrides),
                                  host="127.0.0.1", port=0)


@pytest.fixture
async def server(db: FreshDatabase) -> AsyncIterator[WebServer]:
    served = await serve(db)
    try:
        yield served
    finally:
        await served.stop()


async def link_for(db: FreshDatabase, server: WebServer, email: str, ttl: int = 900) -> str:
    """A fresh one-time sign-in link for ``email`` (as ``link-code --channel web`` prints)."""
    async with db.database.transaction() as connection:
        code = await issue_link_code(connection, email, datetime.now(UTC), ttl)
    return sign_in_link(server.url, code)


def base(server: WebServer) -> str:
    return f"http://127.0.0.1:{server.port}"


@pytest.fixture
async def open_page(db: FreshDatabase, server: WebServer) -> AsyncIterator[OpenPage]:
    """Sign in as a demo user and open the chat page's socket (``open_page(OWNER)``)."""
    clients: list[WebTestClient] = []

    async def opened(email: str = OWNER, **kwargs: Any) -> WebTestClient:
        client = WebTestClient(base(server), **kwargs)
        clients.append(client)
        assert await client.sign_in(await link_for(db, server, email)) == 200
        await client.open()
        return client

    try:
        yield opened
    finally:
        for client in clients:
            await client.close()
