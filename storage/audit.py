"""The audit log: one row per change that matters, written in the changing transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert

from storage.models import AuditEntry
from storage.sql import Executor


async def record_audit(
    session: Executor,
    *,
    account_id: int | None,
    user_id: int | None,
    channel: str,
    action: str,
    changes: Mapping[str, Any],
    now: datetime,
) -> None:
    """Append one audit row; ``changes`` must be JSON-serialisable."""
    await session.execute(
        insert(AuditEntry).values(
            account_id=account_id,
            user_id=user_id,
            channel=channel,
            action=action,
            changes=dict(changes),
            created_at=now,
        )
    )
