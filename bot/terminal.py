"""The terminal channel: replies as text with numbered options; numbers or labels as input."""

from __future__ import annotations

from dataclasses import replace

from bot.delivery import deliver_pending
from flows.engine import Engine
from flows.ports import Notice
from flows.types import Choice, ConversationKey, Inbound, Reply, ReplyKind
from storage.unit_of_work import Database

CHANNEL = "terminal"
# Word for word what an unlinked terminal chat has always been told. `bot chat` and the
# script runner link the chat before it opens, so in practice no one reads it here.
HOW_TO_LINK = (
    "This chat is not linked to a platform account yet, so I cannot show anything. "
    "Ask your account owner or our support for a link code and send /start CODE, "
    "or share your phone number with the button below."
)


def render(replies: list[Reply]) -> str:
    """Replies as terminal text: each message, then its choices numbered from 1."""
    blocks = []
    for reply in replies:
        lines = [reply.text]
        lines += [f"  {n}. {choice.label}" for n, choice in enumerate(reply.choices, start=1)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


class TerminalConversation:
    """One terminal user talking to the engine; remembers the options on screen.

    With ``database``, notices queued for this chat (alerts, an agent's answers) are
    delivered with each answer, after the replies: a terminal shows nothing while it
    waits for a line, so they arrive with the next thing the user does.
    """

    def __init__(self, engine: Engine, chat_id: str, database: Database | None = None) -> None:
        self.engine = engine
        self.key = ConversationKey(CHANNEL, chat_id)
        self.choices: list[Choice] = []
        self._database = database

    async def say(self, text: str) -> list[Reply]:
        """Send what the user typed: an option's number or complete label presses it.

        The terminal has no buttons, so these two count as pressing one, the final
        close included; anything else is typed text, which never confirms a step that
        writes (see ``FlowMachine.commits``).
        """
        chosen = self.option_named(text)
        if chosen is not None:
            inbound = Inbound.pressed(self.key, chosen.token)
        else:
            inbound = Inbound.typed(self.key, text)
        return await self._answer(await self.engine.handle(inbound))

    async def resume(self) -> list[Reply]:
        """Show where this conversation is: an open flow's step, else the menu."""
        return await self._answer(await self.engine.resume(self.key))

    async def notices(self) -> list[Reply]:
        """Deliver the notices queued for this chat now, as replies to show."""
        if self._database is None:
            return []
        shown: list[Reply] = []

        async def show(notice: Notice) -> None:
            shown.append(Reply(text=notice.text, choices=list(notice.choices)))

        await deliver_pending(self._database, CHANNEL, show, chat_id=self.key.chat_id)
        with_choices = [notice for notice in shown if notice.choices]
        if with_choices:  # a notice's buttons are on screen now; plain text leaves them be
            self.choices = with_choices[-1].choices
        return shown

    def option_named(self, text: str) -> Choice | None:
        """The option on screen whose number or complete label (any case) was typed."""
        typed = " ".join(text.split())
        if typed.isdigit() and 1 <= int(typed) <= len(self.choices):
            return self.choices[int(typed) - 1]
        folded = typed.casefold()
        named = [c for c in self.choices if " ".join(c.label.split()).casefold() == folded]
        return named[0] if len(named) == 1 else None

    async def press(self, token: str) -> list[Reply]:
        return await self._answer(await self.engine.handle(Inbound.pressed(self.key, token)))

    async def _answer(self, replies: list[Reply]) -> list[Reply]:
        """The engine's replies, then any notices for this chat."""
        return self._remember(replies) + await self.notices()

    def _remember(self, replies: list[Reply]) -> list[Reply]:
        """Word what the terminal words itself, and remember the options now on screen."""
        replies = [_worded(reply) for reply in replies]
        with_choices = [reply for reply in replies if reply.choices]
        if with_choices:
            self.choices = with_choices[-1].choices
        elif replies:
            self.choices = []
        return replies


def _worded(reply: Reply) -> Reply:
    if reply.kind is ReplyKind.UNLINKED:
        return replace(reply, text=HOW_TO_LINK)
    return reply
