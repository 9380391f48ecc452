"""QA: screens past ten lines that the walk of the demo data never reaches.

``test_screen_sizes`` walks every screen as each demo member, but on the demo data: a
review of every field at once, or an account with more subscriptions than the demo's
two, make screens the walk never sees. The review lists every change (it is what Save saves)
with its reminder on the heading's line; lists of subscriptions are counted past a few.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import insert

from storage import models as m
from storage.sandbox import FreshDatabase
from tests.flows.talk import Talk, make_engine

MAX_LINES = 10
EVERY_FIELD = [
    ("Account name", "Acme Two"),
    ("Legal company name", "Acme Two Ltd"),
    ("Company registration", "12345678"),
    ("Registered address", "1 High Street, London"),
    ("Contact person", "Pat Person"),
    ("Contact e-mail", "pat@acme.example"),
    ("Contact phone", "+44 20 7946 0001"),
    ("Country", "Germany"),
    ("Time zone", "Europe/Berlin"),
]


def longest(talk: Talk) -> int:
    return max(len(reply.text.splitlines()) for reply in talk.replies)


async def test_reviewing_every_field_fits_a_phone(db: FreshDatabase) -> None:
    owner = await Talk.open(make_engine(db), db, "owner@acme.example")
    await owner.say("/start")
    await owner.press("Edit details")
    for label, value in EVERY_FIELD:
        await owner.press(label)
        await owner.say(value)
        assert "review your changes" in owner.text, owner.text
        await owner.press("Change another")
    await owner.press("Review")
    assert longest(owner) <= MAX_LINES, owner.text


async def test_the_closure_warning_of_six_subscriptions_fits_a_phone(db: FreshDatabase) -> None:
    async with db.database.transaction() as connection:
        for n in range(4):
            await connection.execute(insert(m.SubscriptionRow).values(
                account_id=1, name=f"Extra add-on {n}", price=Decimal("10.00"),
                currency="USD", interval="month", status="active"))
    owner = await Talk.open(make_engine(db), db, "owner@acme.example")
    await owner.say("close my account")
    assert "… and 4 more" in owner.text, owner.text  # six subscriptions: two shown
    assert longest(owner) <= MAX_LINES, owner.text
    await owner.press("Continue")
    await owner.say("Acme Trading Ltd")
    await owner.press("permanently")
    assert "✅ Acme Trading Ltd is now closed." in owner.text
    assert longest(owner) <= MAX_LINES, owner.text
