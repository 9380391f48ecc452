"""The in-process harness (testkit.telegram.harness) that scripts and benchmarks use."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.telegram.handlers.errors import SHOWING_FAILED
from flows.engine import SORRY, Engine
from storage import identities
from storage.identities import issue_link_code
from storage.sandbox import FreshDatabase
from testkit.telegram.emulator import ApiError
from testkit.telegram.emulator.methods import METHODS
from testkit.telegram.harness import TelegramHarness, TelegramTestClient


async def test_send_click_and_see_edits_in_place(harness: TelegramHarness) -> None:
    client = harness.client(1001)
    await client.link_as("owner@acme.example")
    menu = await client.send("menu")
    assert "Close account" in " ".join(menu[-1].labels)
    details = await client.click("Account details")
    assert details[0].edited and details[0].message_id == menu[-1].message_id
    assert [m.message_id for m in client.bot_messages] == [menu[-1].message_id]
    usage = await client.click("Menu")
    usage = await client.click("package")
    assert usage[0].photo is not None and "Interact" in usage[1].text
    assert client.last_menu is not None and client.last_menu.labels[1] == "📊 Compare packages"
    assert harness.errors == []


async def test_click_refuses_ambiguous_or_missing_labels(harness: TelegramHarness) -> None:
    client = harness.client(1002)
    await client.link_as("owner@acme.example")
    await client.send("menu")
    with pytest.raises(LookupError, match="Account details"):
        await client.click("no such button")
    with pytest.raises(LookupError, match="2 buttons"):
        await client.click("details")  # Account details, Edit details


async def test_link_code_forged_data_and_transcript(sqlite_db: FreshDatabase) -> None:
    engine = Engine(sqlite_db.stores)
    client = TelegramTestClient(engine, sqlite_db.database, chat_id=1003)
    async with sqlite_db.database.transaction() as connection:
        code = await issue_link_code(connection, "viewer@acme.example", datetime.now(UTC), 60)
    linked = await client.send(f"/start {code}")
    assert "Vera Viewer" in linked[0].text
    assert await client.press(linked[-1].message_id, "forged") == []
    assert client.answers[-1].text and "can't use that button" in client.answers[-1].text
    transcript = client.transcript()
    assert f"[user #1] /start {code}" in transcript and "📄 Account details" in transcript
    calls = [call.method for call in client.harness.session.calls]
    assert calls == ["sendMessage", "sendMessage", "answerCallbackQuery"]


async def test_a_failed_update_is_answered_and_apologised_for(
    harness: TelegramHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = harness.client(1004)
    await client.link_as("owner@acme.example")
    await client.send("menu")

    def broken(tg: object, params: object) -> object:
        raise ApiError(400, "Bad Request: something unexpected")

    monkeypatch.setitem(METHODS, "editmessagetext", broken)
    replies = await client.click("Account details")
    assert [m.text for m in replies] == [SHOWING_FAILED]  # the engine had already committed
    assert len(client.answers) == 1  # the press was answered all the same
    assert len(harness.errors) == 1 and "something unexpected" in str(harness.errors[0])


async def test_a_failure_before_anything_was_stored_says_nothing_changed(
    harness: TelegramHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(identities, "redeem_link_code", broken)
    replies = await harness.client(1005).send("/start SOMECODE")
    # The link runs in the update's unit of work: the engine rolls it back and says so.
    assert [m.text for m in replies] == [SORRY]
    assert not harness.errors
