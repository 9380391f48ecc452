"""Recording one usage event in a transaction of its own: what every entry point calls.

``POST /usage``, ``python -m bot usage add`` and the conversation scripts' ``usage:``
step all come here, so they count, refuse and alert the same way.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import DBAPIError

from storage.unit_of_work import Database
from storage.usage import UsageRequest, UsageResult, record_usage

log = logging.getLogger(__name__)

ATTEMPTS = 3
# PostgreSQL's deadlock_detected and serialization_failure: the transaction lost a race
# and changed nothing; running it again is safe and usually wins. (Workers' grouped
# transactions can lock two counters in opposite orders.)
RETRYABLE = frozenset({"40P01", "40001"})


async def record(database: Database, request: UsageRequest, now: datetime) -> UsageResult:
    """Record ``request`` (see :func:`storage.usage.record_usage`) and commit, with its
    alert queued in the outbox; returns once committed. Raises
    :class:`storage.usage_errors.UsageRefused` when nothing was recorded."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with database.transaction() as connection:
                return await record_usage(connection, request, now)
        except DBAPIError as error:
            if attempt == ATTEMPTS or _sqlstate(error) not in RETRYABLE:
                raise
            log.info("usage event lost a race (%s); recording it again", _sqlstate(error))
    raise AssertionError("unreachable")  # the loop returns or raises


def _sqlstate(error: DBAPIError) -> str | None:
    # SQLAlchemy's asyncpg adapter names the server's code ``sqlstate`` (public API).
    return getattr(error.orig, "sqlstate", None)
