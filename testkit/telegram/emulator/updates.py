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

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.pending: list[dict[str, Any]] = []
        self.next_update_id = 100_000_001
        self.webhook: dict[str, Any] | None = None
        self.allowed_updates: list[str] | None = None
        self.batches: list[list[int]] = []  # update ids handed out per getUpdates call
        self._arrived = asyncio.Event()
        self.closing = False  # set by close(): long polls return at once

    def enqueue(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, **body}
        self.next_update_id += 1
        self.pending.append(update)
        self.wake()
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
        if self.webhook is not None:
            raise e.ApiError(409, e.WEBHOOK_ACTIVE)
        offset = p.integer("offset")
        if offset is not None:
            self.confirm(offset if offset >= 0 else self.next_update_id + offset)
        if p.has("allowed_updates"):
            self.allowed_updates = list(p.json("allowed_updates") or []) or None
        limit = min(max(p.integer("limit", 100) or 100, 1), 100)
        deadline = self.clock() + max(0, p.integer("timeout", 0) or 0)
        while not (ready := self.deliverable(limit)):
            remaining = deadline - self.clock()
            if remaining <= 0 or self.closing:
                break
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                break
        self.batches.append([u["update_id"] for u in ready])
        return ready

    async def next_webhook_update(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Wait until a webhook is set and an update is pending: (webhook, oldest update)."""
        while self.webhook is None or not (ready := self.deliverable(1)):
            self._arrived.clear()
            await self._arrived.wait()
        return self.webhook, ready[0]

