"""Why usage was not recorded: one reason per kind of problem, each with a message."""

from __future__ import annotations

from enum import StrEnum


class Refusal(StrEnum):
    """What was wrong with a usage event; the API answers with it (``error``)."""

    INVALID = "invalid"  # a field's shape (quantity not a positive integer, no key...)
    UNKNOWN_ACCOUNT = "unknown_account"
    UNKNOWN_METER = "unknown_meter"
    ACCOUNT_CLOSED = "account_closed"
    IN_THE_FUTURE = "time_in_the_future"
    PERIOD_CLOSED = "period_closed"  # the time falls in a billing period already over
    KEY_REUSED = "idempotency_key_reused"  # the same key came earlier with another event


class UsageRefused(Exception):
    """Nothing was recorded, because of ``reason``; ``message`` says what to fix."""

    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(f"{reason.value}: {message}")
        self.reason = reason
        self.message = message
