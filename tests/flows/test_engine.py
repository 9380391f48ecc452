"""The engine's guarantees: expiry, stale buttons, resets, errors, ordering."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import text, update

from flows.types import ConversationKey, Inbound, ReplyKind
from storage.models import Conversation
from storage.sandbox import FreshDatabase
from tests.flows.talk import Clock, Talk, account_named, make_engine


async def test_inactivity_expires_the_flow_and_says_so(db: FreshDatabase) -> None:
    clock = Clock()
    talk = await Talk.open(
        make_engine(db, clock, flow_timeout_seconds=600), db, "owner@acme.example"
    )
    await talk.say("change my email")
    await talk.say("late@acme.example")
    token = talk.token("Save")
    clock.advance(minutes=10, seconds=1)
    await talk.press_token(token)
    assert "away for more than 10 minutes" in talk.text and "Nothing was changed" in talk.text
    assert "main menu" in talk.text
    assert (await account_named(db, "Acme Trading Ltd")).contact_email == "owner@acme.example"


async def test_activity_within_the_timeout_keeps_the_flow(db: FreshDatabase) -> None:
    clock = Clock()
    talk = await Talk.open(make_engine(db, clock), db, "owner@acme.example")
    await talk.say("change my email")
    clock.advance(minutes=9)
    await talk.say("kept@acme.example")
    clock.advance(minutes=9)
    await talk.press("Save")
    assert "Saved" in talk.text


async def test_a_button_from_an_old_menu_does_nothing_but_show_the_current_one(
    db: FreshDatabase,
) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("menu")
    old_edit = talk.token("Edit details")
    await talk.press("Package")
    await talk.press_token(old_edit)
    assert "That menu has expired" in talk.text
    assert "Your package: Interact" in talk.text  # the current screen again


@pytest.mark.parametrize("token", ["", ":", "nonsense", "x" * 200, "abc:start.close", "☃:💣"])
async def test_forged_or_malformed_tokens_are_rejected_politely(
    db: FreshDatabase, token: str
) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("menu")
    await talk.press_token(token)
    assert "That menu has expired" in talk.text
    assert (await account_named(db, "Acme Trading Ltd")).status == "open"


async def test_an_unknown_action_with_a_valid_token_is_refused(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("change my email")
    menu_token = talk.token("Back").split(":")[0]
    await talk.press_token(f"{menu_token}:drop_tables")
    assert talk.text == "That option is not available at this step. Please choose one below."
    assert talk.labels == ["⬅️ Back", "✖️ Cancel"]  # the step's own buttons, still working
    await talk.press("Back")
    assert "Which detail do you want to change?" in talk.text


async def test_a_stored_state_that_no_longer_exists_resets_with_an_apology(
    db: FreshDatabase,
) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("change my email")
    async with db.database.transaction() as connection:  # as if a release renamed the state
        await connection.execute(update(Conversation).values(state="renamed_in_v2"))
    await talk.say("new@acme.example")
    assert "lost track of where we were" in talk.text
    assert "main menu" in talk.text
    await talk.say("change my email")  # and the conversation goes on normally
    assert "Contact e-mail" in talk.text


async def test_an_unexpected_error_rolls_back_says_nothing_changed_and_is_logged(
    db: FreshDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("menu")
    menu_token = talk.token("Package")
    async with db.database.transaction() as connection:  # a real failure inside the database
        await connection.execute(text("DROP TABLE usage_records"))
    with caplog.at_level(logging.ERROR, logger="flows.engine"):
        await talk.press_token(menu_token)
    assert "something went wrong on our side, so nothing was changed" in talk.text
    assert "Traceback" not in talk.text
    assert any("failed; rolled back" in r.message for r in caplog.records)
    await talk.press_token(menu_token)  # the record was rolled back: the menu still works
    assert "something went wrong" in talk.text  # (the table is still gone)


async def test_an_unlinked_chat_is_told_how_to_link_and_nothing_else(db: FreshDatabase) -> None:
    engine = make_engine(db)
    replies = await engine.handle(Inbound.typed(ConversationKey("test", "stranger"), "package"))
    assert len(replies) == 1
    assert replies[0].kind is ReplyKind.UNLINKED and replies[0].choices == []
    # How to link is the channel's to say (Telegram: /start CODE or sharing a phone).
    assert "not linked" in replies[0].text and "/start" not in replies[0].text


async def test_updates_of_one_conversation_at_once_each_apply_once(db: FreshDatabase) -> None:
    """The engine leaves order to the channel (Telegram's ChatOrderMiddleware), but
    updates of one chat that do run at once are neither lost nor failed: the one
    that loses the race on the record runs again on the record the other saved."""
    engine = make_engine(db)
    talk = await Talk.open(engine, db, "owner@acme.example")
    await talk.say("menu")
    before = await stored_version(db, talk.key)
    results = await asyncio.gather(
        *(engine.handle(Inbound.typed(talk.key, "menu")) for _ in range(3))
    )
    assert [replies[-1].text.startswith("Hi Olivia!") for replies in results] == [True] * 3
    assert await stored_version(db, talk.key) == before + 3


async def stored_version(db: FreshDatabase, key: ConversationKey) -> int:
    async with db.stores.transaction() as store:
        record = await store.load_conversation(key)
    assert record is not None
    return record.version


async def test_many_conversations_run_concurrently_without_losing_anything(
    db: FreshDatabase,
) -> None:
    engine = make_engine(db)
    talks = [await Talk.open(engine, db, "viewer@acme.example", channel=f"c{n}") for n in range(20)]

    async def session(talk: Talk) -> list[str]:
        seen = []
        for line in ("menu", "package", "compare", "back", "menu"):
            replies = await engine.handle(Inbound.typed(talk.key, line))
            seen.append(replies[-1].text)
        return seen

    for seen in await asyncio.gather(*(session(t) for t in talks)):
        assert "Hi Vera" in seen[0]
        assert "Your package" in seen[1]
        assert "Interact (2 of 3)" in seen[2]
        assert "Your package" in seen[3]
        assert "Hi Vera" in seen[4]
