"""A real web chat server on a free port over a fresh demo database, and pages for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from bot.web.server import WebServer
from storage.sandbox import FreshDatabase
from testkit.web import WebTestClient
from tests.web.serving import base, link_for, serve

OWNER = "owner@acme.example"
ADMIN = "admin@acme.example"
VIEWER = "viewer@acme.example"

OpenPage = Callable[..., Awaitable[WebTestClient]]


@pytest.fixture
async def server(db: FreshDatabase) -> AsyncIterator[WebServer]:
    served = await serve(db)
    try:
        yield served
    finally:
        await served.stop()


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
