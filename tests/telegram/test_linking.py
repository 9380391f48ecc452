"""Linking chats to users: codes, shared contacts, logout; unlinked and group chats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from bot.config import Settings
from bot.telegram.handlers.linking import CODE_REFUSED, NO_SUCH_PHONE, NOT_OWN_CONTACT
from bot.telegram.handlers.private_only import PRIVATE_ONLY
from flows.engine import SORRY
from flows.runner import ActionRunner
from storage import identities
from storage.identities import LinkOutcome
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from tests.telegram.stack import LiveBot

CHAT, OTHER = 7_770_001, 7_770_002
UNLINKED = "not linked to a platform account"


async def test_unlinked_chat_is_told_how_to_link_and_sees_nothing(live: LiveBot) -> None:
    for text in ("menu", "/start", "show my usage", "close my account"):
        replies = await live.send(CHAT, text)
        assert len(replies) == 1 and UNLINKED in replies[0].text
        assert "Acme" not in replies[0].text
    share = replies[0].buttons[0][0]
    assert share.request_contact and "phone" in share.label  # a one-tap share button


async def test_link_code_links_once(live: LiveBot) -> None:
    code = await live.code_for("admin@acme.example")
    linked = await live.send(CHAT, f"/start {code}")
    assert "linked to Adam Admin (admin@acme.example)" in linked[0].text
    assert linked[0].json.get("reply_markup") is None  # the share keyboard is removed
    assert "Hi Adam!" in linked[-1].text
    again = await live.send(OTHER, f"/start {code}")
    assert [m.text for m in again] == [CODE_REFUSED[LinkOutcome.USED]]
    assert UNLINKED in (await live.send(OTHER, "menu"))[0].text


async def test_expired_and_unknown_codes_are_refused(live: LiveBot) -> None:
    old = await live.code_for("owner@acme.example", now=datetime.now(UTC) - timedelta(hours=1))
    assert [m.text for m in await live.send(CHAT, f"/start {old}")] == [
        CODE_REFUSED[LinkOutcome.EXPIRED]
    ]
    assert [m.text for m in await live.send(CHAT, "/start NoSuchCode")] == [
        CODE_REFUSED[LinkOutcome.UNKNOWN]
    ]
    assert UNLINKED in (await live.send(CHAT, "menu"))[0].text


async def test_wrong_codes_lock_the_chat_out(live: LiveBot) -> None:
    wrong = CODE_REFUSED[LinkOutcome.UNKNOWN]
    locked = "Too many wrong codes: try again in 15 minutes."
    for attempt in range(4):
        assert [m.text for m in await live.send(CHAT, f"/start Guess{attempt}")] == [wrong]
    # The fifth wrong code (LINK_ATTEMPTS_PER_CHAT) already says how long to wait.
    assert [m.text for m in await live.send(CHAT, "/start Guess4")] == [f"{wrong}\n\n{locked}"]
    # Now even a valid code is not looked at, and stays usable.
    code = await live.code_for("viewer@acme.example")
    assert [m.text for m in await live.send(CHAT, f"/start {code}")] == [locked]
    assert UNLINKED in (await live.send(CHAT, "menu"))[0].text
    # Another chat is not locked out: the same code links it.
    assert "linked to Vera Viewer" in (await live.send(OTHER, f"/start {code}"))[0].text


async def test_the_lock_out_follows_the_settings(
    botapi: BotApiServer, sqlite_db: FreshDatabase
) -> None:
    settings = Settings(database_url=sqlite_db.url, flood_limit_per_minute=1000,
                        link_attempts_per_chat=2, link_lockout_seconds=120)
    live = await LiveBot(botapi, sqlite_db, "polling", settings).start()
    try:
        assert [m.text for m in await live.send(CHAT, "/start Guess")] == [
            CODE_REFUSED[LinkOutcome.UNKNOWN]
        ]
        replies = await live.send(CHAT, "/start Guess")
        assert replies[0].text.endswith("Too many wrong codes: try again in 2 minutes.")
    finally:
        await live.stop()


async def test_own_contact_with_a_known_phone_links(live: LiveBot) -> None:
    # Telegram sends the number as digits, often without the plus.
    replies = await live.step(CHAT, lambda: live.telegram.share_contact(
        CHAT, "442079460456", contact_user_id=CHAT))
    assert "linked to Adam Admin" in replies[0].text
    assert "Hi Adam!" in replies[-1].text


async def test_someone_elses_contact_does_not_link(live: LiveBot) -> None:
    replies = await live.step(CHAT, lambda: live.telegram.share_contact(
        CHAT, "+442079460123", contact_user_id=OTHER))
    assert [m.text for m in replies] == [NOT_OWN_CONTACT]
    assert UNLINKED in (await live.send(CHAT, "menu"))[0].text
    unknown = await live.step(CHAT, lambda: live.telegram.share_contact(
        CHAT, "+15555550000", contact_user_id=CHAT))
    assert [m.text for m in unknown] == [NO_SUCH_PHONE]


async def test_logout_unlinks(live: LiveBot) -> None:
    await live.link(CHAT, "owner@acme.example")
    replies = await live.send(CHAT, "/logout")
    assert "logged out" in replies[0].text
    assert UNLINKED in (await live.send(CHAT, "menu"))[0].text


async def test_group_chat_reveals_nothing(live: LiveBot) -> None:
    await live.link(CHAT, "owner@acme.example")  # even a linked person, writing in a group
    group = live.telegram.group_chat(-100_123_456, "Acme team")
    code = await live.code_for("viewer@acme.example")
    for text in ("/start", "menu", f"/start {code}", "show my usage"):
        replies = await live.step(group.id, partial(live.telegram.send_text, group.id, text,
                                                    user_id=CHAT))
        assert [m.text for m in replies] == [PRIVATE_ONLY]
        assert replies[0].buttons == []
    # The code was not redeemed in the group: it still links a private chat.
    assert "linked to Vera Viewer" in (await live.send(OTHER, f"/start {code}"))[0].text


async def test_linking_keeps_its_place_among_the_chats_updates(live: LiveBot) -> None:
    """Updates that arrive together are handled one at a time in arrival order, the
    linking commands included: what follows ``/start CODE`` or a shared contact is
    answered as linked, what follows ``/logout`` as unlinked."""
    code = await live.code_for("owner@acme.example")
    send, share = live.telegram.send_text, live.telegram.share_contact
    updates = [  # all queued before the bot sees any of them
        send(CHAT, f"/start {code}"), send(CHAT, "show my usage"), send(CHAT, "/logout"),
        send(CHAT, "menu"), share(CHAT, "442079460456", contact_user_id=CHAT),
        send(CHAT, "account details"), send(CHAT, "/logout"),
    ]
    await live.act(*updates)
    said = [e.message.text for e in live.telegram.chats[CHAT].events
            if e.kind == "sent" and e.message is not None and e.message.from_bot
            and e.message.text]
    expected = ["linked to Olivia Owner", "Hi Olivia!", "Your package", "You are logged out",
                UNLINKED, "linked to Adam Admin", "Hi Adam!", "account details",
                "You are logged out"]
    assert in_order(expected, said), [text.split("\n")[0][:50] for text in said]


def in_order(parts: list[str], texts: list[str]) -> bool:
    """Whether each of ``parts`` is in one of ``texts``, each later than the one before."""
    position = -1
    for part in parts:
        later = [n for n in range(position + 1, len(texts)) if part in texts[n]]
        if not later:
            return False
        position = later[0]
    return True


async def test_a_link_whose_greeting_fails_is_rolled_back_with_it(
    live: LiveBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link and the turn that greets the user are one unit of work."""
    code = await live.code_for("admin@acme.example")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the greeting failed")

    with monkeypatch.context() as patch:
        patch.setattr(ActionRunner, "handle", broken)
        replies = await live.send(CHAT, f"/start {code}")
    assert [m.text for m in replies] == [SORRY]  # not "linked", then an apology
    assert UNLINKED in (await live.send(CHAT, "menu"))[0].text  # the link was undone
    linked = await live.send(CHAT, f"/start {code}")  # and the code was not used up
    assert "linked to Adam Admin" in linked[0].text and "Hi Adam!" in linked[-1].text


async def test_a_logout_that_fails_says_nothing_changed_and_keeps_the_link(
    live: LiveBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    await live.link(CHAT, "owner@acme.example")

    async def broken(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch:
        patch.setattr(identities, "unlink", broken)
        replies = await live.send(CHAT, "/logout")
    assert [m.text for m in replies] == [SORRY]
    assert "Hi Olivia!" in (await live.send(CHAT, "menu"))[-1].text  # still linked
