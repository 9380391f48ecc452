"""The web channel's conversations, apart from HTTP: what a page did, to the engine; every
message kept, and handed to whoever shows the conversation.

A web conversation is the user's own (``storage.web_chat.web_chat_id``): every tab and
device signed in as that user shows it. What the user typed, the label of what they
pressed and every reply are kept in order (``storage.web_chat``), so that a page which
reconnects gets what it missed and a second tab shows the same conversation.

One chat's turns run one at a time (a lock per chat in this process, and the
cross-process chat lock when several workers serve); the messages of a turn are kept and
handed to the listeners while the chat is still held, so every page sees turns in order.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace

from bot.chat_isolation import ChatIsolation
from bot.keyed_lock import KeyedLock
from flows.engine import Engine, utcnow
from flows.i18n import N_, _, use_language
from flows.ports import Notice
from flows.types import ConversationKey, Inbound, Reply, ReplyKind
from storage.unit_of_work import Database
from storage.web_chat import (
    Kept,
    NewMessage,
    StoredMessage,
    append_messages,
    forget_old,
    message_choice,
    messages_after,
)

__all__ = ["CHANNEL", "MAX_TEXT", "Listener", "NotShown", "WebConversations"]

log = logging.getLogger(__name__)

CHANNEL = "web"
MAX_TEXT = 4096  # what one typed message may hold, as on Telegram
CHART_ALT = N_("Usage chart: each meter's use this period against what the package includes")
NOT_LINKED = N_(
    "This chat is no longer linked to a platform account, so I cannot show anything. "
    "Sign out, then open a new sign-in link from your account owner or our support."
)

Listener = Callable[[str, Kept], Awaitable[None]]
"""Told of a chat's new messages, in order, while the chat is held (it must not wait
long: pages queue what they are sent)."""


class NotShown(Exception):
    """The turn was done (committed) but its messages could not be kept and shown."""


class WebConversations:
    """Every web conversation of this process, over one engine and database."""

    def __init__(
        self,
        engine: Engine,
        database: Database,
        *,
        isolation: ChatIsolation | None = None,
    ) -> None:
        self._engine = engine
        self._database = database
        self._isolation = isolation
        self._locks: KeyedLock[str] = KeyedLock()
        self.listeners: list[Listener] = []

    async def start(self, chat_id: str, *, language: str | None = None) -> None:
        """Make sure the conversation has begun: one with no messages yet starts where the
        engine says it is (the menu, or the step of a flow left open). One that has begun
        forgets what is past the messages kept (a page opens far less often than a turn)."""
        if await self._has_messages(chat_id):
            async with self._database.transaction() as connection:
                await forget_old(connection, chat_id)
            return
        async with self._hold(chat_id):
            if await self._has_messages(chat_id):  # another tab began it meanwhile
                return
            replies = await self._engine.resume(ConversationKey(CHANNEL, chat_id),
                                                language=language)
            await self._keep(chat_id, [self._said(reply, language) for reply in replies])

    async def _has_messages(self, chat_id: str) -> bool:
        async with self._database.reading() as connection:
            return bool((await messages_after(connection, chat_id, 0, limit=1))[0])

    async def say(
        self, chat_id: str, text: str, *, language: str | None = None
    ) -> list[StoredMessage]:
        """The user typed ``text`` (at most :data:`MAX_TEXT` characters)."""
        if len(text) > MAX_TEXT:
            raise ValueError(f"a message holds at most {MAX_TEXT} characters")
        key = ConversationKey(CHANNEL, chat_id)
        return await self._turn(chat_id, text, Inbound.typed(key, text, language=language),
                                language)

    async def press(
        self, chat_id: str, message_id: int, button: int, *, language: str | None = None
    ) -> list[StoredMessage] | None:
        """The user pressed button ``button`` of message ``message_id``; None when this
        conversation has no such button (nothing is done). A button of an old message is
        the engine's to judge, as a stale Telegram button is."""
        async with self._database.reading() as connection:
            choice = await message_choice(connection, chat_id, message_id, button)
        if choice is None:
            return None
        key = ConversationKey(CHANNEL, chat_id)
        return await self._turn(chat_id, choice.label,
                                Inbound.pressed(key, choice.token, language=language), language)

    async def deliver(self, notice: Notice) -> None:
        """Show a notice (an alert, an agent's answer): the outbox's ``send`` for the web."""
        chat_id = notice.to.chat_id
        async with self._hold(chat_id):
            await self._keep(chat_id, [NewMessage("bot", notice.text, notice.choices)])

    async def _turn(
        self, chat_id: str, echo: str, inbound: Inbound, language: str | None
    ) -> list[StoredMessage]:
        async with self._hold(chat_id):
            replies = await self._engine.handle(inbound)  # never raises: it apologises
            said = [NewMessage("you", echo)] + [self._said(r, language) for r in replies]
            try:
                return await self._keep(chat_id, said)
            except Exception as error:  # the turn is committed; only showing it failed
                raise NotShown(chat_id) from error

    def _said(self, reply: Reply, language: str | None) -> NewMessage:
        """A reply as the page shows it; the web words what the engine leaves to channels."""
        with use_language(language):  # an unlinked chat has nothing but the page's hint
            if reply.kind is ReplyKind.UNLINKED:
                reply = replace(reply, text=_(NOT_LINKED))
            alt = (reply.image_caption or _(CHART_ALT)) if reply.image is not None else None
        return NewMessage("bot", reply.text, list(reply.choices), reply.image, alt)

    async def _keep(self, chat_id: str, said: Sequence[NewMessage]) -> list[StoredMessage]:
        async with self._database.transaction() as connection:
            kept = await append_messages(connection, chat_id, said, utcnow())
        for listener in self.listeners:
            try:
                await listener(chat_id, kept)
            except Exception:  # kept already: a page that missed them catches up
                log.exception("a web chat listener failed")
        return kept.messages

    @asynccontextmanager
    async def _hold(self, chat_id: str) -> AsyncIterator[None]:
        async with AsyncExitStack() as held:
            await held.enter_async_context(self._locks.hold(chat_id))
            if self._isolation is not None:
                await held.enter_async_context(
                    self._isolation.hold(ConversationKey(CHANNEL, chat_id))
                )
            yield

