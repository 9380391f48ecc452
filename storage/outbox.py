"""The outbox: notices for chats outside their own turn, queued where they are decided.

A usage alert, an agent's answer or a customer's message relayed to support is
decided inside some transaction (a turn, a recorded usage event, a command). It is
queued here, in that transaction, so it exists exactly when what caused it was
committed; each channel's delivery (``bot.delivery``) claims and sends it afterwards.

Claiming is one statement on both backends: ``UPDATE … WHERE id IN (SELECT … FOR
UPDATE SKIP LOCKED)`` on PostgreSQL, so workers sharing the database never claim the
same row (SQLite has one writer and no ``FOR UPDATE``). A claim is a lease: a worker
that dies mid-send leaves the row to be claimed again when the lease runs out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ColumnElement

from flows.ports import OUTBOX, Notice
from flows.types import Choice, ConversationKey
from storage.capabilities import TurnScope, provides
from storage.models import OutboxMessage

LEASE = timedelta(seconds=30)  # a send takes well under a second; a dead worker's claims return
MAX_ATTEMPTS = 5  # then the notice is given up (and logged by the delivery)

_row = OutboxMessage
_pending = and_(_row.delivered_at.is_(None), _row.gave_up_at.is_(None))


@dataclass(frozen=True, slots=True)
class Claimed:
    """A notice this worker now holds for ``LEASE``: send it, then settle it."""

    id: int
    notice: Notice
    attempts: int  # including this one


async def enqueue(connection: AsyncConnection, notices: Iterable[Notice], now: datetime) -> None:
    """Queue ``notices`` in the caller's transaction (one statement)."""
    rows = [
        {
            "channel": notice.to.channel,
            "chat_id": notice.to.chat_id,
            "thread_id": notice.thread_id,
            "text": notice.text,
            "choices": [[choice.label, choice.token] for choice in notice.choices],
            "created_at": now,
            "attempts": 0,
        }
        for notice in notices
    ]
    if rows:
        await connection.execute(insert(OutboxMessage), rows)


def _due(channel: str, now: datetime, chat_id: str | None) -> list[ColumnElement[bool]]:
    unclaimed = or_(_row.claimed_until.is_(None), _row.claimed_until < now)
    where = [_row.channel == channel, _pending, unclaimed]
    if chat_id is not None:
        where.append(_row.chat_id == chat_id)
    return where


async def has_due(
    connection: AsyncConnection, channel: str, now: datetime, chat_id: str | None = None
) -> bool:
    """Whether ``channel`` (or one chat of it) has a notice to claim: a read, so an idle
    delivery loop never takes the write connection."""
    return bool(await connection.scalar(select(exists().where(*_due(channel, now, chat_id)))))


async def claim(
    connection: AsyncConnection,
    channel: str,
    now: datetime,
    *,
    chat_id: str | None = None,
    limit: int = 50,
) -> list[Claimed]:
    """Claim up to ``limit`` due notices of ``channel`` (oldest first) for ``LEASE``."""
    due = (
        select(_row.id)
        .where(*_due(channel, now, chat_id))
        .order_by(_row.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = await connection.execute(
        update(_row)
        .where(_row.id.in_(due.scalar_subquery()))
        .values(claimed_until=now + LEASE, attempts=_row.attempts + 1)
        .returning(_row.id, _row.channel, _row.chat_id, _row.thread_id,
                   _row.text, _row.choices, _row.attempts)
    )
    found = [
        Claimed(
            id=row.id,
            notice=Notice(
                to=ConversationKey(row.channel, row.chat_id),
                text=row.text,
                choices=tuple(Choice(label, token) for label, token in row.choices),
                thread_id=row.thread_id,
            ),
            attempts=row.attempts,
        )
        for row in claimed
    ]
    return sorted(found, key=lambda item: item.id)  # RETURNING keeps no order


async def settle(
    connection: AsyncConnection,
    *,
    delivered: Sequence[int] = (),
    given_up: Sequence[int] = (),
    now: datetime,
) -> None:
    """Mark notices delivered, or given up for good; the others wait for their lease."""
    if delivered:
        await connection.execute(
            update(_row).where(_row.id.in_(delivered)).values(delivered_at=now)
        )
    if given_up:
        await connection.execute(
            update(_row).where(_row.id.in_(given_up)).values(gave_up_at=now)
        )


async def drop_for_chat(connection: AsyncConnection, key: ConversationKey, now: datetime) -> None:
    """Give up every notice still waiting for ``key``: the chat was unlinked, and what
    was queued for its user (an alert, an agent's answer) must not reach whoever holds
    the chat now."""
    await connection.execute(
        update(_row)
        .where(_row.channel == key.channel, _row.chat_id == key.chat_id, _pending)
        .values(gave_up_at=now)
    )


@provides(OUTBOX)
class SqlOutbox:
    """:class:`flows.ports.Outbox` on the update's shared writer: notices commit with
    the rest of the update, or not at all."""

    def __init__(self, turn: TurnScope) -> None:
        self._turn = turn

    async def post(self, *notices: Notice) -> None:
        """Queue ``notices`` with the update."""
        if notices:
            await enqueue(await self._turn.writer(), notices, datetime.now(UTC))
