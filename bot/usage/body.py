"""Reading a ``POST /usage`` body: JSON to a :class:`storage.usage.UsageRequest`.

Shape only (types, required fields, the time's format); what the fields name (an
account, a meter, an open period) is checked by the recording service.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.usage import UsageRequest

FIELDS = ("account", "meter", "quantity", "time", "idempotency_key")


class BadBody(Exception):
    """The body cannot be an event; ``error`` is the API's code, the text says why."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.error = error
        self.message = message


def parse_event(raw: bytes, header_key: str | None) -> UsageRequest:
    """The event in ``raw``; the idempotency key from the body or the ``Idempotency-Key``
    header (both may be given if they agree). Raises :class:`BadBody`."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadBody("bad_json", f"the body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise BadBody("bad_json", "the body must be a JSON object")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise BadBody("unknown_field", f"unknown field(s): {', '.join(unknown)}; "
                      f"the fields are: {', '.join(FIELDS)}")
    return UsageRequest(
        account=_account(body.get("account")),
        meter=_text(body, "meter"),
        quantity=_quantity(body.get("quantity")),
        idempotency_key=_key(body.get("idempotency_key"), header_key),
        occurred_at=_time(body.get("time")),
        source="api",
    )


def _account(value: Any) -> int | str:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        return value
    raise _missing_or_wrong("account", value, "an account id (number) or its exact name")


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if isinstance(value, str) and value.strip():
        return value
    raise _missing_or_wrong(name, value, "a meter code such as \"bot_sessions\"")


def _quantity(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise _missing_or_wrong("quantity", value, "a whole number above 0")


def _key(body_key: Any, header_key: str | None) -> str:
    if body_key is not None and not isinstance(body_key, str):
        raise BadBody("invalid_idempotency_key", "idempotency_key must be a string")
    if body_key and header_key and body_key != header_key:
        raise BadBody("invalid_idempotency_key",
                      "the Idempotency-Key header and idempotency_key differ; send one")
    key = body_key or header_key
    if not key:
        raise _missing_or_wrong("idempotency_key", body_key, "a key unique to this event "
                                "(or an Idempotency-Key header)")
    return key


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.utcoffset() is not None:
            return moment
    raise BadBody("invalid_time", f"time must be ISO 8601 with a UTC offset, "
                  f"like 2026-11-28T09:30:00+00:00, not {value!r}")


def _missing_or_wrong(name: str, value: Any, what: str) -> BadBody:
    if value is None:
        return BadBody("missing_field", f"{name} is required: {what}")
    return BadBody(f"invalid_{name}", f"{name} must be {what}, not {value!r}")
