"""Refusals name whom to ask; closed-account notices give the configured support contact."""

from __future__ import annotations

from flows.engine import Engine
from storage.sandbox import FreshDatabase
from tests.flows.talk import Talk, make_engine

CONTACT = "help@acme-platform.test, +44 20 0000 0000"


async def test_an_admin_asking_to_close_is_told_the_owners_name(db: FreshDatabase) -> None:
    admin = await Talk.open(make_engine(db), db, "admin@acme.example")
    await admin.say("close my account")
    assert "Your role on Acme Trading Ltd is admin." in admin.text
    assert "Olivia Owner, the account owner, can do this." in admin.text


async def test_the_owner_of_each_account_is_named_to_its_own_members(db: FreshDatabase) -> None:
    # Only Acme has other members in the demo; its owner is named, not another account's.
    viewer = await Talk.open(make_engine(db), db, "viewer@acme.example")
    await viewer.say("change my phone")
    assert "Olivia Owner can do this, or can make you an admin." in viewer.text
    assert "Gina" not in viewer.text and "Ian" not in viewer.text


async def test_a_closed_account_gives_the_configured_support_contact(db: FreshDatabase) -> None:
    engine: Engine = make_engine(db, support_contact=CONTACT)
    owner = await Talk.open(engine, db, "owner@initech.example")
    await owner.say("close my account")
    await owner.press("Continue")
    await owner.say("Initech Payments")
    await owner.press("permanently")
    await owner.say("history")  # nothing is reachable on a closed account, history neither
    assert "Initech Payments was closed on" in owner.text
    assert f"If you need a new account, please contact support: {CONTACT}." in owner.text
    assert "newest first" not in owner.text


async def test_the_connect_refusal_gives_the_configured_support_contact(db: FreshDatabase) -> None:
    owner = await Talk.open(make_engine(db, support_contact=CONTACT), db, "owner@globex.example")
    await owner.say("close my account")
    assert f"Please contact support: {CONTACT}. Nothing has been changed." in owner.text
