"""Whether the local PostgreSQL server is there for the tests that need it.

Skipped when unreachable, except under CI (env ``CI`` set), where an unreachable
server is a failure: a silently skipped backend is an untested backend.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.sandbox import postgres_base_url

_reachable: dict[str, str | None] = {}


async def _postgres_problem() -> str | None:
    """None when PostgreSQL answers, else why not (checked once per session)."""
    if "pg" not in _reachable:
        engine = create_async_engine(postgres_base_url(), poolclass=NullPool)
        try:
            async with asyncio.timeout(5), engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            _reachable["pg"] = None
        except Exception as error:
            _reachable["pg"] = f"{type(error).__name__}: {error}"
        finally:
            await engine.dispose()
    return _reachable["pg"]


async def require_postgresql() -> None:
    """Skip the calling test when PostgreSQL is unreachable (fail it under CI)."""
    problem = await _postgres_problem()
    if problem is not None:
        message = f"PostgreSQL unreachable at {postgres_base_url()} ({problem})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
