"""Every flow end to end over HTTP, in polling and webhook mode: what the user sees and
what is stored."""

from __future__ import annotations

import pytest

from tests.storage.helpers import account_id, account_row, audit_rows
from tests.telegram.stack import LiveBot, labels, texts

CHAT = 5_550_001


@pytest.mark.parametrize(
    ("email", "present", "absent"),
    [
        ("owner@acme.example", ["Account details", "Edit details", "Package", "Close"], []),
        ("admin@acme.example", ["Account details", "Edit details", "Package"], ["Close"]),
        ("viewer@acme.example", ["Account details", "Package"], ["Edit", "Close"]),
    ],
)
async def test_menu_by_role(
    live: LiveBot, email: str, present: list[str], absent: list[str]
) -> None:
    replies = await live.link(CHAT, email)
    assert "This chat is now linked to" in replies[0].text and email in replies[0].text
    menu = replies[-1]
    assert "Acme Trading Ltd" in menu.text
    for label in present:
        assert any(label in shown for shown in menu.labels), (label, menu.labels)
    for label in absent:
        assert not any(label in shown for shown in menu.labels), (label, menu.labels)


async def test_details_view_edits_the_menu_in_place(live: LiveBot) -> None:
    menu = (await live.link(CHAT, "viewer@acme.example"))[-1]
    replies = await live.click(CHAT, "Account details")
    assert len(replies) == 1
    details = replies[0]
    assert details.edited and details.message_id == menu.message_id  # navigation edits in place
    assert "Contact person: Olivia Owner" in details.text
    assert details.labels == ["🔎 More details", "🏠 Menu"]  # a viewer cannot edit
    assert live.answers(CHAT) == [None]  # the press was answered
    more = (await live.click(CHAT, "More details"))[0]
    assert more.edited and more.message_id == menu.message_id
    assert "Legal company name: Acme Trading Limited" in more.text
    back = await live.click(CHAT, "Menu")
    assert back[0].message_id == menu.message_id and "What would you like to do?" in back[0].text


async def test_edit_and_save_is_stored(live: LiveBot) -> None:
    await live.link(CHAT, "admin@acme.example")
    await live.click(CHAT, "Edit details")
    entering = await live.click(CHAT, "Contact e-mail")
    assert "Current value: owner@acme.example" in entering[0].text
    review = await live.send(CHAT, "billing@acme-trading.com")
    assert "owner@acme.example → billing@acme-trading.com" in review[-1].text
    assert "Save" in " ".join(review[-1].labels)
    acme = await account_id(live.db, "Acme Trading Ltd")
    assert (await account_row(live.db, acme)).contact_email == "owner@acme.example"  # not yet

    saved = await live.click(CHAT, "Save")
    assert "✅ Saved" in saved[0].text and not saved[0].edited  # a result to keep: new message
    assert "billing@acme-trading.com" in saved[0].text
    assert "main menu" in saved[-1].text.lower()
    assert (await account_row(live.db, acme)).contact_email == "billing@acme-trading.com"
    assert len(await audit_rows(live.db, "details.updated")) == 1
    review_message = next(m for m in live.chat(CHAT) if m.message_id == review[-1].message_id)
    assert review_message.buttons == []  # the pressed Save button is gone


async def test_package_and_usage_sends_the_chart(live: LiveBot) -> None:
    await live.link(CHAT, "viewer@acme.example")
    replies = await live.click(CHAT, "Package")
    photo, usage = replies
    assert photo.photo is not None and photo.photo.startswith(b"\x89PNG")
    assert photo.json["photo"][0]["width"] > 100  # the server read the uploaded PNG
    assert "Interact" in usage.text and "340 over" in usage.text and "%" in usage.text
    assert labels([usage]) == [
        "📋 What's included", "📊 Compare packages", "💰 Subscriptions & balance", "🏠 Menu"
    ]
    compare = await live.click(CHAT, "Compare")
    assert compare[0].message_id == usage.message_id and "Interact (2 of 3)" in compare[0].text
    back = await live.click(CHAT, "Back")  # the overview again, edited in place: no new chart
    assert [reply.photo for reply in back] == [None] and back[0].message_id == usage.message_id


async def test_help_on_the_package_screen_does_not_send_the_chart_again(live: LiveBot) -> None:
    await live.link(CHAT, "viewer@acme.example")
    _photo, usage = await live.click(CHAT, "Package")
    for typed in ("/help", "help", "what is this"):
        replies = await live.send(CHAT, typed)
        assert [reply.photo for reply in replies] == [None], typed  # one message, no picture
        assert labels(replies) == labels([usage]), typed  # the overview's buttons, still live
    assert "how much of it you have used" in (await live.send(CHAT, "/help"))[0].text
    included = await live.click(CHAT, "What's included")
    assert "Chat Desk shared inbox" in included[0].text


async def test_close_flow_to_completion(live: LiveBot) -> None:
    await live.link(CHAT, "owner@acme.example")
    warning = await live.click(CHAT, "Close account")
    assert "125.40 USD" in warning[0].text and "WhatsApp Business number" in warning[0].text
    await live.click(CHAT, "Continue to close")
    confirm = await live.send(CHAT, "Acme Trading Ltd")
    assert "Close Acme Trading Ltd permanently" in labels(confirm)
    closed = await live.click(CHAT, "permanently")
    assert "is now closed" in closed[0].text and "Closure reference: CL-" in closed[0].text
    acme = await account_id(live.db, "Acme Trading Ltd")
    assert (await account_row(live.db, acme)).status == "closed"
    after = await live.send(CHAT, "menu")
    assert "was closed" in texts(after)[0] and labels(after) == ["🙋 Talk to a person"]


async def test_core_flow_on_every_database(live_any_db: LiveBot) -> None:
    live = live_any_db
    menu = await live.link(CHAT, "owner@acme.example")
    assert "Close account" in " ".join(menu[-1].labels)
    await live.click(CHAT, "Edit details")
    await live.click(CHAT, "Contact person")
    await live.send(CHAT, "Oscar Owner")
    await live.click(CHAT, "Save")
    acme = await account_id(live.db, "Acme Trading Ltd")
    assert (await account_row(live.db, acme)).contact_name == "Oscar Owner"
    await live.click(CHAT, "Close account")
    await live.click(CHAT, "Continue to close")
    await live.send(CHAT, "acme trading ltd")
    closed = await live.click(CHAT, "permanently")
    assert "is now closed" in closed[0].text
    assert (await account_row(live.db, acme)).status == "closed"
    assert len(await audit_rows(live.db, "account.closed")) == 1
