"""The demo data set (a contract: scripts and tests rely on it; see docs/architecture.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

# code, name, monthly price (USD), self-service closure, features
PACKAGES: list[tuple[str, str, Decimal, bool, list[str]]] = [
    (
        "connect",
        "Connect",
        Decimal("19.00"),
        False,
        ["WhatsApp Business API messaging", "Web chat widget", "1 agent seat", "Email support"],
    ),
    (
        "interact",
        "Interact",
        Decimal("99.00"),
        True,
        [
            "Everything in Connect",
            "Chat Desk shared inbox",
            "Chatbot builder",
            "Broadcast campaigns",
            "5 agent seats",
        ],
    ),
    (
        "transact",
        "Transact",
        Decimal("249.00"),
        True,
        [
            "Everything in Interact",
            "Payments in chat",
            "Product catalogue & cart",
            "Order notifications",
            "15 agent seats",
            "Priority support",
        ],
    ),
]

# code, label, unit (in display order)
METERS: list[tuple[str, str, str]] = [
    ("conversations", "Conversations", "conversations"),
    ("agent_seats", "Agent seats", "seats"),
    ("bot_sessions", "Chatbot sessions", "sessions"),
    ("campaign_messages", "Campaign messages", "messages"),
    ("payments", "Payments processed", "payments"),
]

# package -> meter -> included per month (0: not part of the package)
ALLOWANCES: dict[str, dict[str, int]] = {
    "connect": {
        "conversations": 250,
        "agent_seats": 1,
        "bot_sessions": 0,
        "campaign_messages": 0,
        "payments": 0,
    },
    "interact": {
        "conversations": 1000,
        "agent_seats": 5,
        "bot_sessions": 2000,
        "campaign_messages": 10000,
        "payments": 0,
    },
    "transact": {
        "conversations": 5000,
        "agent_seats": 15,
        "bot_sessions": 10000,
        "campaign_messages": 50000,
        "payments": 1000,
    },
}

# email, name, phone (E.164; fictional ranges that still validate)
USERS: list[tuple[str, str, str]] = [
    ("owner@acme.example", "Olivia Owner", "+442079460123"),
    ("admin@acme.example", "Adam Admin", "+442079460456"),
    ("viewer@acme.example", "Vera Viewer", "+442079460789"),
    ("owner@globex.example", "Gina Globex", "+12175550199"),
    ("owner@initech.example", "Ian Initech", "+4915112345678"),
]

_SINCE = datetime(2023, 3, 14, 9, 30, tzinfo=UTC)

ACCOUNTS: list[dict[str, Any]] = [
    {
        "name": "Acme Trading Ltd",
        "legal_name": "Acme Trading Limited",
        "registration_number": "09876543",
        "address": "221 Commercial Road, London E1 2PS, United Kingdom",
        "contact_name": "Olivia Owner",
        "contact_email": "owner@acme.example",
        "contact_phone": "+442079460958",
        "country": "GB",
        "timezone": "Europe/London",
        "billing_currency": "USD",
        "package_code": "interact",
        "created_at": _SINCE,
        "members": [
            ("owner@acme.example", "owner"),
            ("admin@acme.example", "admin"),
            ("viewer@acme.example", "viewer"),
        ],
        "balance": Decimal("125.40"),
        "subscriptions": [
            ("WhatsApp Business number", Decimal("49.00")),
            ("Chat Desk extra agent seat", Decimal("25.00")),
        ],
        # conversations 87% (warning), chatbot sessions 117% (overage), campaigns low
        "usage": {
            "conversations": 870,
            "agent_seats": 3,
            "bot_sessions": 2340,
            "campaign_messages": 1250,
        },
    },
    {
        "name": "Globex Retail",
        "legal_name": "Globex Retail Inc.",
        "registration_number": "84-1234567",
        "address": "1200 Market Street, Springfield, IL 62701, United States",
        "contact_name": "Gina Globex",
        "contact_email": "owner@globex.example",
        "contact_phone": "+12175550142",
        "country": "US",
        "timezone": "America/Chicago",
        "billing_currency": "USD",
        "package_code": "connect",
        "created_at": datetime(2024, 1, 8, 15, 0, tzinfo=UTC),
        "members": [("owner@globex.example", "owner")],
        "balance": Decimal("0.00"),
        "subscriptions": [],
        "usage": {"conversations": 112, "agent_seats": 1},
    },
    {
        "name": "Initech Payments",
        "legal_name": "Initech Payments GmbH",
        "registration_number": "HRB 123456 B",
        "address": "Friedrichstraße 68, 10117 Berlin, Germany",
        "contact_name": "Ian Initech",
        "contact_email": "owner@initech.example",
        "contact_phone": "+493012345678",
        "country": "DE",
        "timezone": "Europe/Berlin",
        "billing_currency": "EUR",
        "package_code": "transact",
        "created_at": datetime(2022, 6, 1, 7, 45, tzinfo=UTC),
        "members": [("owner@initech.example", "owner")],
        "balance": Decimal("310.00"),
        "subscriptions": [("Card payments gateway", Decimal("39.00"))],
        "usage": {
            "conversations": 3120,
            "agent_seats": 9,
            "bot_sessions": 4410,
            "campaign_messages": 12800,
            "payments": 642,
        },
    },
]
