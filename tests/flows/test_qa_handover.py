"""QA: standing buttons (a notice's, valid on any screen) pressed while talking to a person."""

from __future__ import annotations

from flows.tokens import standing
from storage.sandbox import FreshDatabase
from tests.flows.talk import Talk, make_engine


async def test_standing_buttons_while_talking_to_a_person(db: FreshDatabase) -> None:
    owner = await Talk.open(make_engine(db), db, "owner@acme.example")
    await owner.say("talk to a person")
    assert "asked our support team" in owner.text

    await owner.press_token(standing("start.package"))  # an alert's See usage
    assert "still talking to our support team" in owner.text
    assert "expired" not in owner.text and "Your package" not in owner.text
    assert owner.labels == ["🔚 End chat"]

    await owner.press_token(standing("start.handover"))  # the closed notice's, again
    assert "already talking to our support team" in owner.text
    assert "expired" not in owner.text and "still talking" not in owner.text
    assert owner.labels == ["🔚 End chat"]

    await owner.press("End chat")  # the End chat button kept working throughout
    assert "talking to the bot again" in owner.text
