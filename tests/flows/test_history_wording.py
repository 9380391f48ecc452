"""How history entries read: rows no script can make (support, the platform, a closure)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flows.history_pages import HistoryEntry, HistoryPage, entry_sentence, history_text

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def entry(action: str, changes: dict[str, Any], user: str | None, channel: str) -> HistoryEntry:
    return HistoryEntry(1, WINTER, action, changes, user, channel)


def test_rows_without_a_member_are_support_or_the_platform() -> None:
    change = {"country": {"from": "GB", "to": "DE"}}
    by_support = entry_sentence(entry("details.updated", change, None, "support"))
    assert by_support == "Support changed Country: United Kingdom (GB) → Germany (DE)"
    by_platform = entry_sentence(entry("details.updated", change, None, "telegram"))
    assert by_platform.startswith("The platform changed Country")


def test_several_fields_are_listed_and_a_field_never_set_reads_not_set() -> None:
    changes = {
        "billing_currency": {"from": None, "to": "EUR"},
        "contact_phone": {"from": "+442079460958", "to": "+4930123456"},
    }
    text = entry_sentence(entry("details.updated", changes, "Ian Initech", "telegram"))
    assert text.splitlines() == [
        "Ian Initech changed:",
        "• Billing currency: (not set) → EUR",
        "• Contact phone: +44 20 7946 0958 → +49 30 123456",
    ]


def test_a_closure_gives_its_reference_and_what_was_lost() -> None:
    changes = {
        "reference": "CL-7Q2XK",
        "cancelled_subscriptions": ["WhatsApp Business number"],
        "forfeited_balance": "125.40 USD",
    }
    text = entry_sentence(entry("account.closed", changes, "Olivia Owner", "telegram"))
    assert text.splitlines() == [
        "Olivia Owner closed the account.",
        "Closure reference: CL-7Q2XK",
        "Cancelled: WhatsApp Business number",
        "Forfeited balance: 125.40 USD",
    ]


def test_an_action_without_wording_is_summarised_by_its_name() -> None:
    text = entry_sentence(entry("notifications.switched_off", {"x": 1}, "Adam Admin", "web"))
    assert text == "Adam Admin: notifications switched off"


def test_the_time_is_local_and_the_zone_named_even_an_unknown_one() -> None:
    row = entry("details.updated", {}, "Adam Admin", "telegram")
    page = HistoryPage((row,), False, False, None, "America/New_York")
    assert "Times are in America/New_York." in history_text("Acme", page)
    assert "15 Jan 2026, 07:00" in history_text("Acme", page)  # EST, UTC-5
    broken = HistoryPage((row,), False, False, None, "Mars/Olympus")
    assert "Times are in UTC." in history_text("Acme", broken)
    assert "15 Jan 2026, 12:00" in history_text("Acme", broken)
