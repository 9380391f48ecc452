"""Who wants usage alerts: one row per user who chose (no row: alerts on)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.notifications import NOTIFICATIONS
from storage.capabilities import TurnScope, provides
from storage.models import NotificationSetting
from storage.sql import insert_for


async def usage_alerts_on(connection: AsyncConnection, user_id: int) -> bool:
    """Whether ``user_id`` gets usage alerts: True unless they switched them off."""
    stored = await connection.scalar(
        select(NotificationSetting.usage_alerts).where(NotificationSetting.user_id == user_id)
    )
    return True if stored is None else bool(stored)


async def set_usage_alerts(
    connection: AsyncConnection, user_id: int, on: bool, now: datetime
) -> None:
    """Store ``user_id``'s choice (one upsert, in the caller's transaction)."""
    statement = insert_for(connection, NotificationSetting).values(
        user_id=user_id, usage_alerts=on, updated_at=now
    )
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id"], set_={"usage_alerts": on, "updated_at": now}
        )
    )


@provides(NOTIFICATIONS)
class SqlNotificationSettings:
    """:class:`flows.notifications.NotificationSettings` for one update."""

    def __init__(self, turn: TurnScope) -> None:
        self._turn = turn

    async def usage_alerts_on(self, user_id: int) -> bool:
        """See :func:`usage_alerts_on` (the update's own write included, once it wrote)."""
        return await self._turn.read(lambda connection: usage_alerts_on(connection, user_id))

    async def set_usage_alerts(self, *, user_id: int, on: bool, now: datetime) -> None:
        """See :func:`set_usage_alerts`; committed with the update."""
        await set_usage_alerts(await self._turn.writer(), user_id, on, now)
