"""The package catalogue, read once and kept for a while.

The catalogue (packages, features, allowances, meters) is reference data that
changes with a release, not per request, yet every usage screen needs it: three
queries saved per screen. A short time-to-live bounds how stale it can be if it
is changed by hand in a running system.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from flows.ports import Catalogue
from storage import reads


class CatalogueCache:
    """Holds the catalogue for ``ttl_seconds``; shared by every store of one factory."""

    def __init__(
        self, ttl_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._value: Catalogue | None = None
        self._read_at = 0.0

    def current(self) -> Catalogue | None:
        """The cached catalogue while it is fresh, else None (no connection needed)."""
        if self._value is None or self._clock() - self._read_at > self._ttl:
            return None
        return self._value

    async def get(self, connection: AsyncConnection) -> Catalogue:
        """The cached catalogue, read through ``connection`` when missing or stale."""
        now = self._clock()
        if self._value is None or now - self._read_at > self._ttl:
            self._value = await reads.catalogue(connection)
            self._read_at = now
        return self._value
