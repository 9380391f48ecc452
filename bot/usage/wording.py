"""How a recorded (or refused) usage event reads for operators and the platform's API."""

from __future__ import annotations

from typing import Any

from flows.wording import day, percent
from storage.usage import UsageResult
from storage.usage_errors import Refusal

FIXES: dict[Refusal, str] = {
    Refusal.INVALID: "Correct the value named above: a quantity is a whole number above 0, a "
    "time is ISO 8601 with its offset (2026-11-28T09:30:00+00:00).",
    Refusal.UNKNOWN_ACCOUNT: "Name the account by its id or its name as stored.",
    Refusal.UNKNOWN_METER: "Name the meter by its code or its label.",
    Refusal.ACCOUNT_CLOSED: "A closed account takes no usage; check the account.",
    Refusal.IN_THE_FUTURE: "Give the time the usage happened, not a later one.",
    Refusal.PERIOD_CLOSED: "Usage of a past billing period is corrected by support, not here.",
    Refusal.KEY_REUSED: "Give each event a key of its own; resend an event with its own key.",
}


def result_lines(result: UsageResult) -> list[str]:
    """What ``usage add`` prints: what was recorded, the total, and any alert queued."""
    target = result.target
    what = "Already recorded, counted once" if result.replayed else "Recorded"
    lines = [
        f"{what}: +{result.quantity:,} {target.unit} on the {target.meter_label} meter of "
        f"{target.account_name} (event {result.event_id}, at "
        f"{result.occurred_at:%d %b %Y %H:%M} UTC).",
        f"{target.meter_label} this billing period ({day(result.period_start)} – "
        f"{day(result.period_end)}): {_total(result)}.",
    ]
    if result.alert is None:
        lines.append("No alert queued.")
    elif result.notices == 0:
        lines.append(f"Alert at {result.alert}% decided, but no owner or admin with usage "
                     "alerts on has a linked chat.")
    else:
        chats = f"{result.notices} chat{'s' if result.notices != 1 else ''}"
        lines.append(f"Alert queued: {result.alert}% of what the package includes, for {chats}.")
    return lines


def _total(result: UsageResult) -> str:
    included = result.target.included
    if included <= 0:
        return f"{result.used:,} {result.target.unit} (not included in the package: overage)"
    share = percent(result.used, included)
    return f"{result.used:,} / {included:,} {result.target.unit} ({share}%)"


def result_json(result: UsageResult) -> dict[str, Any]:
    """The API's answer to a recorded event (the same again for a replay, marked so)."""
    target = result.target
    return {
        "status": "replayed" if result.replayed else "recorded",
        "event_id": result.event_id,
        "account": {"id": target.account_id, "name": target.account_name},
        "meter": target.meter_code,
        "quantity": result.quantity,
        "time": result.occurred_at.isoformat(),
        "period": {"start": result.period_start.isoformat(), "end": result.period_end.isoformat()},
        "used": result.used,
        "included": target.included,
        "percent": percent(result.used, target.included) if target.included else None,
        "alert": None if result.alert is None else {"threshold": result.alert,
                                                    "chats": result.notices},
    }
