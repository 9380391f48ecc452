"""Is the database ready for this version of the bot? It answers, at the latest schema.

The latest schema is the head of the migration scripts shipped with the code (read
once, through Alembic's :class:`~alembic.script.ScriptDirectory`); the database's is
what Alembic stamped in it (:class:`~alembic.runtime.migration.MigrationContext`),
read with one query that also proves the database answers.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from storage.migrate import alembic_config
from storage.unit_of_work import Database

__all__ = ["CHECK_SECONDS", "UPGRADE_HINT", "latest_schema", "schema_problem", "unready_reason"]

CHECK_SECONDS = 3.0  # a probe must answer well within a probe's usual timeout
UPGRADE_HINT = "run python -m bot db upgrade"


@lru_cache(maxsize=1)
def latest_schema() -> frozenset[str]:
    """The head revision(s) of the shipped migrations (read from disk once)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def _stored_schema(connection: Connection) -> frozenset[str]:
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def schema_problem(stored: frozenset[str], latest: frozenset[str]) -> str | None:
    """Why a database at ``stored`` does not suit code at ``latest``, or None."""
    if stored == latest:
        return None
    want = ", ".join(sorted(latest))
    if not stored:
        return f"schema not created (no migration applied), latest is {want}; {UPGRADE_HINT}"
    have = ", ".join(sorted(stored))
    known = ScriptDirectory.from_config(alembic_config())
    if all(_known(known, revision) for revision in stored):
        return f"schema at {have}, latest is {want}; {UPGRADE_HINT}"
    # Migrated by a newer version of the bot: upgrading this one would not help.
    return f"schema at {have}, which this version does not know (latest is {want}); " \
        "the database belongs to a newer version of the bot"


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except Exception:  # Alembic raises its own errors for unknown or malformed ids
        return False


async def unready_reason(database: Database, timeout: float = CHECK_SECONDS) -> str | None:
    """None when the database answers and is at the latest schema; else why not, in words
    for an operator (no secret: exception messages are not quoted)."""
    try:
        async with asyncio.timeout(timeout), database.reading() as connection:
            stored = await connection.run_sync(_stored_schema)
    except TimeoutError:
        return f"database unreachable (no answer within {timeout:g} s)"
    except Exception as error:
        return f"database unreachable ({type(error).__name__})"
    return schema_problem(stored, latest_schema())
