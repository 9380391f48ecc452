"""One chat's updates strictly in order, even when polling runs each update as a task.

This middleware is the one owner of per-chat order in the bot: the engine takes no
lock of its own. Only here is the whole of an update in view: linking commands
(``/start CODE``, a shared contact, ``/logout``) that write the chat's identity
without the engine, the engine's turn, and the replies being sent (429 retries
included), so only here can "one update at a time, in arrival order" cover all of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject

from bot.chat_isolation import ChatIsolation
from bot.keyed_lock import KeyedLock
from bot.telegram.keys import conversation_key

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class ChatOrderMiddleware(BaseMiddleware):
    """Holds a per-chat lock around everything that follows: handlers, linking, replies.

    Polling with ``handle_as_tasks`` starts one task per update in update order, and
    nothing before this middleware suspends, so tasks queue on the lock in that same
    order; asyncio locks wake waiters first-in, first-out. Different chats never wait
    for each other. Without this, a slow update could be overtaken by the next one of
    the same chat, and its replies would arrive after the replies to a later message.

    With ``isolation`` (several worker processes), the chat's cross-process lock is
    taken inside the in-process one: a process asks for it once per update, after
    its own earlier updates of the chat are done, so the order within a process is
    kept and processes take turns in the order they asked.
    """

    def __init__(self, isolation: ChatIsolation | None = None) -> None:
        self._locks: KeyedLock[int] = KeyedLock()
        self._isolation = isolation

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is None:
            return await handler(event, data)
        async with self._locks.hold(chat.id):
            if self._isolation is None:
                return await handler(event, data)
            async with self._isolation.hold(conversation_key(chat.id)):
                return await handler(event, data)

    @property
    def active_chats(self) -> int:
        """Chats with an update in progress or waiting (for tests and metrics)."""
        return len(self._locks)
