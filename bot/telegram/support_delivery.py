"""Delivering notices for the support team into the support group, one topic per ticket.

The handover flow queues what the support team should read (the ticket's summary, each
customer message, the end of the chat) as notices to the ``support`` channel, whose chat
id is the ticket's id. Each Telegram process with ``SUPPORT_CHAT_ID`` runs one
:class:`bot.delivery.DeliveryLoop` for that channel: a ticket's first notice creates its
forum topic (``createForumTopic``, titled "T-4821 · Acme Trading Ltd · Olivia Owner"),
whose thread id is stored on the ticket; every notice is posted into that topic.
"""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher

from bot.delivery import DeliveryLoop, Send, Undeliverable
from bot.telegram.notices import deliver_while_serving
from bot.telegram.rendering import plan
from flows.handover import SUPPORT_CHANNEL
from flows.ports import Notice
from flows.types import Reply
from storage.ticket_queries import TicketRow, find_ticket
from storage.tickets import set_thread
from storage.unit_of_work import Database

log = logging.getLogger(__name__)



def support_sender(bot: Bot, database: Database, support_chat_id: int) -> Send:
    """Post a notice about a ticket into the ticket's topic, creating the topic first."""

    async def send(notice: Notice) -> None:
        async with database.reading() as connection:
            ticket = await find_ticket(connection, ticket_id=int(notice.to.chat_id))
        if ticket is None:
            raise Undeliverable(f"no ticket {notice.to.chat_id}")
        thread_id = await _topic(bot, database, support_chat_id, ticket)
        for item in plan([Reply(text=notice.text)]):
            await bot.send_message(support_chat_id, item.text, message_thread_id=thread_id)

    return send


async def _topic(bot: Bot, database: Database, chat_id: int, ticket: TicketRow) -> int:
    """The ticket's topic; created now when it has none yet."""
    if ticket.thread_id is not None:
        return ticket.thread_id
    topic = await bot.create_forum_topic(chat_id, name=ticket.title())
    async with database.transaction() as connection:
        kept = await set_thread(connection, ticket.id, topic.message_thread_id)
    if kept != topic.message_thread_id:  # another process created one meanwhile: use that
        log.warning("ticket %s got two topics; %d is unused", ticket.reference,
                    topic.message_thread_id)
    return kept


def deliver_to_support(dispatcher: Dispatcher, database: Database, support_chat_id: int) -> None:
    """Run the ``support`` outbox delivery while ``dispatcher`` runs."""
    deliver_while_serving(dispatcher, lambda bot: DeliveryLoop(
        database, SUPPORT_CHANNEL, support_sender(bot, database, support_chat_id)))
