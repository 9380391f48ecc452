"""Opening a channel again (the terminal chat after a restart) shows where the user was."""

from __future__ import annotations

from flows.engine import Engine
from flows.settings import EngineSettings
from storage.sandbox import FreshDatabase
from tests.flows.talk import Clock, Talk, make_engine


async def test_an_open_flow_is_shown_where_it_was_after_a_restart(db: FreshDatabase) -> None:
    clock = Clock()
    before = await Talk.open(make_engine(db, clock), db, "owner@acme.example")
    await before.say("close my account")
    await before.press("Continue")
    restarted = Engine(db.stores, EngineSettings(), clock=clock)  # a new process
    replies = await restarted.resume(before.key)
    assert "Welcome back" in replies[-1].text
    assert "type the account name as shown" in replies[-1].text
    assert [c.label for c in replies[-1].choices] == ["⬅️ Back", "Keep my account"]
    after = Talk(restarted, before.key)
    await after.say("Acme Trading Ltd")  # and the flow goes on from there
    assert "Close Acme Trading Ltd permanently" in after.labels


async def test_a_flow_left_too_long_says_it_expired_and_shows_the_menu(db: FreshDatabase) -> None:
    clock = Clock()
    talk = await Talk.open(make_engine(db, clock), db, "admin@acme.example")
    await talk.say("change my phone")
    clock.advance(minutes=11)
    replies = await make_engine(db, clock).resume(talk.key)
    assert "You were away for more than 10 minutes" in replies[-1].text
    assert "main menu" in replies[-1].text


async def test_without_an_open_flow_resume_greets_with_the_menu(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "viewer@acme.example")
    replies = await talk.engine.resume(talk.key)
    assert replies[-1].text.startswith("Hi Vera!")
    assert "Welcome back" not in replies[-1].text
