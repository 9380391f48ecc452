"""How a Telegram chat is named to the engine and to the locks that order it."""

from __future__ import annotations

from flows.types import ConversationKey

CHANNEL = "telegram"


def conversation_key(chat_id: int) -> ConversationKey:
    """The engine's key for a Telegram chat."""
    return ConversationKey(CHANNEL, str(chat_id))
