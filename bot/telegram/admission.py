"""Admission: how many updates one worker has in flight, and the bound past which it sheds.

Past the knee a worker that takes every update only grows its queue: replies arrive
tens of seconds late and memory grows. So each worker holds at most ``MAX_IN_FLIGHT``
updates (running or waiting for their chat's lock) and answers the rest at once: the
webhook with HTTP 503 and ``Retry-After`` (Telegram delivers the update again later),
polling with a short "busy" reply (:mod:`bot.telegram.middlewares.shedding`).

There is one :class:`Admission` per dispatcher, so an update is counted once: the
webhook endpoint takes its slot before scheduling it and marks it :data:`ADMITTED`;
the shedding middleware counts only what arrives unmarked (polling).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from aiogram import Dispatcher

DEFAULT_MAX_IN_FLIGHT = 256
WORKFLOW_KEY = "admission"  # where build_dispatcher keeps it in the dispatcher's data
ADMITTED = "admitted"  # handler data flag: this update already holds a slot


class Admission:
    """A counter of updates in flight with a bound; not a queue: past it, callers refuse.

    Synchronous on purpose: checking and taking a slot happen with no ``await`` in
    between, so concurrent requests on the event loop never overshoot the bound.
    """

    def __init__(self, limit: int = DEFAULT_MAX_IN_FLIGHT) -> None:
        if limit < 1:
            raise ValueError("MAX_IN_FLIGHT must be at least 1")
        self.limit = limit
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        """Updates admitted and not finished yet."""
        return self._in_flight

    def try_enter(self) -> bool:
        """Take a slot; False (and nothing taken) when ``limit`` are in flight already."""
        if self._in_flight >= self.limit:
            return False
        self._in_flight += 1
        return True

    def leave(self) -> None:
        """Give back a slot taken by :meth:`try_enter`."""
        if self._in_flight <= 0:
            raise RuntimeError("Admission.leave() without a slot")
        self._in_flight -= 1

    @classmethod
    def of(cls, dispatcher: Dispatcher) -> Admission:
        """The dispatcher's admission (kept there by ``build_dispatcher``), else a new one."""
        found = dispatcher.get(WORKFLOW_KEY)
        if isinstance(found, Admission):
            return found
        admission = cls()
        dispatcher[WORKFLOW_KEY] = admission
        return admission


class EverySecond:
    """Logs a repeated warning at most once per ``interval``, saying how many it held back.

    Shedding happens in bursts of hundreds a second; one line a second says as much.
    """

    def __init__(self, logger: logging.Logger, interval: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._log = logger
        self._interval = interval
        self._clock = clock
        self._last: float | None = None
        self._held = 0

    def warning(self, message: str, *args: Any) -> None:
        now = self._clock()
        if self._last is not None and now - self._last < self._interval:
            self._held += 1
            return
        if self._held:
            message += " (and %d more like it since the last line)"
            args = (*args, self._held)
        self._log.warning(message, *args)
        self._last = now
        self._held = 0
