"""Answering a button press (answerCallbackQuery) without ever holding up the reply.

The acknowledgement only stops the button's spinner or shows a short toast. Telegram
refuses it for presses older than about 15 s ("query is too old": a backlog after a
restart), and like any call it can meet flood control, a server or proxy error, or
the network. None of that may stand between a committed result and the user, so a
failure is logged in one line and the handler carries on.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import AiogramError, ClientDecodeError, TelegramAPIError
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import CallbackQuery

log = logging.getLogger(__name__)

# Seconds to wait for Telegram's answer. Beyond a few seconds the spinner has long
# stopped on the user's side, and the chat's replies are waiting behind this call.
ACK_TIMEOUT = 5


async def acknowledge(
    bot: Bot, query: CallbackQuery, text: str | None = None, *, show_alert: bool = False
) -> bool:
    """Answer ``query`` (with an optional toast ``text``); False when that failed.

    Never raises a Bot API error: a failure is one warning line, no traceback, and
    there is no second attempt (the retry middleware skips this method too).
    """
    method = AnswerCallbackQuery(
        callback_query_id=query.id, text=text, show_alert=show_alert or None
    )
    try:
        await bot(method, request_timeout=ACK_TIMEOUT)
    except AiogramError as error:  # a proxy's HTML page is no TelegramAPIError
        log.warning("button press %s not acknowledged (%s); carrying on", query.id,
                    describe(error))
        return False
    return True


def describe(error: AiogramError) -> str:
    """``error`` in one short line: aiogram's messages may span lines or quote a page."""
    if isinstance(error, ClientDecodeError):
        text = f"{error.message}: {type(error.original).__name__}"
    elif isinstance(error, TelegramAPIError):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split())[:300]
