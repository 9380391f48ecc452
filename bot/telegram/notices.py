"""Telegram's delivery of the outbox: notices sent to the chats they are for.

Each process that serves the bot (polling or a webhook worker) runs one
:class:`bot.delivery.DeliveryLoop` for the ``telegram`` channel, started and stopped
with the dispatcher. A notice is planned like any reply (text split within
Telegram's limit, its standing choices as an inline keyboard) and always arrives as
a new message: it answers nothing the user pressed.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from bot.delivery import DeliveryLoop, Send, Undeliverable
from bot.telegram.keys import CHANNEL
from bot.telegram.rendering import plan
from flows.ports import Notice
from flows.types import Reply
from storage.unit_of_work import Database

LOOP_KEY = "notice_delivery"  # where the running loop is kept in the dispatcher's data
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
    """Run the ``telegram`` outbox delivery while ``dispatcher`` runs (webhook or polling:
    both start and stop the dispatcher with the bot)."""

    async def start(bot: Bot, **_: Any) -> None:
        loop = dispatcher[LOOP_KEY] = DeliveryLoop(database, CHANNEL, telegram_sender(bot))
        loop.start()

    async def stop(**_: Any) -> None:
        loop = dispatcher.workflow_data.pop(LOOP_KEY, None)
        if isinstance(loop, DeliveryLoop):
            await loop.stop()

    dispatcher.startup.register(start)
    dispatcher.shutdown.register(stop)
