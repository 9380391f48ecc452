"""Tickets: a customer handed over to a person, with every message said on either side.

The writes every side shares (open, add a message, close) are functions of a
connection, used by the handover flow through :class:`SqlTicketDesk` (its
``TICKETS`` capability, in the update's unit of work) and by the support desk
(``bot.support_desk``: agents answering from the command line or the support group).
Reads for agents are in :mod:`storage.ticket_queries`.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.handover import TICKETS, HandoverFlow, TicketInfo, support_key
from flows.handover_wording import logged_out
from flows.ports import Notice, UserContext
from flows.types import ConversationKey
from storage import models as m
from storage.capabilities import TurnScope, provides
from storage.outbox import enqueue
from storage.sql import execute_dml

OPEN, CLOSED = "open", "closed"
CUSTOMER, AGENT, BOT = "customer", "agent", "bot"


async def new_reference(connection: AsyncConnection) -> str:
    """A short reference not in use yet: ``T-`` and four digits, more once those run short.

    The unique index keeps two processes from sharing one all the same (the later
    update fails and is run again)."""
    digits = 4
    while True:
        for _ in range(20):
            reference = f"T-{secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1)}"
            taken = await connection.scalar(
                select(m.Ticket.id).where(m.Ticket.reference == reference)
            )
            if taken is None:
                return reference
        digits += 1


async def open_ticket_of(connection: AsyncConnection, user_id: int) -> TicketInfo | None:
    """The user's open ticket, if they have one."""
    row = (await connection.execute(
        select(m.Ticket.id, m.Ticket.reference, m.Ticket.opened_at)
        .where(m.Ticket.user_id == user_id, m.Ticket.status == OPEN)
    )).first()
    return TicketInfo(row.id, row.reference, row.opened_at) if row is not None else None


async def open_ticket(
    connection: AsyncConnection, user: UserContext, key: ConversationKey, summary: str,
    now: datetime,
) -> TicketInfo:
    """The user's open ticket, now answering in ``key``; else a new one opened with
    ``summary`` as its first message (written by the bot)."""
    ticket = await open_ticket_of(connection, user.user_id)
    if ticket is not None:
        await connection.execute(
            update(m.Ticket).where(m.Ticket.id == ticket.ticket_id)
            .values(channel=key.channel, chat_id=key.chat_id, updated_at=now)
        )
        return ticket
    reference = await new_reference(connection)
    ticket_id = await connection.scalar(
        insert(m.Ticket).values(
            reference=reference, account_id=user.account_id, user_id=user.user_id,
            channel=key.channel, chat_id=key.chat_id, status=OPEN, opened_at=now,
            updated_at=now,
        ).returning(m.Ticket.id)
    )
    assert ticket_id is not None
    await add_message(connection, ticket_id, BOT, "bot", summary, now)
    return TicketInfo(ticket_id, reference, now, new=True)


async def add_message(
    connection: AsyncConnection, ticket_id: int, author: str, name: str, text: str,
    now: datetime,
) -> None:
    """Keep one message on the ticket and mark the ticket as active now."""
    await connection.execute(
        insert(m.TicketMessage).values(
            ticket_id=ticket_id, author=author, name=name, text=text, created_at=now
        )
    )
    await connection.execute(
        update(m.Ticket).where(m.Ticket.id == ticket_id).values(updated_at=now)
    )


async def close_ticket(
    connection: AsyncConnection, ticket_id: int, now: datetime,
    keep: frozenset[ConversationKey] = frozenset(),
) -> bool:
    """Close the ticket and send its customer's chat back to the bot, if it is still with
    a person; False when it was closed already. The chat's record version is bumped, so
    a turn of that chat running meanwhile runs again on the record left here; a chat in
    ``keep`` is the update's own, which the engine saves itself."""
    closed = await execute_dml(connection, update(m.Ticket).where(
        m.Ticket.id == ticket_id, m.Ticket.status == OPEN
    ).values(status=CLOSED, closed_at=now, updated_at=now))
    if not closed:
        return False
    conv = m.Conversation
    chat = select(m.Ticket.channel, m.Ticket.chat_id).where(m.Ticket.id == ticket_id)
    key = (await connection.execute(chat)).one()
    if ConversationKey(key.channel, key.chat_id) in keep:
        return True
    await connection.execute(
        update(conv).where(and_(
            conv.channel == key.channel, conv.chat_id == key.chat_id,
            conv.flow == HandoverFlow.flow_name,
        )).values(flow=None, state=None, menu_token=None, expires_at=None,
                  version=conv.version + 1)
    )
    return True


async def end_tickets_in_chat(
    connection: AsyncConnection, key: ConversationKey, now: datetime, *, to_group: bool
) -> list[str]:
    """Close the open tickets answering in ``key``'s chat, which is no longer linked to
    anyone (``/logout``): agents' answers must not reach it. The support team is told on
    the ticket, and in its topic when ``to_group``. The references closed."""
    rows = (await connection.execute(
        select(m.Ticket.id, m.Ticket.reference, m.User.name)
        .join(m.User, m.User.id == m.Ticket.user_id)
        .where(m.Ticket.channel == key.channel, m.Ticket.chat_id == key.chat_id,
               m.Ticket.status == OPEN)
    )).all()
    for row in rows:
        line = logged_out(row.name, row.reference)
        await add_message(connection, row.id, BOT, "bot", line, now)
        await close_ticket(connection, row.id, now)
        if to_group:
            await enqueue(connection, [Notice(to=support_key(row.id), text=line)], now)
    return [row.reference for row in rows]


@provides(TICKETS)
class SqlTicketDesk:
    """:class:`flows.handover.TicketDesk` on the update's shared writer."""

    def __init__(self, turn: TurnScope) -> None:
        self._turn = turn

    async def open_ticket(
        self, *, user: UserContext, key: ConversationKey, summary: str, now: datetime
    ) -> TicketInfo:
        return await open_ticket(await self._turn.writer(), user, key, summary, now)

    async def customer_says(
        self, *, user: UserContext, key: ConversationKey, text: str, now: datetime
    ) -> TicketInfo | None:
        connection = await self._turn.writer()
        ticket = await open_ticket_of(connection, user.user_id)
        if ticket is not None:
            await add_message(connection, ticket.ticket_id, CUSTOMER, user.user_name, text, now)
        return ticket

    async def end_ticket(
        self, *, user: UserContext, note: str, now: datetime
    ) -> TicketInfo | None:
        connection = await self._turn.writer()
        ticket = await open_ticket_of(connection, user.user_id)
        if ticket is not None:
            await add_message(connection, ticket.ticket_id, BOT, "bot", note, now)
            await close_ticket(connection, ticket.ticket_id, now, self._turn.loaded)
        return ticket


async def set_thread(connection: AsyncConnection, ticket_id: int, thread_id: int) -> int:
    """Give the ticket its topic in the support group, unless it has one already; the
    topic it has now (never two topics for one ticket, whoever created one first)."""
    await execute_dml(connection, update(m.Ticket).where(
        m.Ticket.id == ticket_id, m.Ticket.thread_id.is_(None)
    ).values(thread_id=thread_id))
    kept = await connection.scalar(select(m.Ticket.thread_id).where(m.Ticket.id == ticket_id))
    assert kept is not None
    return int(kept)
