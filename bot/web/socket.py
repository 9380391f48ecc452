"""``GET /chat/socket``: one WebSocket per tab, speaking docs/web-chat.md's protocol.

Before the upgrade: a live session (else 401) and an ``Origin`` of this server (else 403,
so no other site's page can drive a customer's chat). Then the first frame must be
``hello``; after it, ``say`` and ``press`` frames are turns, each counted against the
user's flood limit. A session that expires or is ended (signing out in any tab) ends
the socket with 4401. A frame that is not understood gets an ``error`` frame and
changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from typing import Any, TypeGuard

from aiohttp import WSMsgType, web

from bot.apologies import NOTHING_CHANGED, SHOWING_FAILED
from bot.flood import SLOW_DOWN, FloodGuard
from bot.web.auth import WebAuth
from bot.web.conversation import MAX_TEXT, NotShown, WebConversations
from bot.web.pages import SIGNED_OUT_CLOSE, OpenPages, Page
from flows.engine import utcnow
from flows.i18n import N_, _, use_language
from storage.unit_of_work import Database
from storage.web_chat import SignedIn, StoredMessage

log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 16 * 1024  # a typed message of MAX_TEXT characters, in JSON, fits
HEARTBEAT_SECONDS = 25.0  # pings keep proxies from closing a quiet socket

NOT_UNDERSTOOD = N_("Sorry, the page sent something I did not understand; nothing was done.")
TOO_LONG = N_("That message is too long: please keep it under {limit} characters.")
GONE_BUTTON = N_("That button is not part of this conversation; nothing was done.")


def page_language(request: web.Request) -> str | None:
    """The browser's first preferred language (``Accept-Language``): the engine's hint."""
    first = request.headers.get("Accept-Language", "").split(",")[0]
    return first.split(";")[0].strip() or None


class ChatSocket:
    """Serves the sockets of one web chat."""

    def __init__(self, auth: WebAuth, conversations: WebConversations, pages: OpenPages,
                 database: Database, flood: FloodGuard) -> None:
        self._auth = auth
        self._conversations = conversations
        self._pages = pages
        self._database = database
        self._flood = flood

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not self._auth.same_origin(request):
            log.warning("web chat: refused a socket from origin %r",
                        request.headers.get("Origin", "")[:100])
            return web.Response(status=403, text="Forbidden: not this site's page")
        session = await self._auth.session(request)
        if session is None:
            return web.Response(status=401, text="Unauthorized: sign in first")
        socket = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS, max_msg_size=MAX_FRAME_BYTES)
        await socket.prepare(request)
        language = page_language(request)
        page: Page | None = None
        try:
            async for frame in socket:
                if frame.type is not WSMsgType.TEXT:
                    break  # binary frames are not ours; errors and closes end the socket
                # Expiry is known here; a sign-out closes this page from wherever it was
                # done (at once in this process, at the next watch in another).
                if session.expires_at <= utcnow():
                    await socket.close(code=SIGNED_OUT_CLOSE, message=b"session expired")
                    break
                data = _parsed(frame.data)
                if page is None:
                    page = await self._hello(socket, session, data, language)
                    continue
                await self._turn(page, data, language)
        finally:
            if page is not None:
                await self._pages.leave(page)
        return socket

    async def _hello(self, socket: web.WebSocketResponse, session: SignedIn,
                     data: dict[str, Any] | None, language: str | None) -> Page | None:
        after = data.get("after") if data is not None and data.get("type") == "hello" else None
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            with use_language(language):
                await socket.send_json({"type": "error", "text": _(NOT_UNDERSTOOD)})
            return None
        await self._conversations.start(session.chat_id, language=language)
        page = Page(socket, session, self._database, shown=after)
        self._pages.join(page)
        return page

    async def _turn(self, page: Page, data: dict[str, Any] | None, language: str | None) -> None:
        """A refused frame gets one ``error`` frame; a turn is ``busy``, its messages and
        any ``error``, then ``idle``."""
        kind = data.get("type") if data is not None else None
        if kind not in ("say", "press") or data is None:
            return self._refuse(page, NOT_UNDERSTOOD, language)
        if not self._flood.allow(page.session.user_id):
            return self._refuse(page, SLOW_DOWN, language)
        chat_id = page.chat_id
        work: Awaitable[list[StoredMessage] | None]
        if kind == "say":
            text = data.get("text")
            if not isinstance(text, str) or not text.strip():
                return self._refuse(page, NOT_UNDERSTOOD, language)
            if len(text) > MAX_TEXT:
                with use_language(language):
                    return page.send({"type": "error",
                                      "text": _(TOO_LONG).format(limit=f"{MAX_TEXT:,}")})
            work = self._conversations.say(chat_id, text.strip(), language=language)
        else:
            message, button = data.get("message"), data.get("button")
            if not _whole(message) or not _whole(button):
                return self._refuse(page, NOT_UNDERSTOOD, language)
            work = self._conversations.press(chat_id, message, button, language=language)
        page.send({"type": "busy"})
        try:
            if await work is None:
                self._refuse(page, GONE_BUTTON, language)
        except NotShown:
            log.exception("web chat: a turn was done but could not be shown")
            self._refuse(page, SHOWING_FAILED, language)
        except Exception:
            log.exception("web chat: a turn failed before the engine had it")
            self._refuse(page, NOTHING_CHANGED, language)
        finally:
            page.send({"type": "idle"})  # the page's turn ended, whichever way
        return None

    @staticmethod
    def _refuse(page: Page, message: str, language: str | None) -> None:
        """Tell the page its frame was refused: ``message`` is a msgid, worded here."""
        with use_language(language):
            page.send({"type": "error", "text": _(message)})


def _whole(value: object) -> TypeGuard[int]:
    """A whole number as JSON gives it (not a bool, not a float), within JSON's safe range."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53


def _parsed(text: str) -> dict[str, Any] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
