"""A database session per update, for the routers that need one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DatabaseSessionMiddleware(BaseMiddleware):
    """One :class:`AsyncSession` per update as ``session``, closed after the handler.

    Registered on the routers whose handlers use it (linking), not on every update:
    updates that go to the engine, which opens its own transaction, then cost nothing
    here. Sessions come from the dispatcher's ``sessions`` (an ``async_sessionmaker``).
    Handlers open ``session.begin()`` themselves and commit before calling the engine:
    on SQLite a second writer would otherwise wait for the first one's lock.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sessions: async_sessionmaker[AsyncSession] = data["sessions"]
        async with sessions() as session:
            data["session"] = session
            return await handler(event, data)
