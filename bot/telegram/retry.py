"""Honour Telegram's 429 ``retry_after``: wait as told, then send the same call again."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)

# Not worth waiting for: by the time retry_after has passed, a button press may be too
# old to answer, and the chat's replies would wait behind it (see acknowledge.py).
NOT_RETRIED = frozenset({"answerCallbackQuery"})


class RetryAfterMiddleware(BaseRequestMiddleware):
    """Request middleware: on :class:`TelegramRetryAfter`, sleep ``retry_after`` seconds
    and retry, at most ``attempts`` times and never for longer than ``max_wait`` at once.

    The sleep holds the chat's turn (see ``ChatOrderMiddleware``), so the chat's later
    replies cannot overtake the one being retried; other chats carry on meanwhile.
    Methods in :data:`NOT_RETRIED` fail at once instead.
    """

    def __init__(self, attempts: int = 4, max_wait: float = 60.0) -> None:
        self.attempts = attempts
        self.max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if (attempt == self.attempts or error.retry_after > self.max_wait
                        or method.__api_method__ in NOT_RETRIED):
                    raise
                log.warning("429 on %s: retrying in %ss (attempt %d)",
                            method.__api_method__, error.retry_after, attempt)
                await asyncio.sleep(error.retry_after)
        raise AssertionError("unreachable")  # the loop returns or raises


def install_retry(session: BaseSession, **options: Any) -> BaseSession:
    """Add :class:`RetryAfterMiddleware` to ``session``; returns the session."""
    session.middleware(RetryAfterMiddleware(**options))
    return session
