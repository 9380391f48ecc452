"""Notices in the terminal chat: they arrive with the next answer, and a notice's button
becomes the numbered option on screen."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.terminal import CHANNEL, TerminalConversation
from flows.engine import Engine
from flows.ports import Notice
from flows.tokens import standing
from flows.types import Choice, ConversationKey
from storage.identities import ensure_identity
from storage.outbox import enqueue
from storage.sandbox import FreshDatabase

EMAIL = "owner@acme.example"


async def test_a_notice_arrives_after_the_answer_and_its_option_works(db: FreshDatabase) -> None:
    async with db.database.transaction() as connection:
        await ensure_identity(connection, CHANNEL, EMAIL, EMAIL)
        await enqueue(connection, [
            Notice(ConversationKey(CHANNEL, "someone.else@acme.example"), "not for you"),
            Notice(ConversationKey(CHANNEL, EMAIL), "Seats: 100 % used",
                   (Choice("📊 See usage", standing("start.package")),)),
        ], datetime.now(UTC))
    conversation = TerminalConversation(Engine(db.stores), EMAIL, db.database)
    replies = await conversation.say("help")
    assert "menu" in replies[0].text  # the answer first
    assert [r.text for r in replies[1:]] == ["Seats: 100 % used"]
    assert [c.label for c in conversation.choices] == ["📊 See usage"]
    usage = await conversation.say("1")
    assert "Interact" in usage[0].text
    assert await conversation.notices() == []  # each notice once
