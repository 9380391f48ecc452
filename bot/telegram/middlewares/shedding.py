"""Load shedding for updates that reach the dispatcher unadmitted (polling).

The first outer middleware: before the chat lock, the flood guard or the engine, it
takes a slot from the worker's :class:`~bot.telegram.admission.Admission`. Past the
bound the update is answered at once and not handled: a message gets a short "busy"
note (at most one per chat every few seconds, so the note does not add to the load),
a button press is acknowledged with a short text so it stops spinning.
Updates the webhook admitted already (marked ``admitted``) pass straight through.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import AiogramError
from aiogram.types import TelegramObject, Update
from cachetools import TTLCache

from bot.ops.metrics import SHED
from bot.telegram.acknowledge import ACK_TIMEOUT, acknowledge
from bot.telegram.admission import ADMITTED, Admission, EverySecond
from bot.telegram.middlewares.metrics import OUTCOME
from flows.i18n import N_, _

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

BUSY = N_("I'm busy right now — please try again in a moment.")
BUSY_SHORT = N_("Busy right now: please try again in a moment.")
NOTE_EVERY_SECONDS = 5.0
MAX_NOTED_CHATS = 100_000  # memory bound; past it a chat may get one note more


class SheddingMiddleware(BaseMiddleware):
    """Holds a slot of ``admission`` around the rest of the update, or sheds it."""

    def __init__(self, admission: Admission, *, clock: Callable[[], float] = time.monotonic,
                 note_every: float = NOTE_EVERY_SECONDS) -> None:
        self.admission = admission
        # Chats told "busy" lately: they expire after note_every, in amortised O(1).
        self._noted: TTLCache[int, bool] = TTLCache(MAX_NOTED_CHATS, note_every, timer=clock)
        self._warn = EverySecond(log, clock=clock)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if data.get(ADMITTED):  # the webhook took its slot and gives it back
            return await handler(event, data)
        if not self.admission.try_enter():
            SHED.labels(answer="busy_reply").inc()
            data[OUTCOME] = "shed"  # for bot_updates_total (the metrics middleware)
            self._warn.warning("busy: %d updates in flight, answered one with a busy reply",
                               self.admission.in_flight)
            if isinstance(event, Update):
                await self._answer_busy(event, data["bot"])
            return None
        try:
            return await handler(event, data)
        finally:
            self.admission.leave()

    async def _answer_busy(self, update: Update, bot: Bot) -> None:
        if update.callback_query is not None:
            await acknowledge(bot, update.callback_query, _(BUSY_SHORT))
            return
        message = update.message
        if message is None or message.chat.id in self._noted:
            return
        self._noted[message.chat.id] = True
        with suppress(AiogramError):  # a courtesy note; the update is dropped either way
            await bot.send_message(message.chat.id, _(BUSY), request_timeout=ACK_TIMEOUT)
