"""Edit details: validation of every field, review, save, discard, conflicts, restarts."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from flows.engine import Engine
from storage.models import Account, AuditEntry
from storage.sandbox import FreshDatabase
from tests.flows.talk import Talk, account_named, make_engine

# (field label, bad value, words the explanation must contain)
INVALID = [
    ("Account name", "A", "too short"),
    ("Account name", "x" * 81, "too long"),
    ("Account name", "Acme\tTrading", "control characters"),
    ("Account name", "   ", "cannot be empty"),
    ("Legal company name", "L", "too short"),
    ("Legal company name", "L" * 121, "too long"),
    ("Company registration number", "9", "too short"),
    ("Company registration number", "9" * 41, "too long"),
    ("Registered address", "1 St", "too short"),
    ("Registered address", "1 High Street " * 15, "too long"),
    ("Registered address", "1 High St\x00", "control characters"),
    ("Contact person", "Q", "too short"),
    ("Contact person", "Olivia\nOwner", "control characters"),
    ("Contact e-mail", "a" * 250 + "@acme.example", "too long"),
    ("Contact e-mail", "billing.example.com", "needs an @"),
    ("Contact e-mail", "billing@", "something after the @-sign"),
    ("Contact e-mail", "bill ing@example.com", "not valid"),
    ("Contact e-mail", "owner@acme.example", "already the current"),
    ("Contact phone", "call me", "needs digits"),
    ("Contact phone", "+44 20 79", "without its area code"),
    ("Contact phone", "+44 20 7946 0958 123", "too many digits"),
    ("Contact phone", "+44 2", "too few digits"),
    ("Contact phone", "+999 1234 5678", "country code does not exist"),
    ("Contact phone", "+44 11 1111 1111", "not a phone number in use"),
    ("Country", "Atlantis", "don't know a country"),
    ("Country", "Germny", "Did you mean Germany"),
    ("Time zone", "Mars/Olympus", "not a time zone"),
    ("Time zone", "Europe/Londn", "Did you mean Europe/London"),
]


@pytest.mark.parametrize(("label", "bad", "explanation"), INVALID)
async def test_a_wrong_value_is_explained_and_asked_again_and_nothing_is_stored(
    db: FreshDatabase, label: str, bad: str, explanation: str
) -> None:
    before = await account_named(db, "Acme Trading Ltd")
    talk = await Talk.open(make_engine(db), db, "admin@acme.example")
    await talk.say("edit details")
    await talk.press(label)
    await talk.say(bad)
    assert explanation in talk.text
    assert "Please type the new value." in talk.text  # the question again
    assert f"{label}\nCurrent value:" in talk.text
    after = await account_named(db, "Acme Trading Ltd")
    assert after.version == before.version


async def test_billing_currency_is_read_only_once_set(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("edit details")
    await talk.press("Billing currency")
    assert "cannot be changed once set" in talk.text
    assert "Which detail do you want to change?" in talk.text
    await talk.say("change my currency")  # typed request goes the same way
    assert "cannot be changed once set" in talk.text


async def test_an_unset_billing_currency_is_validated_set_once_then_locked(
    db: FreshDatabase,
) -> None:
    async with db.database.transaction() as connection:
        await connection.execute(
            update(Account).where(Account.name == "Globex Retail").values(billing_currency=None)
        )
    talk = await Talk.open(make_engine(db), db, "owner@globex.example")
    await talk.say("edit details")
    await talk.press("Billing currency")
    assert "Current value: (not set)" in talk.text
    await talk.say("dollars")
    assert "The currency is too long: at most 3 characters" in talk.text
    await talk.say("XYZ")
    assert "“XYZ” is not an ISO 4217 currency code" in talk.text
    await talk.say("usd")
    await talk.press("Save")
    assert "Saved" in talk.text
    assert (await account_named(db, "Globex Retail")).billing_currency == "USD"
    await talk.say("change my currency")
    assert "cannot be changed once set" in talk.text


async def test_several_changes_are_reviewed_old_to_new_then_saved_and_audited(
    db: FreshDatabase,
) -> None:
    talk = await Talk.open(make_engine(db), db, "admin@acme.example")
    await talk.say("edit details")
    await talk.press("Contact e-mail")
    await talk.say("Billing@Acme.example")
    assert "Contact e-mail: owner@acme.example → Billing@acme.example" in talk.text
    await talk.press("Change another field")
    await talk.press("Contact phone")
    await talk.say("020 7946 0000")  # national format, read with the account's country
    await talk.press("Change another field")
    await talk.press("Country")
    await talk.say("germany")
    await talk.press("Change another field")
    await talk.press("Time zone")
    await talk.say("europe/berlin")
    assert "Country: United Kingdom (GB) → Germany (DE)" in talk.text
    assert "Time zone: Europe/London → Europe/Berlin" in talk.text
    before = await account_named(db, "Acme Trading Ltd")
    assert before.contact_email == "owner@acme.example"  # nothing stored before Save

    await talk.press("Save")
    assert "Saved" in talk.text and talk.replies[0].keep
    after = await account_named(db, "Acme Trading Ltd")
    assert (after.contact_email, after.contact_phone, after.country, after.timezone) == (
        "Billing@acme.example",
        "+442079460000",
        "DE",
        "Europe/Berlin",
    )
    assert after.version == before.version + 1
    async with db.database.reading() as connection:
        entries = (await connection.execute(select(*AuditEntry.__table__.columns))).all()
    saved = [e for e in entries if e.action == "details.updated"]
    assert len(saved) == 1
    assert saved[0].changes["country"] == {"from": "GB", "to": "DE"}
    assert saved[0].channel == "test"


async def test_discard_leaves_the_data_untouched(db: FreshDatabase) -> None:
    before = await account_named(db, "Acme Trading Ltd")
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("change my email")
    await talk.say("new@acme.example")
    await talk.press("Discard")
    assert "Discarded. Nothing was changed." in talk.text
    after = await account_named(db, "Acme Trading Ltd")
    assert (after.contact_email, after.version) == (before.contact_email, before.version)


@pytest.mark.parametrize("leave", ["cancel", "menu"])
async def test_leaving_with_a_keyword_saves_nothing(db: FreshDatabase, leave: str) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("change my email")
    await talk.say("new@acme.example")
    await talk.say(leave)
    assert "Nothing was changed." in talk.text
    assert (await account_named(db, "Acme Trading Ltd")).contact_email == "owner@acme.example"


async def test_back_steps_back_one_screen(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("edit details")
    await talk.press("Contact person")
    await talk.say("back")
    assert "Which detail do you want to change?" in talk.text
    await talk.say("back")
    assert "main menu" in talk.text


async def test_someone_else_saving_first_is_a_conflict_that_keeps_my_changes(
    db: FreshDatabase,
) -> None:
    engine = make_engine(db)
    admin = await Talk.open(engine, db, "admin@acme.example")
    owner = await Talk.open(engine, db, "owner@acme.example")
    await admin.say("change my email")
    await admin.say("admin-choice@acme.example")
    await owner.say("change my email")
    await owner.say("owner-choice@acme.example")
    await owner.press("Save")
    assert "Saved" in owner.text

    await admin.press("Save")
    assert "Someone else saved changes" in admin.text
    assert "owner-choice@acme.example → admin-choice@acme.example" in admin.text
    stored = await account_named(db, "Acme Trading Ltd")
    assert stored.contact_email == "owner-choice@acme.example"  # mine not written yet

    await admin.press("Save my changes")  # re-apply over the current values
    assert "Saved" in admin.text
    assert (await account_named(db, "Acme Trading Ltd")).contact_email == (
        "admin-choice@acme.example"
    )


async def test_a_conflict_can_be_dropped(db: FreshDatabase) -> None:
    engine = make_engine(db)
    admin = await Talk.open(engine, db, "admin@acme.example")
    await admin.say("change my email")
    await admin.say("admin-choice@acme.example")
    async with db.database.transaction() as connection:  # another writer, e.g. the web portal
        await connection.execute(
            update(Account)
            .where(Account.name == "Acme Trading Ltd")
            .values(contact_email="portal@acme.example", version=Account.version + 1)
        )
    await admin.press("Save")
    assert "Someone else saved changes" in admin.text
    await admin.press("Discard")
    assert "Nothing was changed" in admin.text
    assert (await account_named(db, "Acme Trading Ltd")).contact_email == "portal@acme.example"


async def test_a_restart_mid_flow_resumes_where_the_user_was(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("change my email")
    await talk.say("after-restart@acme.example")
    token = talk.token("Save")

    restarted = Talk(make_engine(db), talk.key)  # a new engine: nothing kept in memory
    await restarted.press_token(token)
    assert "Saved" in restarted.text
    assert (await account_named(db, "Acme Trading Ltd")).contact_email == (
        "after-restart@acme.example"
    )


async def test_viewer_cannot_edit_by_typing_or_by_a_replayed_button(db: FreshDatabase) -> None:
    engine: Engine = make_engine(db)
    viewer = await Talk.open(engine, db, "viewer@acme.example")
    await viewer.say("change my email")
    assert "only the account owner or an admin can edit" in viewer.text
    assert "Olivia Owner can do this, or can make you an admin." in viewer.text
    menu_token = viewer.token("Account details").split(":")[0]
    await viewer.press_token(f"{menu_token}:start.edit")  # forged from a valid menu token
    assert "only the account owner or an admin can edit" in viewer.text
    assert "Which detail" not in viewer.text


async def test_asking_for_something_else_mid_edit_says_nothing_was_saved(
    db: FreshDatabase,
) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("change my email")
    await talk.say("elsewhere@acme.example")
    await talk.press("Change another field")
    await talk.say("show my usage")  # typed while choosing a field: it leaves
    assert "Nothing was changed." in talk.text and "Your package: Interact" in talk.text
    assert (await account_named(db, "Acme Trading Ltd")).contact_email == "owner@acme.example"


async def test_typed_text_at_the_review_neither_saves_nor_leaves(db: FreshDatabase) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("change my email")
    await talk.say("elsewhere@acme.example")
    for typed in ("save", "Save", "✅ Save", "sav", "yes", "ok", "show my usage"):
        await talk.say(typed)
        assert talk.text == (
            "Typing doesn't save your changes: press “✅ Save” below, or type cancel to stop."
        )
        assert "✅ Save" in talk.labels
    assert (await account_named(db, "Acme Trading Ltd")).contact_email == "owner@acme.example"
    await talk.press("Save")  # the button, pressed, still works: the menu on screen stayed valid
    assert "✅ Saved" in talk.text
    assert (await account_named(db, "Acme Trading Ltd")).contact_email == "elsewhere@acme.example"


async def test_switching_away_from_the_review_with_menu_says_nothing_was_saved(
    db: FreshDatabase,
) -> None:
    talk = await Talk.open(make_engine(db), db, "owner@acme.example")
    await talk.say("change my email")
    await talk.say("elsewhere@acme.example")
    await talk.say("menu")
    assert "Nothing was changed." in talk.text
    assert (await account_named(db, "Acme Trading Ltd")).contact_email == "owner@acme.example"


async def test_a_forged_review_with_nothing_to_review_is_refused_politely(
    db: FreshDatabase,
) -> None:
    talk = await Talk.open(make_engine(db), db, "admin@acme.example")
    await talk.say("edit details")
    menu_token = talk.token("Account name").split(":")[0]
    await talk.press_token(f"{menu_token}:review")  # no Review button was ever shown
    assert "That option is not available at this step" in talk.text
    assert "Account name" in talk.labels and "Review" not in " ".join(talk.labels)
    assert "something went wrong" not in talk.text
