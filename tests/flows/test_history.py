"""The History flow through the real engine and database: pages, who, when, refusals."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from flows.engine import Engine
from storage.models import Membership, User
from storage.sandbox import FreshDatabase
from tests.flows.talk import Clock, Talk, make_engine

SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # London is on BST (UTC+1) then


async def edit(talk: Talk, field: str, value: str) -> None:
    await talk.say(f"change my {field}")
    await talk.say(value)
    await talk.press("Save")
    assert "Saved" in talk.text, talk.text


async def test_admin_pages_through_six_edits_newest_first(db: FreshDatabase) -> None:
    clock = Clock()
    clock.now = SUMMER
    engine: Engine = make_engine(db, clock)
    admin = await Talk.open(engine, db, "admin@acme.example")
    for n in range(1, 7):
        await edit(admin, "address", f"{n} High Street, London")
        clock.advance(minutes=10)
    await admin.say("menu")
    await admin.press("History")
    text = admin.text
    assert "Acme Trading Ltd: history, newest first" in text
    assert "Times are in Europe/London." in text
    for n in range(6, 1, -1):  # five entries, the newest (6) first
        assert f"→ {n} High Street, London" in text
    assert "→ 1 High Street" not in text
    assert text.index("→ 6 High") < text.index("→ 2 High")
    assert "Adam Admin changed Registered address: 5 High Street, London → 6 High" in text
    assert "01 Jul 2026, 13:50" in text  # 12:50 UTC, shown in London summer time
    assert admin.labels == ["Older ➡️", "🏠 Menu"]

    await admin.press("Older")
    assert "Registered address: 221 Commercial Road, London E1 2PS, United Kingdom → 1 High" in (
        admin.text
    )  # the first edit, from the demo address
    assert "→ 2 High" not in admin.text
    assert admin.labels == ["⬅️ Newer", "🏠 Menu"]
    await admin.say("help")  # help with this page's buttons: the page stays where it was
    assert "five at a time" in admin.text and "→ 6 High" not in admin.text
    assert admin.labels == ["⬅️ Newer", "🏠 Menu"]

    await admin.press("Newer")
    assert "→ 6 High Street" in admin.text and "→ 1 High Street" not in admin.text
    assert admin.labels == ["Older ➡️", "🏠 Menu"]


async def test_times_are_shown_in_the_accounts_time_zone(db: FreshDatabase) -> None:
    clock = Clock()
    clock.now = SUMMER
    owner = await Talk.open(make_engine(db, clock), db, "owner@acme.example")
    await edit(owner, "time zone", "Asia/Tokyo")
    await owner.say("show the history")
    assert "Times are in Asia/Tokyo." in owner.text
    assert "01 Jul 2026, 21:00" in owner.text  # 12:00 UTC in Tokyo (UTC+9)
    assert "Olivia Owner changed Time zone: Europe/London → Asia/Tokyo" in owner.text


async def test_an_empty_history_says_so(db: FreshDatabase) -> None:
    owner = await Talk.open(make_engine(db), db, "owner@acme.example")
    await owner.say("account history")
    assert "No changes have been recorded yet." in owner.text
    assert owner.labels == ["🏠 Menu"]


async def test_a_stopped_closure_shows_in_the_history(db: FreshDatabase) -> None:
    owner = await Talk.open(make_engine(db, max_name_attempts=1), db, "owner@acme.example")
    await owner.say("close my account")
    await owner.press("Continue")
    await owner.say("Acme")
    await owner.say("history")
    assert "Olivia Owner started closing the account; it was stopped after 1 names" in owner.text


async def test_a_viewer_is_told_whom_to_ask_however_history_is_asked_for(
    db: FreshDatabase,
) -> None:
    engine = make_engine(db)
    viewer = await Talk.open(engine, db, "viewer@acme.example")
    await viewer.say("menu")
    assert not any("History" in label for label in viewer.labels)
    await viewer.say("history")
    assert "Sorry, only the account owner or an admin can see the account's history." in (
        viewer.text
    )
    assert "Olivia Owner can do this, or can make you an admin." in viewer.text
    menu_token = viewer.token("Account details").split(":")[0]
    await viewer.press_token(f"{menu_token}:start.history")  # forged from a valid menu
    assert "Olivia Owner can do this" in viewer.text
    assert "newest first" not in viewer.text


async def test_a_member_demoted_mid_history_is_refused_at_the_next_press(
    db: FreshDatabase,
) -> None:
    clock = Clock()
    engine = make_engine(db, clock)
    admin = await Talk.open(engine, db, "admin@acme.example")
    for n in range(6):
        await edit(admin, "address", f"{n} Low Road, Leeds")
        clock.advance(seconds=1)
    await admin.say("history")
    async with db.database.transaction() as connection:
        admin_id = await connection.scalar(
            select(User.id).where(User.email == "admin@acme.example")
        )
        await connection.execute(
            update(Membership).where(Membership.user_id == admin_id).values(role="viewer")
        )
    await admin.press("Older")
    assert "Olivia Owner can do this, or can make you an admin." in admin.text
    assert "Low Road" not in admin.text


async def test_a_page_of_edits_of_several_fields_still_fits_a_phone(db: FreshDatabase) -> None:
    """QA: an entry that changed several fields was a line per field, so a page of such
    entries ran far past the ten lines a screen may have."""
    owner = await Talk.open(make_engine(db), db, "owner@acme.example")
    for n in range(1, 6):
        await owner.say("change my address")
        await owner.say(f"{n} High Street, London")
        await owner.press("Change another")
        await owner.press("Contact person")
        await owner.say(f"Person {n}")
        await owner.press("Change another")
        await owner.press("Contact phone")
        await owner.say(f"+44 20 7946 00{n:02d}")
        await owner.press("Save")
        assert "Saved" in owner.text, owner.text
    await owner.say("history")
    lines = owner.text.splitlines()
    assert len(lines) <= 10, owner.text
    assert "Olivia Owner changed" in lines[2] and "Contact person: Person 4 → Person 5" in lines[2]
    assert "→ Person 1" in owner.text and "→ +44 20 7946 0005" in owner.text
