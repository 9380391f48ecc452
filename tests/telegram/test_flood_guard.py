"""The flood guard with many users: memory follows the active users, work per update does not.

Work is counted, not timed: the number of Python bytecode instructions one update
executes (the guard and cachetools are pure Python; the dicts under them are O(1)).
The clock is injected, so "a minute later" takes no time.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from bot.flood import FloodGuard

USERS = 50_000
WINDOW = 60.0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def instructions(work: Callable[[], object]) -> int:
    """How many bytecode instructions ``work()`` executes."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        frame.f_trace_opcodes = True
        if event == "opcode":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def test_idle_users_are_freed_after_the_window() -> None:
    clock = Clock()
    guard = FloodGuard(3, clock=clock)
    for user in range(USERS):
        clock.now = user * (WINDOW / 2) / USERS  # all within the first half minute
        assert guard.allow(user)
    assert guard.tracked_users == USERS
    clock.now = WINDOW / 2 + 1
    assert guard.tracked_users == USERS  # still within their window: all kept
    clock.now = WINDOW * 2
    assert guard.allow(USERS)  # the next update frees every idle entry as it goes
    assert guard.tracked_users == 1


@pytest.mark.parametrize("kind", ["new user", "known user", "refused user"])
def test_the_work_of_one_update_does_not_depend_on_the_number_of_users(kind: str) -> None:
    def cost(population: int) -> int:
        clock = Clock()
        guard = FloodGuard(2, clock=clock)
        for user in range(population):
            guard.allow(user)
        guard.allow(-1)
        guard.allow(-1)  # user -1 is at the limit
        clock.now = 1.0
        user = {"new user": population, "known user": 0, "refused user": -1}[kind]
        expected = kind != "refused user"
        return instructions(lambda: guard.allow(user) is expected or pytest.fail(kind))

    assert cost(1_000) == cost(USERS)


def test_freeing_idle_users_is_amortised_constant_work() -> None:
    """Users come and go: each update also frees about one idle entry, never a scan."""

    def cost_per_update(population: int, measured: int = 1_024) -> float:
        clock = Clock()
        # Powers of two keep the times exact: each update frees exactly one entry.
        guard = FloodGuard(5, window=64.0, clock=clock)
        step = 64.0 / population  # ``population`` users a window, each seen once
        for user in range(population):
            clock.now = user * step
            guard.allow(user)

        def next_minute(first: int, count: int) -> None:
            for user in range(first, first + count):
                clock.now = user * step
                guard.allow(user)  # a new user; the one seen a minute ago expires

        next_minute(population, population - measured)
        total = instructions(lambda: next_minute(2 * population - measured, measured))
        assert guard.tracked_users == population  # memory: one minute's users
        return total / measured

    assert cost_per_update(1_024) == cost_per_update(65_536)


def test_memory_has_a_ceiling_even_within_the_window() -> None:
    guard = FloodGuard(1, clock=Clock(), max_users=100)
    for user in range(1_000):
        assert guard.allow(user)
    assert guard.tracked_users == 100  # the least recently seen are forgotten first
    assert not guard.allow(999)  # the recent ones still count


def test_the_limit_is_exact_over_a_sliding_minute() -> None:
    clock = Clock()
    guard = FloodGuard(3, clock=clock)
    for clock.now in (0.0, 30.0, 59.0):
        assert guard.allow(1)
    clock.now = 59.9
    assert not guard.allow(1)  # three in the last minute already
    clock.now = 60.0
    assert guard.allow(1)  # the one at 0.0 has left the window
    assert not guard.allow(1)
    clock.now = 118.5
    assert guard.allow(1) and not guard.allow(1)  # 59.0 and 60.0 are still in it
