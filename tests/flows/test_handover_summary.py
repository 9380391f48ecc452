"""The summary an agent reads first: who, role, account, package, what the customer was
doing and their last messages; and the trail it is made from."""

from __future__ import annotations

from datetime import UTC, datetime

from flows import trail
from flows.handover_wording import doing, summary
from flows.ports import AccountDetails, AccountStatus, UserContext
from flows.trail import Trail
from flows.types import ConversationKey, ConversationRecord, Inbound, Role

WHEN = datetime(2026, 1, 1, tzinfo=UTC)
USER = UserContext(user_id=2, user_name="Adam Admin", email="admin@acme.example", account_id=1,
                   account_name="Acme Trading Ltd", role=Role.ADMIN, package_code="interact",
                   account_status=AccountStatus.OPEN)
DETAILS = AccountDetails(
    account_id=1, name="Acme Trading Ltd", legal_name="Acme Trading Limited",
    registration_number="1", address="1 Road", contact_name="Olivia", contact_email="o@a.example",
    contact_phone="+441", country="GB", timezone="Europe/London", billing_currency="USD",
    package_code="interact", package_name="Interact", status=AccountStatus.OPEN,
    created_at=WHEN, owner_name="Olivia Owner", owner_email="owner@acme.example", version=1,
)
KEY = ConversationKey("telegram", "42")


def test_summary_says_who_where_and_what() -> None:
    text = summary(USER, DETAILS, Trail("edit", "reviewing", True, ("change my email", "agent")),
                   "telegram")
    assert text.splitlines() == [
        "🙋 Adam Admin asks to talk to a person.",
        "Who: Adam Admin <admin@acme.example>, admin",
        "Account: Acme Trading Ltd (#1), Interact package, open",
        "Chat: telegram",
        "Doing: ✏️ Edit details, step “reviewing” (left it to ask for a person)",
        "Last messages:",
        "• change my email",
        "• agent",
    ]


def test_doing_at_the_menu() -> None:
    assert doing(Trail()) == "at the main menu"
    assert doing(Trail("package", "shown")) == (
        "at the main menu; last in 📦 Package & usage, step “shown”")
    assert "Last messages: none typed" in summary(USER, DETAILS, Trail(), "terminal")


def test_the_trail_keeps_five_short_texts_and_the_last_flow() -> None:
    record = ConversationRecord(key=KEY, flow="edit", state="entering")
    for number in range(7):
        noted = trail.note(record, Inbound.typed(KEY, f"text {number} " + "x" * 300))
    assert len(noted.texts) == 5 and noted.texts[0].startswith("text 2")
    assert all(len(text) == trail.KEPT_LENGTH for text in noted.texts)
    assert (noted.flow, noted.state, noted.in_flow) == ("edit", "entering", True)
    record.flow = record.state = None
    noted = trail.note(record, Inbound.pressed(KEY, "tok:start.package"))
    assert (noted.flow, noted.in_flow, len(noted.texts)) == ("edit", False, 5)
    # What is said to a person is the ticket's, not the trail's.
    assert trail.note(record, Inbound.typed(KEY, "secret"), held=True).texts[-1] != "secret"
