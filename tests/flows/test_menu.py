"""Main menu, typed requests, details and package screens, per role."""

from __future__ import annotations

import logging

import pytest

from flows.engine import Engine
from flows.ports import UsageReport
from storage.sandbox import FreshDatabase
from tests.flows.talk import Talk, make_engine


@pytest.mark.parametrize(
    ("email", "role", "visible", "hidden"),
    [
        (
            "owner@acme.example",
            "owner",
            ["Account details", "Edit details", "Package", "Close"],
            [],
        ),
        ("admin@acme.example", "admin", ["Account details", "Edit details", "Package"], ["Close"]),
        ("viewer@acme.example", "viewer", ["Account details", "Package"], ["Edit", "Close"]),
    ],
)
async def test_menu_greets_by_name_and_shows_only_what_the_role_allows(
    db: FreshDatabase, email: str, role: str, visible: list[str], hidden: list[str]
) -> None:
    talk = await Talk.open(make_engine(db), db, email)
    await talk.say("/start")
    first_name = {"owner": "Olivia", "admin": "Adam", "viewer": "Vera"}[role]
    assert f"Hi {first_name}" in talk.text
    assert "Acme Trading Ltd" in talk.text and f"as {role}" in talk.text
    for label in visible:
        assert any(label in shown for shown in talk.labels), (label, talk.labels)
    for label in hidden:
        assert not any(label in shown for shown in talk.labels), (label, talk.labels)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("show my usage", "Billing period"),
        ("what package am I on", "Your package: Interact"),
        ("chnage my email", "Contact e-mail\nCurrent value: owner@acme.example"),
        ("close my account", "Closing Acme Trading Ltd is permanent"),
        ("account details", "Acme Trading Ltd: account details\nPackage: Interact"),
    ],
)
async def test_typed_requests_with_typos_reach_the_right_flow(
    db: FreshDatabase, typed: str, expected: str
) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say(typed)
    assert expected in talk.text


async def test_details_show_every_field_formatted(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "viewer@acme.example")
    await talk.say("menu")
    await talk.press("Account details")
    for expected in (
        "Acme Trading Ltd: account details",
        "Package: Interact",
        "Owner: Olivia Owner (owner@acme.example)",
        "Contact person: Olivia Owner",
        "Contact e-mail: owner@acme.example",
        "Contact phone: +44 ",  # international format, not E.164
    ):
        assert expected in talk.text
    assert "Registered address" not in talk.text  # behind More details
    assert not any("Edit" in label for label in talk.labels)  # viewer cannot edit

    await talk.press("More details")
    for expected in (
        "Legal company name: Acme Trading Limited",
        "Company registration number: 09876543",
        "Registered address: 221 Commercial Road",
        "Country: United Kingdom (GB)",
        "Time zone: Europe/London, local time",
        "Billing currency: USD (cannot be changed)",
        "Account ID: ",
        ", created ",
    ):
        assert expected in talk.text
    assert not any("Edit" in label for label in talk.labels)
    await talk.press("Back")
    assert "Contact person: Olivia Owner" in talk.text


async def test_usage_shows_one_line_a_meter_and_the_rest_behind_buttons(
    db: FreshDatabase,
) -> None:
    talk = await Talk.open(make_engine(db), db, "viewer@acme.example")
    await talk.say("package")
    text = talk.text
    assert "Your package: Interact" in text
    assert "🟡 Conversations: 870 / 1,000 (87%), nearly used up" in text
    assert "🔴 Chatbot sessions: 2,340 / 2,000 (117%), 340 over" in text
    assert "🟢 Agent seats: 3 / 5 (60%)" in text

    await talk.press("What's included")
    assert "Chat Desk shared inbox" in talk.text
    assert "Each month: 1,000 conversations · 5 seats" in talk.text
    await talk.press("Back")
    await talk.press("Subscriptions & balance")
    assert "Prepaid balance: 125.40 USD" in talk.text
    assert "WhatsApp Business number: 49.00 USD per month" in talk.text
    assert "Chat Desk extra agent seat: 25.00 USD per month" in talk.text
    await talk.press("Back")

    await talk.press("Compare")
    assert "Interact (2 of 3): 99.00 USD per month, your package" in talk.text
    assert "Everything in Connect, plus:" in talk.text
    await talk.press("Transact")
    assert "Transact (3 of 3)" in talk.text and "Payments in chat" in talk.text
    assert [label for label in talk.labels if "📦" in label] == ["📦 Connect", "📦 Interact"]
    await talk.say("back")
    assert "Your package: Interact" in talk.text


async def test_unknown_text_at_the_menu_says_so_and_shows_the_menu(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("purple monkey dishwasher")
    assert "didn't understand" in talk.text
    assert any("Package" in label for label in talk.labels)


async def test_help_explains_the_keywords_and_keeps_the_step(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("change my phone")
    await talk.say("help")
    assert "cancel: stop what you are doing" in talk.text
    assert "Current value" not in talk.text  # the step is not sent again: just its buttons
    assert talk.labels == ["⬅️ Back", "✖️ Cancel"]
    await talk.say("+44 20 7946 0000")  # still at the same step
    assert "Please review your changes" in talk.text


async def test_the_usage_chart_is_drawn_after_the_commit_for_channels_that_show_images(
    db: FreshDatabase,
) -> None:
    drawn: list[str] = []

    def renderer(report: UsageReport) -> bytes:
        drawn.append(report.package.name)
        return b"\x89PNG chart of " + report.package.name.encode()

    engine = Engine(db.stores, charts={"test": renderer})
    talk = await Talk.open(engine, db, "viewer@acme.example")
    await talk.say("package")
    assert talk.replies[0].image == b"\x89PNG chart of Interact"
    terminal = await Talk.open(engine, db, "viewer@acme.example", channel="terminal")
    await terminal.say("package")
    assert terminal.replies[0].image is None  # no renderer for this channel
    assert drawn == ["Interact"]


async def test_a_failing_chart_leaves_the_text_and_is_logged(
    db: FreshDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(report: UsageReport) -> bytes:
        raise RuntimeError("no fonts")

    talk = await Talk.open(Engine(db.stores, charts={"test": broken}), db, "viewer@acme.example")
    with caplog.at_level(logging.ERROR, logger="flows.engine"):
        await talk.say("package")
    assert "Your package: Interact" in talk.text and talk.replies[0].image is None
    assert any("usage chart failed" in r.message for r in caplog.records)
