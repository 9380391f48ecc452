"""The open pages (tabs) of this process, and what each has been shown.

Each page has one writer task, the only one that sends on its socket, so a slow page
delays nobody else. After a turn of its chat in this process, a page that is up to date
(it has shown, or has queued, the chat's newest message from before the turn) is sent
the turn's messages as they are. Any other page is woken to catch up: it reads every kept
message newer than the last one it sent from the database. That covers whatever another
process kept (found by :meth:`OpenPages.watch`) and a page that fell behind, so a page
never misses a message nor gets one twice, in whatever order the wake-ups arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Any

from aiohttp import WSCloseCode, web

from flows.engine import utcnow
from storage.unit_of_work import Database
from storage.web_chat import (
    Kept,
    SignedIn,
    StoredMessage,
    live_sessions,
    messages_after,
    newest_ids,
)

log = logging.getLogger(__name__)

SIGNED_OUT_CLOSE = 4401  # the session ended or expired: the page asks to sign in again
WATCH_SECONDS = 2.0  # how soon a page sees what another worker did (a turn, a sign-out)
MAX_QUEUED = 64  # frames a page may fall behind by before it is made to reconnect
_CATCH_UP = object()


class _Messages:
    """Messages queued for a page as they are."""

    __slots__ = ("messages",)

    def __init__(self, messages: list[StoredMessage]) -> None:
        self.messages = messages


def message_frame(message: StoredMessage) -> dict[str, Any]:
    """A kept message as the page's protocol carries it (docs/web-chat.md)."""
    return {
        "id": message.id,
        "from": message.sender,
        "text": message.text,
        "buttons": message.buttons,
        "image": f"/chat/image/{message.id}" if message.has_image else None,
        "image_alt": message.image_alt,
    }


class Page:
    """One tab's socket: what it was shown, and the one task that sends to it."""

    def __init__(self, socket: web.WebSocketResponse, session: SignedIn,
                 database: Database, shown: int) -> None:
        self.socket = socket
        self.session = session
        self.shown = shown  # the newest message id this page was sent
        self._database = database
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._catch_up_queued = False
        # The newest id the page will have once its queue is sent; None while a catch-up
        # is queued (what it brings is known only when it runs).
        self._ahead: int | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closing: asyncio.Task[bool] | None = None

    @property
    def chat_id(self) -> str:
        return self.session.chat_id

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write(), name=f"web page {self.chat_id}")
        self.catch_up()

    def catch_up(self) -> None:
        """Send what this page is missing, soon (once, however often it is asked)."""
        if not self._catch_up_queued:
            self._catch_up_queued = True
            self._ahead = None
            self._put(_CATCH_UP)

    def kept(self, kept: Kept) -> None:
        """Messages of this page's chat were just kept (the chat held): sent as they are
        when they follow what the page has, else the page catches up."""
        if self._ahead is None or self._ahead != kept.after or not kept.messages:
            if kept.messages:
                self.catch_up()
            return
        self._ahead = kept.messages[-1].id
        self._put(_Messages(kept.messages))

    def send(self, frame: dict[str, Any]) -> None:
        """Queue a frame for this page, after everything queued before it."""
        self._put(frame)

    def _put(self, item: object) -> None:
        if self._queue.qsize() >= MAX_QUEUED:  # it stopped reading: it catches up on return
            log.info("web page of %s fell behind; closing its socket", self.chat_id)
            self.close(WSCloseCode.TRY_AGAIN_LATER)
            return
        self._queue.put_nowait(item)

    def close(self, code: int, message: str = "") -> None:
        """Close the socket (the page reconnects, or for 4401 signs in again)."""
        if self._closing is None:  # kept: a task nobody holds may be collected midway
            self._closing = asyncio.get_running_loop().create_task(
                self.socket.close(code=code, message=message.encode())
            )

    async def stop(self) -> None:
        task, self._writer = self._writer, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _write(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                if item is _CATCH_UP:
                    self._catch_up_queued = False
                    await self._send_missed()
                    if not self._catch_up_queued:
                        self._ahead = self.shown
                elif isinstance(item, _Messages):
                    await self._send_messages(item.messages, reset=False)
                else:
                    await self.socket.send_json(item)
            except (ConnectionError, RuntimeError):  # the socket is closing; its page is going
                return

    async def _send_missed(self) -> None:
        async with self._database.reading() as connection:
            missed, reset = await messages_after(connection, self.chat_id, self.shown)
        if missed or reset:
            await self._send_messages(missed, reset=reset)

    async def _send_messages(self, messages: list[StoredMessage], *, reset: bool) -> None:
        await self.socket.send_json({
            "type": "messages",
            "reset": reset,
            "messages": [message_frame(message) for message in messages],
        })
        if messages:
            self.shown = messages[-1].id


class OpenPages:
    """Every page open in this process, by conversation."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._by_chat: dict[str, set[Page]] = defaultdict(set)
        self._watching: asyncio.Task[None] | None = None

    def join(self, page: Page) -> None:
        self._by_chat[page.chat_id].add(page)
        page.start()

    async def leave(self, page: Page) -> None:
        pages = self._by_chat.get(page.chat_id)
        if pages is not None:
            pages.discard(page)
            if not pages:
                del self._by_chat[page.chat_id]
        await page.stop()

    def __len__(self) -> int:
        return sum(len(pages) for pages in self._by_chat.values())

    async def kept(self, chat_id: str, kept: Kept) -> None:
        """A :data:`~bot.web.conversation.Listener`: the chat's pages are sent the news."""
        for page in self._by_chat.get(chat_id, ()):
            page.kept(kept)

    def signed_out(self, session_id: int) -> None:
        """Close the pages of a session that ended: each asks to sign in again."""
        for pages in self._by_chat.values():
            for page in pages:
                if page.session.id == session_id:
                    page.close(SIGNED_OUT_CLOSE, "signed out")

    def start_watching(self) -> None:
        """Look every :data:`WATCH_SECONDS` for messages kept by other processes."""
        if self._watching is None:
            self._watching = asyncio.create_task(self._watch(), name="web pages watch")

    async def stop_watching(self) -> None:
        task, self._watching = self._watching, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close_all(self) -> None:
        """Close every page (the server is stopping: they reconnect to another worker)."""
        for pages in list(self._by_chat.values()):
            for page in list(pages):
                await page.socket.close(code=WSCloseCode.GOING_AWAY, message=b"restarting")

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            try:
                await self.watch()
            except Exception:  # the next look may work; pages catch up on their next turn
                log.exception("looking for other processes' web messages failed")

    async def watch(self) -> None:
        """One look: pages behind their conversation's newest message catch up, and pages
        whose session ended (signed out on another worker) or expired are closed."""
        chats = list(self._by_chat)
        if not chats:
            return
        sessions = list({page.session.id for pages in self._by_chat.values() for page in pages})
        async with self._database.reading() as connection:
            newest = await newest_ids(connection, chats)
            live = await live_sessions(connection, sessions, utcnow())
        for chat_id, pages in list(self._by_chat.items()):
            for page in list(pages):
                if page.session.id not in live:
                    page.close(SIGNED_OUT_CLOSE, "signed out")
                elif page.shown < newest.get(chat_id, 0):
                    page.catch_up()
