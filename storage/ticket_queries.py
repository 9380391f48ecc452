"""Reading tickets for agents: the open ones, one by reference or topic, its transcript."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.types import ConversationKey
from storage import models as m
from storage.tickets import OPEN


@dataclass(frozen=True, slots=True)
class TicketRow:
    """A ticket with whom and which account it is about, and its latest message."""

    id: int
    reference: str
    status: str
    account_name: str
    user_name: str
    email: str
    customer: ConversationKey  # where agents' answers go
    thread_id: int | None
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    last_text: str

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def title(self) -> str:
        """The ticket's topic title in the support group (Telegram allows 128 characters)."""
        return f"{self.reference} · {self.account_name} · {self.user_name}"[:128]


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One message of a ticket's transcript."""

    author: str  # customer | agent | bot
    name: str
    text: str
    created_at: datetime


def _tickets() -> Select[Any, *tuple[Any, ...]]:
    t, latest = m.Ticket, m.TicketMessage
    last = (
        select(latest.text).where(latest.ticket_id == t.id)
        .order_by(latest.id.desc()).limit(1).scalar_subquery()
    )
    return (
        select(t.id, t.reference, t.status, m.Account.name.label("account_name"),
               m.User.name.label("user_name"), m.User.email, t.channel, t.chat_id,
               t.thread_id, t.opened_at, t.updated_at, t.closed_at,
               func.coalesce(last, "").label("last_text"))
        .join(m.Account, m.Account.id == t.account_id)
        .join(m.User, m.User.id == t.user_id)
    )


def _row(row: Row[Any, *tuple[Any, ...]]) -> TicketRow:
    return TicketRow(
        id=row.id, reference=row.reference, status=row.status,
        account_name=row.account_name, user_name=row.user_name, email=row.email,
        customer=ConversationKey(row.channel, row.chat_id), thread_id=row.thread_id,
        opened_at=row.opened_at, updated_at=row.updated_at, closed_at=row.closed_at,
        last_text=row.last_text,
    )


async def find_ticket(
    connection: AsyncConnection, *, reference: str | None = None, thread_id: int | None = None,
    ticket_id: int | None = None,
) -> TicketRow | None:
    """The ticket with this reference (any case), topic or id; None when there is none."""
    query = _tickets()
    if reference is not None:
        query = query.where(m.Ticket.reference == reference.strip().upper())
    if thread_id is not None:
        query = query.where(m.Ticket.thread_id == thread_id)
    if ticket_id is not None:
        query = query.where(m.Ticket.id == ticket_id)
    row = (await connection.execute(query)).first()
    return _row(row) if row is not None else None


async def open_tickets(connection: AsyncConnection) -> list[TicketRow]:
    """Every open ticket, the longest waiting first."""
    query = _tickets().where(m.Ticket.status == OPEN).order_by(m.Ticket.opened_at, m.Ticket.id)
    return [_row(row) for row in await connection.execute(query)]


async def transcript(connection: AsyncConnection, ticket_id: int) -> list[MessageRow]:
    """The ticket's messages, oldest first (the summary is the first)."""
    tm = m.TicketMessage
    query = (select(tm.author, tm.name, tm.text, tm.created_at)
             .where(tm.ticket_id == ticket_id).order_by(tm.id))
    return [MessageRow(*row) for row in await connection.execute(query)]


async def latest_ticket_of(connection: AsyncConnection, email: str) -> TicketRow | None:
    """The newest ticket of the user with this e-mail (open or not)."""
    query = (_tickets().where(m.User.email == email.strip().lower())
             .order_by(m.Ticket.id.desc()).limit(1))
    row = (await connection.execute(query)).first()
    return _row(row) if row is not None else None
