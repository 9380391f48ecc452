"""Flood guard: cost of one update by the number of users active in the minute.

    .venv/bin/python benchmarks/flood.py [--seconds 0.3]

Runs the flood guard before issue 9 (copied below as ``DequeScanGuardBefore``, the
baseline) and today's :class:`bot.flood.FloodGuard` in the same
run, on the same stream: N users were active in the last minute, then updates keep
arriving from those users (all within the window, all under the limit). Prints µs
per update for each, and the memory each keeps per user (tracemalloc).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.flood import FloodGuard

WINDOW_SECONDS = 60.0
POPULATIONS = (1_000, 10_000, 10_001, 50_000, 200_000)
LIMIT = 1_000  # high: every update is allowed, the path every ordinary user takes


class DequeScanGuardBefore:
    """BASELINE: the guard's algorithm before issue 9 (``_allow``/``_forget_idle``, verbatim).

    A deque of timestamps per user; past 10,000 users seen in the minute, every
    allowed update scans all of them for idle ones.
    """

    def __init__(self, limit_per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit_per_minute
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def preload(self, users: range, now: float) -> None:
        """The state ``allow`` would reach for ``users`` each seen once at ``now``.

        Reaching it through ``allow`` scans on every insert past 10,000 users
        (quadratic: hours for 200,000); the state is the same either way.
        """
        for user in users:
            self._hits[user] = deque([now])

    def allow(self, user_id: int) -> bool:
        now = self._clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - WINDOW_SECONDS:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        if len(self._hits) > 10_000:
            self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, h in self._hits.items() if not h or h[-1] <= now - WINDOW_SECONDS]:
            del self._hits[user_id]
            self._warned.pop(user_id, None)


class Guard(Protocol):
    def allow(self, user_id: int) -> bool: ...


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def fill(name: str, users: int, clock: Clock) -> Guard:
    """A guard of kind ``name`` that has seen ``users`` users in the last 30 s."""
    clock.now = 0.0
    if name == "before":
        before = DequeScanGuardBefore(LIMIT, clock=clock)
        before.preload(range(users), 0.0)
        return before
    guard = FloodGuard(LIMIT, clock=clock)
    for user in range(users):
        clock.now = user * 30.0 / users
        guard.allow(user)
    return guard


def per_update_us(guard: Guard, users: int, clock: Clock, seconds: float) -> float:
    """µs per update from the active users, measured for about ``seconds``."""
    rng = random.Random(users)
    stream = [rng.randrange(users) for _ in range(1_000)]
    done, spent = 0, 0.0
    clock.now = 30.0
    while spent < seconds or done < 20:
        batch = stream[: max(1, min(len(stream), 2 * done or 1))]
        started = time.perf_counter()
        for user in batch:
            clock.now += 1e-6  # time moves on, the users stay within their minute
            guard.allow(user)
        spent += time.perf_counter() - started
        done += len(batch)
    return spent / done * 1e6


def bytes_per_user(name: str, users: int) -> float:
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        guard = fill(name, users, Clock())
        used = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    del guard
    return used / users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.3,
                        help="time spent measuring each cell (default 0.3)")
    args = parser.parse_args()
    print(f"flood guard: µs per update with N users active in the minute "
          f"(python {sys.version.split()[0]})")
    print(f"{'users':>8}  {'before (deque + scan)':>22}  {'now (TTLCache)':>15}  {'speed-up':>9}")
    for users in POPULATIONS:
        clock = Clock()
        before = per_update_us(fill("before", users, clock), users, clock, args.seconds)
        now = per_update_us(fill("now", users, clock), users, clock, args.seconds)
        print(f"{users:>8,}  {before:>22.2f}  {now:>15.2f}  {before / now:>8.1f}x")

    clock = Clock()
    guard = FloodGuard(LIMIT, clock=clock)
    for user in range(50_000):
        guard.allow(user)
    clock.now = 2 * WINDOW_SECONDS
    guard.allow(-1)
    print(f"memory per tracked user (50,000 users, tracemalloc): before "
          f"{bytes_per_user('before', 50_000):.0f} B, now {bytes_per_user('now', 50_000):.0f} B; "
          f"now, a minute after 50,000 users went idle, {guard.tracked_users} user is kept")


if __name__ == "__main__":
    main()
