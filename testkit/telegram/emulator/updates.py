"""Pending updates: getUpdates with offsets and long polling, and the webhook's queue."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from testkit.telegram.emulator import errors as e
from testkit.telegram.emulator.params import Params


class UpdateQueue:
    """Mixin of :class:`FakeTelegram`: updates wait here until confirmed.

    Confirmation is Telegram's: ``getUpdates(offset=N)`` forgets every update below N;
    a webhook delivery answered 2xx confirms that update.
    """

    def __init__(self, clock: Callable[[], float], *, conflict_pause: float = 3.0) -> None:
        self.clock = clock
        # Telegram answers one 409 Conflict per this many seconds at once; the others
        # after this long (so two pollers fighting over a token cannot spin).
        self.conflict_pause = conflict_pause
        self._next_conflict = float("-inf")
        self._long_poll: asyncio.Future[str] | None = None  # the held getUpdates, if any
        self.pending: list[dict[str, Any]] = []
        self.next_update_id = 100_000_001
        self.webhook: dict[str, Any] | None = None
        self.allowed_updates: list[str] | None = None
        self.batches: list[list[int]] = []  # update ids handed out per getUpdates call
        self._arrived = asyncio.Event()
        self.closing = False  # set by close(): long polls return at once

    def enqueue(self, body: dict[str, Any]) -> dict[str, Any]:
        update = self.numbered(body)
        self.pending.append(update)
        self.wake()
        return update

    def numbered(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` as an update with the next update id, not queued (the caller
        delivers it: a test posting straight to a webhook, as Telegram would)."""
        update = {"update_id": self.next_update_id, **body}
        self.next_update_id += 1
        return update

    def close(self) -> None:
        """End pending long polls now (a server shutting down does not wait for them)."""
        self.closing = True
        self.wake()

    def wake(self) -> None:
        """Wake long polls and the webhook sender (new updates, or the webhook changed)."""
        self._arrived.set()

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset`` (getUpdates' and the webhook's confirmation)."""
        self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def deliverable(self, limit: int = 100) -> list[dict[str, Any]]:
        allowed = self.allowed_updates
        ready = [u for u in self.pending if not allowed or any(k in u for k in allowed)]
        return ready[:limit]

    async def get_updates(self, p: Params) -> list[dict[str, Any]]:
        """Telegram's rules: refused while a webhook is set; a long poll (``timeout``
        with nothing to hand out) is held, and ends the one held before it, which is
        answered 409 "terminated by other getUpdates request"."""
        if self.webhook is not None:
            await self.conflict(e.WEBHOOK_ACTIVE)
        offset = p.integer("offset")
        if offset is not None:
            self.confirm(offset if offset >= 0 else self.next_update_id + offset)
        if p.has("allowed_updates"):
            self.allowed_updates = list(p.json("allowed_updates") or []) or None
        limit = min(max(p.integer("limit", 100) or 100, 1), 100)
        timeout = max(0, p.integer("timeout", 0) or 0)
        ready = self.deliverable(limit)
        if not ready and timeout and not self.closing:
            ready = await self._hold(limit, self.clock() + timeout)
        self.batches.append([u["update_id"] for u in ready])
        return ready

    async def _hold(self, limit: int, deadline: float) -> list[dict[str, Any]]:
        """Hold a long poll until updates arrive, ``deadline`` passes, or another long
        poll or a setWebhook ends it (409)."""
        self.abort_long_poll(e.TERMINATED_BY_OTHER_POLL)
        ended = self._long_poll = asyncio.get_running_loop().create_future()
        try:
            while not (ready := self.deliverable(limit)):
                remaining = deadline - self.clock()
                if remaining <= 0 or self.closing:
                    break
                self._arrived.clear()
                arrived = asyncio.ensure_future(self._arrived.wait())
                await asyncio.wait({arrived, ended}, timeout=remaining,
                                   return_when=asyncio.FIRST_COMPLETED)
                arrived.cancel()
                if ended.done():
                    await self.conflict(ended.result())
        finally:
            if self._long_poll is ended:
                self._long_poll = None
        return ready

    def abort_long_poll(self, description: str) -> None:
        """End the held long poll, if any, with a 409 saying ``description``."""
        if self._long_poll is not None and not self._long_poll.done():
            self._long_poll.set_result(description)
        self._long_poll = None

    async def conflict(self, description: str) -> None:
        """Raise 409 ``description``: at once for the first in ``conflict_pause``
        seconds, after ``conflict_pause`` seconds for the others (Telegram's pacing)."""
        now = self.clock()
        if now >= self._next_conflict:
            self._next_conflict = now + self.conflict_pause
        else:
            await asyncio.sleep(self.conflict_pause)
        raise e.ApiError(409, description)

    async def next_webhook_update(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Wait until a webhook is set and an update is pending: (webhook, oldest update)."""
        while self.webhook is None or not (ready := self.deliverable(1)):
            self._arrived.clear()
            await self._arrived.wait()
        return self.webhook, ready[0]

