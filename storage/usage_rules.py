"""The rules a usage event must keep, whoever records it (API, command line, scripts)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from storage.reads import month_bounds
from storage.usage_errors import Refusal, UsageRefused
from storage.usage_lookup import Target

if TYPE_CHECKING:
    from storage.usage import UsageRequest

FUTURE_SKEW = timedelta(minutes=5)  # clocks disagree a little; more is a wrong time
MAX_QUANTITY = 1_000_000_000
MAX_KEY_LENGTH = 200


def check_request(request: UsageRequest) -> None:
    """Refuse a quantity that is not a whole number above 0, a bad key, a naive time."""
    quantity = request.quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise UsageRefused(Refusal.INVALID, "quantity must be a whole number above 0")
    if quantity > MAX_QUANTITY:
        raise UsageRefused(Refusal.INVALID, f"quantity must be at most {MAX_QUANTITY:,}")
    key = request.idempotency_key
    if not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise UsageRefused(
            Refusal.INVALID,
            f"the idempotency key must be 1 to {MAX_KEY_LENGTH} printable characters",
        )
    if request.occurred_at is not None and request.occurred_at.utcoffset() is None:
        raise UsageRefused(Refusal.INVALID, "the time needs a UTC offset, e.g. +00:00 or Z")


def open_period(occurred: datetime, now: datetime) -> tuple[date, date]:
    """The billing period (first and last day) an event at ``occurred`` counts in, if open."""
    if occurred > now + FUTURE_SKEW:
        raise UsageRefused(
            Refusal.IN_THE_FUTURE, f"{occurred.isoformat()} is in the future (now {now:%FT%TZ})"
        )
    period = month_bounds(occurred.date())
    current = month_bounds(now.astimezone(UTC).date())
    if period[0] < current[0]:
        raise UsageRefused(
            Refusal.PERIOD_CLOSED,
            f"the billing period {period[0]} to {period[1]} is closed; "
            f"only {current[0]} to {current[1]} takes usage now",
        )
    return current if period[0] > current[0] else period  # a few minutes' skew: this month


def fingerprint_of(target: Target, request: UsageRequest) -> str:
    """What the event asked for, resolved: the same event named another way (the account
    by name or id) is the same; any other difference is a different event."""
    when = request.occurred_at.astimezone(UTC).isoformat() if request.occurred_at else None
    asked = [target.account_id, target.meter_code, request.quantity, when]
    return hashlib.sha256(json.dumps(asked).encode()).hexdigest()
