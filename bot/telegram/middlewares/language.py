"""The update's language hint: Telegram's ``language_code`` of the user who sent it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from flows.i18n import use_language

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class LanguageHintMiddleware(BaseMiddleware):
    """Outer, on every update: ``language_hint`` in the handler data (``es-ES``, or None)
    for the engine, and the channel's own wording (linking, apologies) in that language.

    The engine prefers the language the user chose in chat; the channel's own lines
    follow the app's language, which is what the user reads before choosing.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = data.get("event_from_user")
        hint = user.language_code if isinstance(user, User) else None
        data["language_hint"] = hint
        with use_language(hint):
            return await handler(event, data)
