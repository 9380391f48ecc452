"""Small SQL helpers shared by the repositories (dialect-aware upserts, row counts)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.dml import UpdateBase

Executor = AsyncSession | AsyncConnection
"""Where repositories run statements: a session, or a connection in a transaction."""

# ORM-enabled UPDATE/DELETE would otherwise try to sync objects in the session
# (an extra SELECT or Python evaluation); repositories read columns, never entities.
NO_SYNC: dict[str, Any] = {"synchronize_session": False}


def dialect_name(executor: AsyncSession | AsyncConnection) -> str:
    """``sqlite`` or ``postgresql``: the backend this session or connection talks to."""
    if isinstance(executor, AsyncConnection):
        return executor.dialect.name
    return executor.get_bind().dialect.name


def insert_for(session: Executor, table: Any) -> Any:
    """An INSERT supporting ``on_conflict_do_*`` for the session's backend."""
    if dialect_name(session) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def execute_dml(session: Executor, statement: UpdateBase) -> int:
    """Run an INSERT/UPDATE/DELETE and return how many rows it touched."""
    if isinstance(session, AsyncConnection):  # Core: nothing to synchronise
        return cast(CursorResult[Any], await session.execute(statement)).rowcount
    result = await session.execute(statement, execution_options=NO_SYNC)
    return cast(CursorResult[Any], result).rowcount
