"""How the runner talks to the bot: a small adapter per channel.

A script says and presses; an adapter turns that into what the real channel
does for a customer (typed option numbers in the terminal, real aiogram
updates on Telegram) and hands back what the customer would see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.terminal import TerminalConversation
from flows.engine import Engine
from flows.types import Reply
from storage.identities import ensure_identity
from storage.sandbox import FreshDatabase


@dataclass(frozen=True, slots=True)
class ScriptReply:
    """One message as the user sees it: its text (a picture's caption), its button labels."""

    text: str
    buttons: list[str] = field(default_factory=list)
    picture: bool = False  # a photo (the usage chart on Telegram); shown in transcripts


class ScriptChannel(Protocol):
    """One demo user's chat with the bot."""

    @property
    def buttons(self) -> list[str]:
        """Labels of the latest menu on screen (what ``press`` chooses from)."""

    async def say(self, text: str) -> list[ScriptReply]:
        """Type ``text``; the bot's replies to it."""

    async def press(self, label: str) -> list[ScriptReply]:
        """Press the button of the latest menu labelled exactly ``label``."""

    async def notices(self) -> list[ScriptReply]:
        """Deliver the notices queued for this chat (alerts, an agent's answers) now."""


class ChannelSession(Protocol):
    """The channel for one script run: opens one chat per demo user who talks."""

    async def open(self, email: str) -> ScriptChannel:
        """A chat linked to the demo user ``email``; raises ``UnknownUser``."""

    async def close(self) -> None:
        """Release whatever the channel holds (bots, sessions)."""


class TerminalChannel:
    """The terminal channel: buttons are numbered options, pressing one types its number."""

    def __init__(self, conversation: TerminalConversation) -> None:
        self._conversation = conversation

    @property
    def buttons(self) -> list[str]:
        return [choice.label for choice in self._conversation.choices]

    async def say(self, text: str) -> list[ScriptReply]:
        return seen(await self._conversation.say(text))

    async def press(self, label: str) -> list[ScriptReply]:
        # Exactly what a customer does in the terminal: type the option's number.
        number = self.buttons.index(label) + 1
        return seen(await self._conversation.say(str(number)))

    async def notices(self) -> list[ScriptReply]:
        return seen(await self._conversation.notices())


class TerminalSession:
    """Terminal chats over one engine; the chat id is the user's e-mail, as in ``bot chat``."""

    channel = "terminal"

    def __init__(self, database: FreshDatabase, engine: Engine) -> None:
        self._database = database
        self._engine = engine

    async def open(self, email: str) -> ScriptChannel:
        async with self._database.database.transaction() as connection:
            await ensure_identity(connection, self.channel, email, email)
        return TerminalChannel(TerminalConversation(self._engine, email, self._database.database))

    async def close(self) -> None:
        return None


def seen(replies: list[Reply]) -> list[ScriptReply]:
    """The engine's replies as a user sees them: text and button labels."""
    return [
        ScriptReply(reply.text, [choice.label for choice in reply.choices]) for reply in replies
    ]
