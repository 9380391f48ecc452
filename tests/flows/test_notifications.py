"""The Notifications flow: usage alerts on or off, per user, for owners and admins."""

from __future__ import annotations

from storage.sandbox import FreshDatabase
from storage.usage_notifications import usage_alerts_on
from tests.flows.talk import Talk, make_engine
from tests.storage.helpers import user_id


async def alerts_on(db: FreshDatabase, email: str) -> bool:
    async with db.database.reading() as connection:
        return await usage_alerts_on(connection, await user_id(db, email))


async def test_an_admin_switches_usage_alerts_off_and_on(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "admin@acme.example")
    await talk.say("/start")
    assert "🔔 Notifications" in talk.labels
    await talk.press("Notifications")
    assert "Usage alerts are on" in talk.text
    assert talk.labels == ["🔕 Turn usage alerts off", "🏠 Menu"]
    await talk.press("Turn usage alerts off")
    assert "you will get no usage alerts" in talk.text and "Usage alerts are off" in talk.text
    assert talk.labels == ["🔔 Turn usage alerts on", "🏠 Menu"]
    assert not await alerts_on(db, "admin@acme.example")
    assert await alerts_on(db, "owner@acme.example")  # the choice is the admin's alone
    await talk.press("Turn usage alerts on")
    assert "usage alerts are on again" in talk.text
    assert await alerts_on(db, "admin@acme.example")


async def test_typed_words_open_it(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("turn off usage alerts")
    assert "Usage alerts are on" in talk.text and "Turn usage alerts off" in talk.labels[0]


async def test_a_viewer_is_told_alerts_are_for_owners_and_admins(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "viewer@acme.example")
    await talk.say("/start")
    assert not any("Notifications" in label for label in talk.labels)
    await talk.say("notifications")
    assert "owner and admins of Acme Trading Ltd" in talk.text
    assert await alerts_on(db, "viewer@acme.example")  # nothing was stored
