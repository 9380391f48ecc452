"""An unlinked terminal chat: the engine reports it, the terminal channel words it."""

from __future__ import annotations

from bot.terminal import HOW_TO_LINK, TerminalConversation, render
from flows.engine import Engine
from storage.sandbox import FreshDatabase


async def test_an_unlinked_terminal_chat_is_told_how_to_link(db: FreshDatabase) -> None:
    conversation = TerminalConversation(Engine(db.stores), "nobody@example.com")
    for text in ("menu", "show my usage"):
        replies = await conversation.say(text)
        assert render(replies) == HOW_TO_LINK
    assert conversation.choices == []
    assert render(await conversation.resume()) == HOW_TO_LINK
