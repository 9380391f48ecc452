"""The last resort: an update that failed is logged and the user told what it means."""

from __future__ import annotations

import logging
from contextlib import suppress

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from bot.telegram.middlewares import Turn

log = logging.getLogger(__name__)

NOTHING_CHANGED = (
    "Sorry, something went wrong on our side, so nothing was changed. "
    "Please try again in a moment; type menu to start over."
)
SHOWING_FAILED = (
    "Sorry, something went wrong while showing my answer. What you asked for was done; "
    "type menu to see where we are."
)


async def on_error(event: ErrorEvent, bot: Bot, turn: Turn | None = None) -> bool:
    """Log with the update id; answer the button; apologise in the chat, honestly."""
    update = event.update
    error = event.exception
    log.error("update %s failed: %s", update.update_id, error,
              exc_info=(type(error), error, error.__traceback__))
    chat_id: int | None = None
    with suppress(TelegramAPIError):
        if update.callback_query is not None:
            query = update.callback_query
            chat_id = query.message.chat.id if query.message is not None else None
            with suppress(TelegramAPIError):  # it may have been answered already
                await query.answer()
        elif update.message is not None:
            chat_id = update.message.chat.id
        if chat_id is not None:
            # The engine commits before replies are sent: if it did, the change stands.
            text = SHOWING_FAILED if turn is not None and turn.committed else NOTHING_CHANGED
            await bot.send_message(chat_id, text)
    return True


def router() -> Router:
    errors = Router(name="errors")
    errors.errors.register(on_error)
    return errors
