"""What the usage tests share: linking demo users' chats, recording, reading the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage import models as m
from storage.identities import ensure_identity
from storage.sandbox import FreshDatabase
from storage.usage import UsageRequest, UsageResult
from storage.usage_service import record
from tests.storage.helpers import NOW

ACME = "Acme Trading Ltd"
# Chats linked to Acme's members: the owner on two channels, the admin and the viewer.
CHATS = {
    ("telegram", "1001"): "owner@acme.example",
    ("terminal", "owner@acme.example"): "owner@acme.example",
    ("telegram", "1002"): "admin@acme.example",
    ("telegram", "1003"): "viewer@acme.example",
}
OWNER_AND_ADMIN_CHATS = [key for key, email in CHATS.items() if "viewer" not in email]


async def link_acme_chats(db: FreshDatabase) -> None:
    async with db.database.transaction() as connection:
        for (channel, chat), email in CHATS.items():
            await ensure_identity(connection, channel, chat, email, NOW)


_keys = iter(range(1, 1_000_000))


async def add(
    db: FreshDatabase,
    meter: str,
    quantity: int,
    *,
    account: int | str = ACME,
    key: str | None = None,
    at: datetime | None = None,
    now: datetime = NOW,
) -> UsageResult:
    """Record usage on ``db`` through the service every entry point uses."""
    request = UsageRequest(
        account=account, meter=meter, quantity=quantity,
        idempotency_key=key or f"test-{next(_keys)}", occurred_at=at,
    )
    return await record(db.database, request, now)


async def outbox(db: FreshDatabase) -> list[Any]:
    """Every notice queued, oldest first."""
    async with db.database.reading() as connection:
        query = select(m.OutboxMessage).order_by(m.OutboxMessage.id)
        return list((await connection.execute(query)).all())


async def alert_rows(db: FreshDatabase) -> list[tuple[str, str, int]]:
    """(meter, period start, threshold) of every alert decided."""
    async with db.database.reading() as connection:
        rows = await connection.execute(
            select(m.UsageAlert.meter_code, m.UsageAlert.period_start, m.UsageAlert.threshold)
            .order_by(m.UsageAlert.period_start, m.UsageAlert.meter_code, m.UsageAlert.threshold)
        )
        return [(meter, str(start), threshold) for meter, start, threshold in rows]
