"""Per-update state: a :class:`Turn` for every update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


@dataclass(slots=True)
class Turn:
    """What happened to one update so far; the error handler words its apology by it."""

    committed: bool = False  # the engine has stored this update's effects
    acknowledged: bool = False  # the button press was answered, or that was tried


class TurnMiddleware(BaseMiddleware):
    """Outer, on every update: puts a fresh ``turn`` in the handler data."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["turn"] = Turn()
        return await handler(event, data)
