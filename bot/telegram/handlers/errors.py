"""The last resort: an update that failed is logged and the user told what it means."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import AiogramError
from aiogram.types import ErrorEvent

from bot.apologies import NOTHING_CHANGED, SHOWING_FAILED
from bot.telegram.acknowledge import acknowledge, describe
from bot.telegram.middlewares import UpdateProgress
from flows.i18n import _

log = logging.getLogger(__name__)



async def on_error(event: ErrorEvent, bot: Bot, progress: UpdateProgress | None = None) -> bool:
    """Log with the update id; answer the button; apologise in the chat, honestly."""
    update = event.update
    error = event.exception
    log.error("update %s failed: %s", update.update_id, error,
              exc_info=(type(error), error, error.__traceback__))
    chat_id: int | None = None
    if update.callback_query is not None:
        query = update.callback_query
        chat_id = query.message.chat.id if query.message is not None else None
        if progress is None or not progress.acknowledged:  # one answer per press, never two
            await acknowledge(bot, query)
    elif update.message is not None:
        chat_id = update.message.chat.id
    if chat_id is None:
        return True
    # The engine commits before replies are sent: if it did, the change stands, and
    # "nothing was changed" would be a lie about, say, a closed account.
    committed = progress is not None and progress.committed
    text = _(SHOWING_FAILED) if committed else _(NOTHING_CHANGED)
    try:
        await bot.send_message(chat_id, text)
    except AiogramError as apology_failed:  # Telegram is unreachable: the log must do
        log.warning("update %s: the apology was not sent either (%s)", update.update_id,
                    describe(apology_failed))
    return True


def router() -> Router:
    errors = Router(name="errors")
    errors.errors.register(on_error)
    return errors
