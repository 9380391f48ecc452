"""The audit log: one row per change that matters, written in the changing transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.ports import AUDIT
from storage.capabilities import TurnScope, provides
from storage.models import AuditEntry


async def record_audit(
    connection: AsyncConnection,
    *,
    account_id: int | None,
    user_id: int | None,
    channel: str,
    action: str,
    changes: Mapping[str, Any],
    now: datetime,
) -> None:
    """Append one audit row; ``changes`` must be JSON-serialisable."""
    await connection.execute(
        insert(AuditEntry).values(
            account_id=account_id,
            user_id=user_id,
            channel=channel,
            action=action,
            changes=dict(changes),
            created_at=now,
        )
    )


@provides(AUDIT)
class SqlAuditLog:
    """:class:`flows.ports.AuditLog` on the update's shared writer."""

    def __init__(self, turn: TurnScope) -> None:
        self._turn = turn

    async def record_audit(self, **entry: Any) -> None:
        """Append one audit row, committed with the rest of the update: the fields of
        :meth:`flows.ports.AuditLog.record_audit`, handed to :func:`record_audit` as
        they are (so the list of fields is written in those two places only)."""
        await record_audit(await self._turn.writer(), **entry)
