"""Telegram's delivery of the outbox: notices sent to the chats they are for.

Each process that serves the bot (polling or a webhook worker) runs one
:class:`bot.delivery.DeliveryLoop` for the ``telegram`` channel, started and stopped
with the dispatcher. A notice is planned like any reply (text split within
Telegram's limit, its standing choices as an inline keyboard) and always arrives as
a new message: it answers nothing the user pressed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from bot.delivery import DeliveryLoop, Send, Undeliverable
from bot.telegram.keys import CHANNEL
from bot.telegram.rendering import plan
from flows.ports import Notice
from flows.types import Reply
from storage.unit_of_work import Database

LOOP_KEY = "notice_delivery"  # where the running Telegram loop is kept in dispatcher data

GONE = ("chat not found", "user is deactivated", "bot was kicked")


def telegram_sender(bot: Bot) -> Send:
    """Send a notice to its Telegram chat (and topic) as new messages."""

    async def send(notice: Notice) -> None:
        chat_id = int(notice.to.chat_id)
        reply = Reply(text=notice.text, choices=list(notice.choices))
        try:
            for item in plan([reply]):
                await bot.send_message(chat_id, item.text, reply_markup=item.markup,
                                       message_thread_id=notice.thread_id)
        except TelegramForbiddenError as blocked:  # the user blocked the bot
            raise Undeliverable(blocked.message) from None
        except TelegramBadRequest as error:
            if any(reason in error.message for reason in GONE):
                raise Undeliverable(error.message) from None
            raise

    return send


def deliver_notices(dispatcher: Dispatcher, database: Database) -> None:
    """Run the ``telegram`` outbox delivery while ``dispatcher`` runs; handlers that queue
    a notice may wake it (``data[LOOP_KEY].wake()``)."""
    deliver_while_serving(dispatcher, lambda bot: DeliveryLoop(database, CHANNEL,
                                                               telegram_sender(bot)), LOOP_KEY)


def deliver_while_serving(dispatcher: Dispatcher, loop_for: Callable[[Bot], DeliveryLoop],
                          key: str | None = None) -> None:
    """Start the delivery loop ``loop_for`` makes with the bot when ``dispatcher`` starts
    and stop it when it stops (webhook or polling: both start and stop the dispatcher
    with the bot); with ``key``, the running loop is in the dispatcher's data there."""
    running: list[DeliveryLoop] = []

    async def start(bot: Bot, **_: Any) -> None:
        loop = loop_for(bot)
        running.append(loop)
        if key is not None:
            dispatcher[key] = loop
        loop.start()

    async def stop(**_: Any) -> None:
        if key is not None:
            dispatcher.workflow_data.pop(key, None)
        while running:
            await running.pop().stop()

    dispatcher.startup.register(start)
    dispatcher.shutdown.register(stop)
