"""The web chat's storage on both backends: sessions, and the kept messages of a chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from flows.types import Choice
from storage import models as m
from storage.sandbox import FreshDatabase
from storage.web_chat import (
    KEPT_MESSAGES,
    NewMessage,
    append_messages,
    end_session,
    find_session,
    forget_old,
    live_sessions,
    message_choice,
    message_image,
    messages_after,
    start_session,
    web_chat_id,
)
from tests.storage.helpers import user_id

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


async def test_a_session_lives_until_it_expires_or_ends(db: FreshDatabase) -> None:
    owner = await user_id(db, "owner@acme.example")
    async with db.database.transaction() as connection:
        token = await start_session(connection, owner, NOW, 3600)
        other = await start_session(connection, owner, NOW, 3600)
        found = await find_session(connection, token, NOW)
        assert found is not None and found.user_id == owner
        assert found.chat_id == web_chat_id(owner)
        assert await find_session(connection, token, NOW + timedelta(hours=1)) is None
        assert await find_session(connection, "made-up", NOW) is None
        ended = await end_session(connection, token, NOW)
        assert ended == found.id
        assert await end_session(connection, token, NOW) is None  # once
        assert await find_session(connection, token, NOW) is None
        assert await live_sessions(connection, [found.id], NOW) == set()
        still = await find_session(connection, other, NOW)
        assert still is not None  # the other device's sign-in goes on
        # A new sign-in forgets the ended and expired ones.
        await start_session(connection, owner, NOW + timedelta(hours=2), 3600)
        kept = await connection.scalar(select(func.count()).select_from(m.WebSession))
    assert kept == 1


async def test_messages_are_kept_in_order_with_their_buttons_and_the_newest_only(
    db: FreshDatabase,
) -> None:
    chat = "user-1"
    async with db.database.transaction() as connection:
        kept = await append_messages(connection, chat, [
            NewMessage("you", "package"),
            NewMessage("bot", "Your package", [Choice("Menu", "m:1:menu")], b"\x89PNG",
                       "a chart"),
        ], NOW)
        assert kept.after == 0  # the conversation's first messages
        first = kept.messages
        assert [message.sender for message in first] == ["you", "bot"]
        assert first[0].id < first[1].id and first[1].has_image and first[1].buttons == ["Menu"]
        assert await message_choice(connection, chat, first[1].id, 0) == Choice("Menu",
                                                                                 "m:1:menu")
        assert await message_choice(connection, chat, first[1].id, 1) is None
        assert await message_choice(connection, chat, first[0].id, 0) is None  # not the bot's
        assert await message_choice(connection, "user-2", first[1].id, 0) is None
        assert await message_image(connection, chat, first[1].id) == b"\x89PNG"
        assert await message_image(connection, "user-2", first[1].id) is None
        missed, reset = await messages_after(connection, chat, first[0].id)
        assert [message.id for message in missed] == [first[1].id] and not reset
        everything, reset = await messages_after(connection, chat, 0)
        assert len(everything) == 2 and reset
        more = await append_messages(
            connection, chat, [NewMessage("bot", str(n)) for n in range(KEPT_MESSAGES)], NOW
        )
        assert more.after == first[1].id
        assert [int(message.text) for message in more.messages] == list(range(KEPT_MESSAGES))
        assert await forget_old(connection, chat) == 2  # the two first ones
        everything, reset = await messages_after(connection, chat, 0)
        assert [message.id for message in everything] == [m.id for m in more.messages]
        # A page that missed more than is kept starts again from what is kept.
        _, reset = await messages_after(connection, chat, first[0].id - 1, limit=10)
        assert reset
