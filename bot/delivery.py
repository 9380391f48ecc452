"""Delivering the outbox: each channel sends the notices queued for its chats.

:func:`deliver_pending` is one pass: claim what is due for a channel (or one chat),
send it with the channel's ``send``, mark it delivered. Chats are served at once,
each chat's notices in the order they were queued. :class:`DeliveryLoop` runs passes
for as long as a bot runs: woken by :meth:`DeliveryLoop.wake` when this process queued
something, and otherwise looking every ``interval`` seconds (another process, or the
command line, may have queued it). Between passes an idle loop only reads.

Delivery is at least once: a notice sent but not yet marked when its worker dies is
sent again after the lease. A send that fails is tried again after the lease, up to
``storage.outbox.MAX_ATTEMPTS`` times; :class:`Undeliverable` gives up at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from flows.ports import Notice
from storage.outbox import MAX_ATTEMPTS, Claimed, claim, has_due, settle
from storage.unit_of_work import Database

log = logging.getLogger(__name__)

Send = Callable[[Notice], Awaitable[None]]
"""A channel's way of sending one notice to its chat; raises when it could not."""

POLL_SECONDS = 1.0


class Undeliverable(Exception):
    """The channel will never deliver this notice (the user blocked the bot, the chat is
    gone): it is given up at once instead of being tried again."""


def _now() -> datetime:
    return datetime.now(UTC)


async def deliver_pending(
    database: Database, channel: str, send: Send, *, chat_id: str | None = None
) -> list[Notice]:
    """Send every notice due now on ``channel`` (only ``chat_id``'s, if given); returns
    those delivered, in order."""
    delivered: list[Notice] = []
    while True:
        async with database.reading() as connection:
            if not await has_due(connection, channel, _now(), chat_id):
                return delivered
        async with database.transaction() as connection:
            claimed = await claim(connection, channel, _now(), chat_id=chat_id)
        if not claimed:  # another worker was quicker
            return delivered
        by_chat: dict[str, list[Claimed]] = defaultdict(list)
        for item in claimed:
            by_chat[item.notice.to.chat_id].append(item)
        outcomes = await asyncio.gather(*(_send_in_order(send, items)
                                          for items in by_chat.values()))
        sent = [item for done, _ in outcomes for item in done]
        dropped = [item.id for _, gone in outcomes for item in gone]
        async with database.transaction() as connection:
            await settle(connection, delivered=[item.id for item in sent],
                         given_up=dropped, now=_now())
        delivered.extend(item.notice for item in sorted(sent, key=lambda item: item.id))


async def _send_in_order(send: Send, items: list[Claimed]) -> tuple[list[Claimed], list[Claimed]]:
    """Send one chat's notices in order; stop at the first that fails (the rest keep
    their order and go with it next time). Returns (delivered, given up)."""
    done: list[Claimed] = []
    for item in items:
        try:
            await send(item.notice)
        except Undeliverable as reason:
            log.warning("notice %d to %s given up: %s", item.id, item.notice.to, reason)
            return done, items[len(done):]
        except Exception:
            if item.attempts >= MAX_ATTEMPTS:
                log.exception("notice %d to %s given up after %d attempts",
                              item.id, item.notice.to, item.attempts)
                return done, [item]
            log.exception("notice %d to %s not sent; trying again later",
                          item.id, item.notice.to)
            return done, []
        done.append(item)
    return done, []


class DeliveryLoop:
    """Delivers one channel's notices in the background while a bot runs."""

    def __init__(
        self, database: Database, channel: str, send: Send, *, interval: float = POLL_SECONDS
    ) -> None:
        self._database = database
        self._channel = channel
        self._send = send
        self._interval = interval
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start delivering (in the running event loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"deliver-{self._channel}")

    def wake(self) -> None:
        """Something was queued: look now rather than at the next interval."""
        self._woken.set()

    async def stop(self) -> None:
        """Stop; a pass under way is cancelled (its claims return after the lease)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await deliver_pending(self._database, self._channel, self._send)
            except Exception:  # the database is away: try again at the next interval
                log.exception("delivering %s notices failed", self._channel)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._woken.wait()
            self._woken.clear()
