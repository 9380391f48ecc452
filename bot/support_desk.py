"""What a support agent does with a ticket, whichever way they work: answer, close.

The command line (``python -m bot support``), the support group's topics
(``bot.telegram.support``) and conversation scripts (the ``agent:`` step) all go
through here, so an answer is the same wherever it was typed: kept on the ticket and
queued in the outbox for the customer's chat, in one transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from flows.handover import support_key
from flows.handover_wording import agent_line, handed_back
from flows.i18n import use_language
from flows.ports import Notice
from storage.languages import chat_language
from storage.outbox import enqueue
from storage.ticket_queries import TicketRow, find_ticket
from storage.tickets import AGENT, BOT, add_message, close_ticket
from storage.unit_of_work import Database

DEFAULT_AGENT = "Support team"


class TicketProblem(Exception):
    """The ticket cannot be acted on (unknown, closed); the message says so for agents."""


async def _open_ticket(connection: AsyncConnection, reference: str | None,
                       thread_id: int | None) -> TicketRow:
    """The open ticket, read in the writing transaction: it cannot close meanwhile."""
    ticket = await find_ticket(connection, reference=reference, thread_id=thread_id)
    if ticket is None:
        raise TicketProblem(f"There is no ticket {reference}." if reference is not None
                            else "This topic belongs to no ticket.")
    if not ticket.is_open:
        raise TicketProblem(f"{ticket.reference} is closed; the customer was not sent anything.")
    return ticket


async def answer(
    database: Database, text: str, now: datetime, *, reference: str | None = None,
    thread_id: int | None = None, agent: str = DEFAULT_AGENT,
) -> TicketRow:
    """Keep the agent's ``text`` on the ticket and queue it for the customer's chat."""
    agent = _named(agent)
    if not text.strip():
        raise TicketProblem("The answer is empty; nothing was sent.")
    async with database.transaction() as connection:
        ticket = await _open_ticket(connection, reference, thread_id)
        await add_message(connection, ticket.id, AGENT, agent, text, now)
        with use_language(await chat_language(connection, ticket.customer)):
            notice = Notice(to=ticket.customer, text=agent_line(agent, text))
        await enqueue(connection, [notice], now)
    return ticket


async def close(
    database: Database, now: datetime, *, reference: str | None = None,
    thread_id: int | None = None, agent: str = DEFAULT_AGENT, to_group: bool = False,
) -> TicketRow:
    """Close the ticket: the customer's chat goes back to the bot and they are told so.

    ``to_group``: say so in the ticket's topic too (closed from elsewhere)."""
    agent = _named(agent)
    async with database.transaction() as connection:
        ticket = await _open_ticket(connection, reference, thread_id)
        if not await close_ticket(connection, ticket.id, now):
            raise TicketProblem(f"{ticket.reference} is closed already.")
        line = closed_line(ticket, agent)
        await add_message(connection, ticket.id, BOT, "bot", line, now)
        with use_language(await chat_language(connection, ticket.customer)):
            notices = [Notice(to=ticket.customer, text=handed_back(ticket.reference))]
        if to_group:
            notices.append(Notice(to=support_key(ticket.id), text=line))
        await enqueue(connection, notices, now)
    return ticket


def _named(agent: str) -> str:
    """The agent's name as people read it: a blank one is the support team's."""
    return " ".join(agent.split()) or DEFAULT_AGENT


def closed_line(ticket: TicketRow, agent: str) -> str:
    """What the support group reads when a ticket is closed."""
    return f"✅ {agent} closed {ticket.reference}; the customer is talking to the bot again."
