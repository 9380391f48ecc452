"""A per-user flood guard: beyond the limit per minute, updates are dropped politely."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import AiogramError
from aiogram.types import TelegramObject, Update, User

from bot.telegram.acknowledge import acknowledge

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

WINDOW_SECONDS = 60.0
SLOW_DOWN = (
    "You're sending messages faster than I can follow, so I skipped some of them. "
    "Please wait a moment, then carry on."
)
SLOW_DOWN_SHORT = "Too fast: please wait a moment."


class FloodGuardMiddleware(BaseMiddleware):
    """Lets each user through ``limit_per_minute`` times per sliding minute.

    Over the limit, the update is not handled: a button press is still answered (so the
    button stops spinning) and a message gets one polite note per minute, not one per
    message, so the guard itself does not flood the chat.
    """

    def __init__(self, limit_per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit_per_minute
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or self._allow(user.id):
            return await handler(event, data)
        log.info("flood guard: dropped an update of user %s", user.id)
        if isinstance(event, Update):
            await self._refuse(event, data["bot"], user.id)
        return None

    def _allow(self, user_id: int) -> bool:
        now = self._clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - WINDOW_SECONDS:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        if len(self._hits) > 10_000:
            self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        # Keeps memory bounded by the users of the last minute, not every user ever seen.
        for user_id in [u for u, h in self._hits.items() if not h or h[-1] <= now - WINDOW_SECONDS]:
            del self._hits[user_id]
            self._warned.pop(user_id, None)

    async def _refuse(self, update: Update, bot: Bot, user_id: int) -> None:
        if update.callback_query is not None:
            await acknowledge(bot, update.callback_query, SLOW_DOWN_SHORT)
            return
        with suppress(AiogramError):  # a courtesy note; the update is dropped either way
            if update.message is not None:
                now = self._clock()
                if self._warned.get(user_id, -WINDOW_SECONDS) <= now - WINDOW_SECONDS:
                    self._warned[user_id] = now
                    await bot.send_message(update.message.chat.id, SLOW_DOWN)
