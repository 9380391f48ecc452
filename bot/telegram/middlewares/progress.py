"""How far one update has got: the error handler words its apology by it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


@dataclass(slots=True)
class UpdateProgress:
    """What has happened to one update so far."""

    committed: bool = False  # the engine has stored this update's effects
    acknowledged: bool = False  # the button press was answered, or that was tried


class UpdateProgressMiddleware(BaseMiddleware):
    """Outer, on every update: puts a fresh ``progress`` in the handler data."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data["progress"] = UpdateProgress()
        return await handler(event, data)
