"""Recording usage: the one service behind ``POST /usage``, ``bot usage add`` and scripts.

One event is one transaction (:meth:`storage.unit_of_work.Database.transaction`): the
event is stored under its idempotency key, added to the period's counter, and any alert
it brings is decided and queued (``storage.usage_alerts``), all committed together or
not at all. A retried event (same account and key) counts once and gets the first
answer again, marked ``replayed``; the same key with a different event is refused.

The billing period is the calendar month (UTC), as the package screen shows it. Only
the current period is open: an event dated in an earlier month is refused, and so is
one dated more than a few minutes ahead of now (``storage.usage_rules``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage import models as m
from storage.reads import month_bounds
from storage.sql import insert_for
from storage.usage_alerts import decide_alerts
from storage.usage_errors import Refusal, UsageRefused
from storage.usage_lookup import Target, find_target
from storage.usage_rules import check_request, fingerprint_of, open_period

Source = Literal["api", "cli", "script"]


@dataclass(frozen=True, slots=True)
class UsageRequest:
    """One usage event as asked for. ``occurred_at`` None means "now"; ``loose`` lets
    people's spelling name the account and meter (any case, meter labels)."""

    account: int | str
    meter: str
    quantity: int
    idempotency_key: str
    occurred_at: datetime | None = None
    source: Source = "api"
    loose: bool = False


@dataclass(frozen=True, slots=True)
class UsageResult:
    """What recording did: the event, the period's total after it, and the alert."""

    event_id: int
    target: Target
    quantity: int
    occurred_at: datetime
    period_start: date
    period_end: date  # inclusive
    used: int  # the meter's total this period, this event included
    alert: int | None  # the threshold (80 | 100) an alert was queued about, if any
    notices: int  # chats the alert was queued for
    replayed: bool = False  # the key was seen before: this is the first answer again


async def record_usage(
    connection: AsyncConnection, request: UsageRequest, now: datetime
) -> UsageResult:
    """Record ``request`` in the caller's transaction; raises :class:`UsageRefused`."""
    check_request(request)
    target = await find_target(connection, request.account, request.meter, loose=request.loose)
    fingerprint = fingerprint_of(target, request)
    occurred = (request.occurred_at or now).astimezone(UTC)
    try:
        if not target.account_open:
            raise UsageRefused(Refusal.ACCOUNT_CLOSED, f"{target.account_name} is closed")
        period = open_period(occurred, now)
    except UsageRefused:
        # A retry of an event recorded before (the account closed or the month ended
        # since) still gets its first answer. Looked up only here and on a conflict
        # below: an event that counts costs no extra statement.
        earlier = await _earlier(connection, target, request.idempotency_key)
        if earlier is None:
            raise
        return _replay(earlier, target, fingerprint)
    claimed = insert_for(connection, m.UsageEvent).values(
        account_id=target.account_id,
        meter_code=target.meter_code,
        quantity=request.quantity,
        occurred_at=occurred,
        period_start=period[0],
        idempotency_key=request.idempotency_key,
        fingerprint=fingerprint,
        source=request.source,
        recorded_at=now,
        notices=0,
    )
    claimed = claimed.on_conflict_do_nothing().returning(m.UsageEvent.id)
    event_id = (await connection.execute(claimed)).scalar_one_or_none()
    if event_id is None:  # the key was used before (or by a post committed just now)
        again = await _earlier(connection, target, request.idempotency_key)
        assert again is not None
        return _replay(again, target, fingerprint)
    used = await _add(connection, target, period[0], request.quantity)
    alerted = await decide_alerts(connection, target, period, used, now)
    await connection.execute(
        update(m.UsageEvent)
        .where(m.UsageEvent.id == event_id)
        .values(used_after=used, alert_threshold=alerted.threshold, notices=alerted.notices)
    )
    return UsageResult(
        event_id, target, request.quantity, occurred, *period, used, alerted.threshold,
        alerted.notices,
    )


async def _earlier(connection: AsyncConnection, target: Target, key: str) -> Any:
    query = select(m.UsageEvent).where(
        m.UsageEvent.account_id == target.account_id, m.UsageEvent.idempotency_key == key
    )
    return (await connection.execute(query)).one_or_none()


def _replay(row: Any, target: Target, fingerprint: str) -> UsageResult:
    if row.fingerprint != fingerprint:
        raise UsageRefused(
            Refusal.KEY_REUSED,
            "this idempotency key was used before for a different event "
            f"({row.quantity} {row.meter_code} at {row.occurred_at.isoformat()})",
        )
    start, end = month_bounds(row.period_start)
    return UsageResult(
        row.id, target, row.quantity, row.occurred_at, start, end, row.used_after or 0,
        row.alert_threshold, row.notices, replayed=True,
    )


async def _add(
    connection: AsyncConnection, target: Target, period_start: date, quantity: int
) -> int:
    """Add ``quantity`` to the period's counter (created at the first event); the new total.

    One upsert: concurrent recordings queue on the counter's row, each sees its own total.
    """
    record = m.UsageRecord
    added = insert_for(connection, record).values(
        account_id=target.account_id,
        meter_code=target.meter_code,
        period_start=period_start,
        used=quantity,
    )
    added = added.on_conflict_do_update(
        index_elements=["account_id", "meter_code", "period_start"],
        set_={"used": record.used + added.excluded.used},
    ).returning(record.used)
    return int((await connection.execute(added)).scalar_one())
