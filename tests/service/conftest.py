"""Fixtures for the bot run as a service, in processes of its own (``testkit.botprocess``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from testkit.botapi import BotApiServer

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def botapi() -> AsyncIterator[BotApiServer]:
    """A local Bot API server whose answers take 0.2 s, as a distant Telegram's can:
    every update the bot handles is in flight for at least that long."""
    async with BotApiServer(token=TOKEN, latency=0.2, conflict_pause=0.5) as server:
        yield server
