"""Closing the account: owner only, multi-step, once, and final for every member."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from flows.engine import Engine
from storage.models import AuditEntry, Balance, Membership, SubscriptionRow, User
from storage.sandbox import FreshDatabase
from tests.flows.talk import Clock, Talk, account_named, make_engine


async def at_final_step(talk: Talk) -> None:
    await talk.say("close my account")
    await talk.press("Continue")
    await talk.say("Acme Trading Ltd")
    assert "Close Acme Trading Ltd permanently" in talk.labels[0]


async def audit_actions(db: FreshDatabase, action: str) -> list[Any]:
    async with db.database.reading() as connection:
        query = select(*AuditEntry.__table__.columns).where(AuditEntry.action == action)
        return list((await connection.execute(query)).all())


async def test_step_one_says_exactly_what_will_be_lost(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("close my account")
    for expected in (
        "WhatsApp Business number (49.00 USD per month)",
        "Chat Desk extra agent seat (25.00 USD per month)",
        "prepaid balance of 125.40 USD is forfeited",
        "3 members lose access",
        "cannot be reopened",
    ):
        assert expected in talk.text
    assert talk.labels == ["Continue to close", "Keep my account"]
    await talk.press("Keep my account")
    assert "stays open" in talk.text
    assert (await account_named(db, "Acme Trading Ltd")).status == "open"


async def test_the_whole_closure_cancels_forfeits_audits_and_locks_everyone_out(
    db: FreshDatabase,
) -> None:
    engine = make_engine(db)
    owner = await Talk.open(engine, db, "owner@acme.example")
    admin = await Talk.open(engine, db, "admin@acme.example")
    await admin.say("change my email")  # an open flow of another member

    await at_final_step(owner)
    await owner.press("permanently")
    assert "Acme Trading Ltd is now closed" in owner.text
    assert "Closure reference: CL-" in owner.text
    assert "Forfeited prepaid balance: 125.40 USD" in owner.text
    assert owner.replies[0].keep and owner.screen is None

    account = await account_named(db, "Acme Trading Ltd")
    assert account.status == "closed" and account.closed_at is not None
    async with db.database.reading() as connection:
        active = await connection.scalar(
            select(func.count())
            .select_from(SubscriptionRow)
            .where(SubscriptionRow.account_id == account.id, SubscriptionRow.status == "active")
        )
        balance = await connection.scalar(
            select(Balance.amount).where(Balance.account_id == account.id)
        )
    assert active == 0
    assert balance == Decimal("0")
    [closed] = await audit_actions(db, "account.closed")
    assert closed.changes["forfeited_balance"] == "125.40 USD"

    for email in ("owner@acme.example", "admin@acme.example", "viewer@acme.example"):
        member = await Talk.open(engine, db, email)
        await member.say("hello")
        assert "was closed on" in member.text and "cannot be reopened" in member.text
        # Nothing else is possible but reaching a person.
        assert member.screen is not None
        assert [c.label for c in member.screen.choices] == ["🙋 Talk to a person"]
    await admin.say("new@acme.example")  # the admin's old edit flow is gone
    assert "was closed on" in admin.text


async def test_a_double_press_closes_once_and_says_it_is_already_closed(
    db: FreshDatabase,
) -> None:
    owner = await Talk.open(make_engine(db), db, "owner@acme.example")
    await at_final_step(owner)
    token = owner.token("permanently")
    first, second = await asyncio.gather(owner.press_token(token), owner.press_token(token))
    texts = [first[0].text, second[0].text]
    assert sum("is now closed" in t for t in texts) == 1
    assert sum("was closed on" in t for t in texts) == 1
    assert len(await audit_actions(db, "account.closed")) == 1


async def test_two_chats_confirming_at_once_close_once(db: FreshDatabase) -> None:
    engine = make_engine(db)
    terminal = await Talk.open(engine, db, "owner@acme.example", channel="terminal")
    telegram = await Talk.open(engine, db, "owner@acme.example", channel="telegram")
    await at_final_step(terminal)
    await at_final_step(telegram)
    results = await asyncio.gather(terminal.press("permanently"), telegram.press("permanently"))
    texts = [replies[0].text for replies in results]
    assert sum("is now closed" in t for t in texts) == 1, texts
    assert len(await audit_actions(db, "account.closed")) == 1


async def test_an_owner_demoted_after_step_one_is_refused_at_the_last_step(
    db: FreshDatabase,
) -> None:
    owner = await Talk.open(make_engine(db), db, "owner@acme.example")
    await at_final_step(owner)
    async with db.database.transaction() as connection:
        user_id = await connection.scalar(select(User.id).where(User.email == "owner@acme.example"))
        await connection.execute(
            update(Membership).where(Membership.user_id == user_id).values(role="admin")
        )
    await owner.press("permanently")
    assert "only the account owner can close" in owner.text
    assert "Please ask the account owner." in owner.text  # nobody is owner any more
    assert (await account_named(db, "Acme Trading Ltd")).status == "open"
    assert await audit_actions(db, "account.closed") == []


@pytest.mark.parametrize("email", ["viewer@acme.example", "admin@acme.example"])
async def test_viewer_and_admin_cannot_reach_closure_by_menu_typing_or_replay(
    db: FreshDatabase, email: str
) -> None:
    engine: Engine = make_engine(db)
    member = await Talk.open(engine, db, email)
    await member.say("menu")
    assert not any("Close" in label for label in member.labels)
    await member.say("close my account")
    assert "only the account owner can close the account" in member.text
    assert "Olivia Owner, the account owner, can do this." in member.text
    menu_token = member.token("Account details").split(":")[0]
    for action in ("start.close", "proceed", "confirm"):  # forged or replayed steps
        await member.press_token(f"{menu_token}:{action}")
        assert "is now closed" not in member.text
        menu_token = member.token("Account details").split(":")[0]
    # Replaying the owner's final button from this chat is a stale menu here.
    owner = await Talk.open(engine, db, "owner@acme.example")
    await at_final_step(owner)
    await member.press_token(owner.token("permanently"))
    assert "That menu has expired" in member.text
    assert (await account_named(db, "Acme Trading Ltd")).status == "open"


async def test_three_wrong_names_end_the_flow_and_are_audited(db: FreshDatabase) -> None:
    owner = await Talk.open(make_engine(db), db, "owner@acme.example")
    await owner.say("close my account")
    await owner.press("Continue")
    await owner.say("Acme")
    assert "does not match" in owner.text and "2 attempts left" in owner.text
    await owner.say("Acme Trading")
    assert "1 attempt left" in owner.text
    await owner.say("Acme Ltd")
    assert "stopped the closure" in owner.text
    assert "main menu" in owner.text
    [entry] = await audit_actions(db, "closure.name_mismatch")
    assert entry.changes["attempts"] == 3
    assert (await account_named(db, "Acme Trading Ltd")).status == "open"


async def test_the_final_button_works_for_a_few_minutes_only(db: FreshDatabase) -> None:
    clock = Clock()
    owner = await Talk.open(
        make_engine(db, clock, close_confirm_seconds=180), db, "owner@acme.example"
    )
    await at_final_step(owner)
    clock.advance(seconds=181)
    await owner.press("permanently")
    assert "confirmation button has expired, so nothing was closed" in owner.text
    assert "Closing Acme Trading Ltd is permanent" in owner.text  # back at step one
    assert (await account_named(db, "Acme Trading Ltd")).status == "open"


async def test_a_connect_owner_is_sent_to_support(db: FreshDatabase) -> None:
    owner = await Talk.open(make_engine(db), db, "owner@globex.example")
    await owner.say("menu")
    await owner.press("Close account")
    assert "closed by our support team" in owner.text
    assert "support@platform.example" in owner.text
    assert (await account_named(db, "Globex Retail")).status == "open"


async def test_a_transact_owner_can_close(db: FreshDatabase) -> None:
    owner = await Talk.open(make_engine(db), db, "owner@initech.example")
    await owner.say("close my account")
    await owner.press("Continue")
    await owner.say("initech payments")  # case and spacing do not matter
    await owner.press("permanently")
    assert "Initech Payments is now closed" in owner.text
    assert (await account_named(db, "Initech Payments")).status == "closed"


HINT = (
    "Typing doesn't close the account: press “Close Acme Trading Ltd permanently” below, "
    "or type cancel to stop."
)
TYPED_AT_THE_LAST_STEP = [
    "Acme Trading Ltd",  # the name again
    "close",
    "CLOSE",
    "yes",
    "permanently",
    "Acme",
    "trading",
    "confirm",
    "close my account",
    "Close Acme Trading Ltd permanently",  # the complete label, typed: still not a press
    "Close Acme Tradng Ltd permanently",  # a typo of the label
    "1",  # the option's number means something only to the terminal channel
]


@pytest.mark.parametrize("typed", TYPED_AT_THE_LAST_STEP)
async def test_typed_text_at_the_last_step_never_closes(db: FreshDatabase, typed: str) -> None:
    owner = await Talk.open(make_engine(db), db, "owner@acme.example")
    await at_final_step(owner)
    button = owner.token("permanently")
    await owner.say(typed)
    assert owner.text == HINT  # one short line, and the same buttons again
    assert owner.labels == ["Close Acme Trading Ltd permanently", "Keep my account"]
    account = await account_named(db, "Acme Trading Ltd")
    assert account.status == "open"
    assert not await audit_actions(db, "account.closed")
    await owner.press_token(button)  # the button already on screen still works
    assert "is now closed" in owner.text


async def test_keywords_and_navigation_still_work_at_the_last_step(db: FreshDatabase) -> None:
    owner = await Talk.open(make_engine(db), db, "owner@acme.example")
    await at_final_step(owner)
    await owner.say("keep my acount")  # a typo of a choice that writes nothing: forgiven
    assert "stays open" in owner.text
    await at_final_step(owner)
    await owner.say("back")
    assert "type the account name as shown" in owner.text
    await owner.say("Acme Trading Ltd")
    await owner.say("cancel")
    assert "Cancelled. Nothing was changed." in owner.text
    assert (await account_named(db, "Acme Trading Ltd")).status == "open"
