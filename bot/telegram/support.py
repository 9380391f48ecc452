"""The support group: agents answer handed-over customers in each ticket's forum topic.

Only the chat ``SUPPORT_CHAT_ID`` is read here, and there only messages in a ticket's
topic: an agent's text is kept on the ticket and relayed to the customer's chat
(``bot.support_desk``, through the outbox); ``/close`` closes the ticket, which tells
the customer the bot is back, and says so in the topic. Anything else in that chat
(the general topic, service messages) is left alone. The bot must be an administrator
of the group (to create topics, and to read messages that are not commands).
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Router
from aiogram.types import Message

from bot import support_desk
from bot.delivery import DeliveryLoop
from bot.telegram.notices import LOOP_KEY
from storage.unit_of_work import Database

CLOSE = "/close"


def router(support_chat_id: int, database: Database) -> Router:
    """The support group's router (include it before the routers for other groups)."""

    async def in_support_group(message: Message) -> bool:
        return message.chat.id == support_chat_id

    async def on_message(message: Message, **data: object) -> None:
        thread_id = message.message_thread_id if message.is_topic_message else None
        if thread_id is None or message.text is None or message.from_user is None:
            return  # the general topic, a photo, a service message: not for a customer
        agent = message.from_user.first_name
        now = datetime.now(UTC)
        try:
            if _is_close(message.text):
                ticket = await support_desk.close(database, now, thread_id=thread_id,
                                                  agent=agent)
                await message.answer(support_desk.closed_line(ticket, agent))
            else:
                await support_desk.answer(database, message.text, now, thread_id=thread_id,
                                          agent=agent)
        except support_desk.TicketProblem as problem:
            await message.answer(str(problem))
            return
        loop = data.get(LOOP_KEY)
        if isinstance(loop, DeliveryLoop):
            loop.wake()  # the customer's chat gets it now, not at the next look

    support = Router(name="support")
    support.message.register(on_message, in_support_group)
    return support


def _is_close(text: str) -> bool:
    """``/close`` or ``/close@OurBot`` (Telegram adds the bot's name in groups)."""
    command = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    return command.partition("@")[0].casefold() == CLOSE
