"""Requests that arrive together run as one statement.

Every update reads its conversation and user and, at the end, saves the
conversation. On a busy bot many updates do so at the same moment; running
each as its own statement pays a round trip (on SQLite, several hops to the
driver's thread) per update. A :class:`Batcher` queues the requests that
arrive while a batch is running and runs them all as the next batch, so the
round trips are shared: one when the bot is quiet, a few per hundred updates
when it is busy. Nothing waits for a batch to fill up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
R = TypeVar("R")
V = TypeVar("V")

log = logging.getLogger(__name__)


class Batcher(Generic[K, R, V]):
    """Runs ``run`` over the requests queued together; one batch at a time.

    A request is a key and a value (``None`` for reads). A batch never holds
    the same key twice: a second request for a key waits for the next batch,
    so one batch never writes one row twice. When ``run`` raises, every request
    of that batch gets the exception.
    """

    def __init__(
        self,
        run: Callable[[Sequence[tuple[K, V]]], Awaitable[Mapping[K, R]]],
        max_size: int = 100,
    ) -> None:
        self._run = run
        self._max_size = max_size
        self._queue: list[tuple[K, V, asyncio.Future[R]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def submit(self, key: K, value: V) -> R:
        """Queue one request and wait for its batch's result for ``key``."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((key, value, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch = self._next_batch()
                if not batch:
                    continue
                try:
                    results = await self._run([(key, value) for key, value, _ in batch])
                except BaseException as error:
                    for _, _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    if not isinstance(error, Exception):
                        raise  # cancelled (shutting down): the next submit drains the rest
                    continue
                for key, _, future in batch:
                    if not future.done():
                        future.set_result(results[key])
        finally:
            self._draining = None

    def _next_batch(self) -> list[tuple[K, V, asyncio.Future[R]]]:
        batch: list[tuple[K, V, asyncio.Future[R]]] = []
        keys: set[K] = set()
        rest: list[tuple[K, V, asyncio.Future[R]]] = []
        for item in self._queue:
            key, _, future = item
            if future.done():  # its caller was cancelled while queued
                continue
            if key in keys or len(batch) >= self._max_size:
                rest.append(item)
            else:
                keys.add(key)
                batch.append(item)
        self._queue = rest
        return batch
