"""Limits on wrong link codes, per chat and in total, counted in the database.

Each wrong code is a row in ``link_attempts``. Whether a chat is locked is a question
asked of the recent rows, inside the redeeming transaction, so the limit holds across
restarts and across worker processes that share one database. Any channel (Telegram,
web) uses it, keyed by channel + external chat id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import LinkAttempt
from storage.sql import execute_dml


@dataclass(frozen=True, slots=True)
class LinkLimits:
    """How many wrong codes are tolerated within ``window_seconds``.

    ``per_chat`` stops one chat guessing; ``total`` (all chats together) stops guessing
    spread over many chats. A failure counts for ``window_seconds``, so a lock-out lasts
    at most that long after the failure that caused it.
    """

    per_chat: int = 5
    total: int = 100
    window_seconds: int = 900

    def __post_init__(self) -> None:
        if min(self.per_chat, self.total, self.window_seconds) < 1:
            raise ValueError(f"link limits must be positive: {self}")

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.window_seconds)


DEFAULT_LINK_LIMITS = LinkLimits()


class LockScope(StrEnum):
    CHAT = "chat"  # this chat sent too many wrong codes
    TOTAL = "total"  # all chats together did


@dataclass(frozen=True, slots=True)
class Lock:
    """Codes are not accepted from the chat until ``until``, because of ``scope``."""

    scope: LockScope
    until: datetime


async def current_lock(
    connection: AsyncConnection, channel: str, external_id: str, now: datetime, limits: LinkLimits
) -> Lock | None:
    """The lock on redeeming codes in this chat at ``now``, or None; one SELECT.

    When both limits are reached, the lock that lasts longer is returned: the chat
    may try again only when both have lifted.
    """
    cutoff = now - limits.window
    this_chat = (LinkAttempt.channel == channel, LinkAttempt.external_id == external_id)
    row = (
        await connection.execute(
            select(
                _nth_latest(limits.per_chat, cutoff, *this_chat).label("chat"),
                _nth_latest(limits.total, cutoff).label("total"),
            )
        )
    ).one()
    locks = [
        Lock(scope, started + limits.window)
        for scope, started in ((LockScope.CHAT, row.chat), (LockScope.TOTAL, row.total))
        if started is not None
    ]
    return max(locks, key=lambda lock: lock.until, default=None)


def _nth_latest(n: int, cutoff: datetime, *where: ColumnElement[bool]) -> ScalarSelect[Any]:
    """When the ``n``-th most recent failure in the window happened, or NULL if fewer.

    There are at least ``n`` failures in the window exactly when it is not NULL, and the
    limit lifts when that failure leaves the window. An index walk of ``n`` rows, cheaper
    than counting and it also says when to come back.
    """
    return (
        select(LinkAttempt.created_at)
        .where(LinkAttempt.created_at > cutoff, *where)
        .order_by(LinkAttempt.created_at.desc())
        .offset(n - 1)
        .limit(1)
        .scalar_subquery()
    )


async def record_failure(
    connection: AsyncConnection,
    channel: str,
    external_id: str,
    outcome: str,
    now: datetime,
    limits: LinkLimits,
) -> None:
    """Count one wrong code for the chat, and forget failures that count no more.

    Pruning here keeps the table about as small as the limits themselves: failures are
    only recorded while no limit is reached. Under concurrent chats (PostgreSQL) the
    total may overshoot by the number of redemptions in flight; the per-chat count is
    exact because one chat's updates are handled one at a time.
    """
    await connection.execute(
        insert(LinkAttempt).values(
            channel=channel, external_id=external_id, outcome=outcome, created_at=now
        )
    )
    stale = delete(LinkAttempt).where(LinkAttempt.created_at <= now - limits.window)
    await execute_dml(connection, stale)
