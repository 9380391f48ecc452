"""Buttons from old menus, forged or malformed callback data, and double presses."""

from __future__ import annotations

import pytest

from bot.telegram.handlers.conversation import NOT_OUR_BUTTON
from bot.telegram.handlers.private_only import PRIVATE_ONLY
from tests.storage.helpers import account_id, account_row, audit_rows
from tests.telegram.stack import LiveBot

CHAT = 8_880_001
EXPIRED = "That menu has expired"


async def test_button_of_an_old_menu_says_expired_and_shows_the_current_one(live: LiveBot) -> None:
    old = (await live.link(CHAT, "owner@acme.example"))[-1]
    current = (await live.send(CHAT, "menu"))[-1]
    assert current.message_id != old.message_id
    data = next(b.data for row in old.buttons for b in row if "Close" in b.label)
    assert data is not None
    replies = await live.press(CHAT, old.message_id, data)
    assert len(replies) == 1 and EXPIRED in replies[0].text
    assert "Close account" in " ".join(replies[0].labels)  # the current menu, usable again
    assert "Closing" not in replies[0].text  # the old press did not start the closure
    assert len(live.answers(CHAT)) == 1  # answered


@pytest.mark.parametrize("data", ["garbage", "m:onlyone", "m:a:b:c", "x" * 64, "m::"])
async def test_malformed_callback_data_gets_a_polite_answer_only(live: LiveBot, data: str) -> None:
    menu = (await live.link(CHAT, "owner@acme.example"))[-1]
    replies = await live.press(CHAT, menu.message_id, data)
    if data == "m::":  # unpacks, but names no menu: the engine treats it as stale
        assert EXPIRED in replies[0].text
    else:
        assert replies == []
        assert live.answers(CHAT) == [NOT_OUR_BUTTON]


async def test_forged_callback_data_does_nothing_harmful(live: LiveBot) -> None:
    menu = (await live.link(CHAT, "viewer@acme.example"))[-1]
    token = next(b.data for row in menu.buttons for b in row if b.data).split(":")[1]
    # A viewer forging the owner's "close" action with the current menu token:
    replies = await live.press(CHAT, menu.message_id, f"m:{token}:start.close")
    assert "only the account owner can close" in replies[0].text
    forged = await live.press(CHAT, menu.message_id, "m:AAAAAAAA:start.edit")
    assert EXPIRED in forged[0].text
    acme = await account_id(live.db, "Acme Trading Ltd")
    assert (await account_row(live.db, acme)).status == "open"


async def test_press_in_a_group_is_answered_privately(live: LiveBot) -> None:
    group = live.telegram.group_chat(-100_555, "Team")
    live.telegram.send_text(group.id, "/start", user_id=CHAT)
    sent = await live.step(group.id, lambda: live.telegram.send_text(group.id, "menu",
                                                                     user_id=CHAT))
    replies = await live.press(group.id, sent[0].message_id, "m:AAAA:start.close")
    assert replies == [] and live.answers(group.id) == [PRIVATE_ONLY]


async def test_two_presses_of_the_final_button_in_one_batch_close_once(live: LiveBot) -> None:
    await live.link(CHAT, "owner@acme.example")
    await live.click(CHAT, "Close account")
    await live.click(CHAT, "Continue to close")
    confirm = (await live.send(CHAT, "Acme Trading Ltd"))[-1]
    data = next(b.data for row in confirm.buttons for b in row if "permanently" in b.label)
    assert data is not None
    start = len(live.telegram.chats[CHAT].events)
    # Queued together, so one getUpdates answer (or back-to-back webhook posts) has both.
    first = live.telegram.press(CHAT, confirm.message_id, data)
    second = live.telegram.press(CHAT, confirm.message_id, data)
    await live.act(first, second)
    if live.mode == "polling":
        assert [first["update_id"], second["update_id"]] in live.telegram.batches
    acme = await account_id(live.db, "Acme Trading Ltd")
    assert (await account_row(live.db, acme)).status == "closed"
    assert len(await audit_rows(live.db, "account.closed")) == 1
    # The second press shows the closed notice (with its one button, to reach a person)
    # in place of the pressed menu.
    shown = [e.message.text for e in live.telegram.chats[CHAT].events[start:]
             if e.kind in ("sent", "edited") and e.message]
    assert "is now closed" in shown[0] and "was closed" in shown[1]
    assert len(live.answers(CHAT)) == 4  # every press answered, both finals included
