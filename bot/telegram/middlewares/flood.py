"""Telegram's side of the flood guard (:mod:`bot.flood`): over the limit, an update is
dropped politely."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import AiogramError
from aiogram.types import TelegramObject, Update, User

from bot.flood import SLOW_DOWN, FloodGuard
from bot.telegram.acknowledge import acknowledge
from flows.i18n import N_, _

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

SLOW_DOWN_SHORT = N_("Too fast: please wait a moment.")


class FloodGuardMiddleware(BaseMiddleware):
    """Lets each user through ``limit_per_minute`` times per sliding minute.

    Over the limit, the update is not handled: a button press is still answered (so the
    button stops spinning) and a message gets one polite note per minute, not one per
    message, so the guard itself does not flood the chat.
    """

    def __init__(self, limit_per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.guard = FloodGuard(limit_per_minute, clock=clock)

    @property
    def limit(self) -> int:
        return self.guard.limit

    def allow(self, user_id: int) -> bool:
        """Count one update of ``user_id``; False when it is over the limit."""
        return self.guard.allow(user_id)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or self.guard.allow(user.id):
            return await handler(event, data)
        log.info("flood guard: dropped an update of user %s", user.id)
        if isinstance(event, Update):
            await self._refuse(event, data["bot"], user.id)
        return None

    async def _refuse(self, update: Update, bot: Bot, user_id: int) -> None:
        if update.callback_query is not None:
            await acknowledge(bot, update.callback_query, _(SLOW_DOWN_SHORT))
            return
        with suppress(AiogramError):  # a courtesy note; the update is dropped either way
            if update.message is not None and self.guard.should_warn(user_id):
                await bot.send_message(update.message.chat.id, _(SLOW_DOWN))
