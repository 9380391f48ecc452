"""A per-user flood guard: beyond the limit per minute, a user's updates are refused.

Each update costs the same whatever the number of users: the users seen in the last
window live in a :class:`cachetools.TTLCache`, whose entries expire a window after
their last use and are freed in expiry order as new ones arrive (amortised O(1): each
entry is freed once, and nothing ever scans the users still active). Per user the
guard keeps the accepted updates of the last window (a sliding log, at most ``limit``
timestamps), so the limit is exact: ``limit`` updates in any sliding minute.

The guard is per process. With several workers a user's updates spread over them and
each worker lets the full limit through (like nginx's ``limit_req``): the guard keeps
one user from hogging a worker and the chat readable, it is not a quota. Dividing the
limit by the number of workers would refuse ordinary users whenever connections
happen to land on one worker.

Used by every channel that takes updates from outside: Telegram's middleware
(:mod:`bot.telegram.middlewares.flood`) and the web chat's socket.
"""

from __future__ import annotations

import time
from bisect import bisect_right
from collections.abc import Callable

from cachetools import TTLCache

from flows.i18n import N_

WINDOW_SECONDS = 60.0
# A safety net for memory, far above the users of any busy minute: past it the least
# recently seen user is forgotten (their count starts again; nobody is refused for it).
MAX_TRACKED_USERS = 1_000_000
SLOW_DOWN = N_(
    "You're sending messages faster than I can follow, so I skipped some of them. "
    "Please wait a moment, then carry on."
)


class _Recent:
    """One user's last window: accepted updates (oldest first) and the last note sent."""

    __slots__ = ("hits", "warned")

    def __init__(self) -> None:
        self.hits: list[float] = []
        self.warned: float | None = None


class FloodGuard:
    """Counts each user's updates in a sliding window; O(1) per update, amortised.

    ``clock`` is monotonic seconds (injectable for tests). Memory holds the users seen
    in the last ``window`` seconds, at most ``max_users`` of them.
    """

    def __init__(self, limit: int, *, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 max_users: int = MAX_TRACKED_USERS) -> None:
        if limit < 1:
            raise ValueError("the flood limit must be at least 1")
        self.limit = limit
        self.window = window
        self._clock = clock
        # An entry expires a window after it was last stored: by then every hit in it
        # has left the window too, so forgetting it changes no answer.
        self._recent: TTLCache[int, _Recent] = TTLCache(max_users, window, timer=clock)

    def allow(self, user_id: int) -> bool:
        """Count one update of ``user_id``; False when it is over the limit (not counted)."""
        now = self._clock()
        recent = self._recent.get(user_id)
        if recent is None:
            recent = _Recent()
        hits = recent.hits
        # At most ``limit`` timestamps: trimming is bounded by the limit, not the users.
        if hits and hits[0] <= now - self.window:
            del hits[:bisect_right(hits, now - self.window)]
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        self._recent[user_id] = recent  # stored again: expires a window from now
        return True

    def should_warn(self, user_id: int) -> bool:
        """True at most once per window for a refused user: the polite note is due."""
        now = self._clock()
        recent = self._recent.get(user_id) or _Recent()
        if recent.warned is not None and recent.warned > now - self.window:
            return False
        recent.warned = now
        self._recent[user_id] = recent  # kept for a window after the note
        return True

    @property
    def tracked_users(self) -> int:
        """Users remembered now (those seen in the last window), expired ones freed."""
        return len(self._recent)
