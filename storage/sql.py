"""Small SQL helpers shared by the repositories (dialect-aware upserts, row counts)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import UpdateBase


def insert_for(connection: AsyncConnection, table: Any) -> Any:
    """An INSERT supporting ``on_conflict_do_*`` for the connection's backend."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def execute_dml(connection: AsyncConnection, statement: UpdateBase) -> int:
    """Run an INSERT/UPDATE/DELETE and return how many rows it touched."""
    return cast(CursorResult[Any], await connection.execute(statement)).rowcount
