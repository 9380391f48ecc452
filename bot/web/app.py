"""The web chat on an aiohttp application: its routes, its pages, its notices.

:class:`WebChat` is added to an application (:meth:`WebChat.register`): the one that
``python -m bot web`` serves, or the webhook server's when both run. Routes and headers
are described in docs/web-chat.md.
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from bot.apologies import NOTHING_CHANGED
from bot.chat_isolation import ChatIsolation
from bot.config import Settings
from bot.delivery import DeliveryLoop
from bot.flood import FloodGuard
from bot.linking import count_code, link_limits
from bot.web.auth import WebAuth
from bot.web.conversation import CHANNEL, WebConversations
from bot.web.pages import OpenPages
from bot.web.signed_out import signed_in_page, signed_out_page
from bot.web.socket import ChatSocket, page_language
from flows.engine import Engine, utcnow
from flows.i18n import _, use_language
from storage.identities import LinkOutcome, LinkResult, redeem_link_code
from storage.link_limits import LinkLimits
from storage.unit_of_work import Database
from storage.web_chat import end_session, message_image, start_session, web_chat_id

__all__ = ["STATIC", "WebChat"]

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
MAX_CODE_LENGTH = 64
SIGN_IN = "web_link"  # the method of bot_link_attempts_total
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # A sign-in code in the address goes to no other site; our own requests keep their
    # Origin (under no-referrer a form's POST says "Origin: null", which sign-out refuses).
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
REFUSED_STATUS = {
    LinkOutcome.UNKNOWN: 400, LinkOutcome.USED: 410, LinkOutcome.EXPIRED: 410,
    LinkOutcome.LOCKED: 429,
}


class WebChat:
    """The web channel of one process: sign-in, pages, sockets and notice delivery."""

    def __init__(self, engine: Engine, database: Database, settings: Settings, *,
                 isolation: ChatIsolation | None = None, deliver_notices: bool = True) -> None:
        self.database = database
        self.conversations = WebConversations(engine, database, isolation=isolation)
        self.pages = OpenPages(database)
        self.conversations.listeners.append(self.pages.kept)
        self.auth = WebAuth(database, public_url=settings.web_public_url,
                            session_seconds=settings.web_session_seconds)
        self.socket = ChatSocket(self.auth, self.conversations, self.pages, database,
                                 FloodGuard(settings.flood_limit_per_minute))
        self.delivery = (DeliveryLoop(database, CHANNEL, self.conversations.deliver)
                         if deliver_notices else None)
        self._contact = settings.support_contact
        self._link_minutes = max(1, settings.link_code_ttl_seconds // 60)
        self._limits: LinkLimits = link_limits(settings)

    def register(self, app: web.Application) -> None:
        """Serve the web chat under ``/chat`` on ``app``, started and stopped with it."""
        app.router.add_get("/chat", self.chat_page)
        app.router.add_post("/chat/signout", self.sign_out)
        app.router.add_get("/chat/session", self.session_state)
        app.router.add_get("/chat/socket", self.socket.handle)
        app.router.add_get(r"/chat/image/{id:\d{1,15}}", self.image)
        app.router.add_static("/chat/static", STATIC, append_version=False)
        app.on_response_prepare.append(_secure_headers)
        app.on_startup.append(self._start)
        app.on_shutdown.append(self._stop)

    async def _start(self, _app: web.Application) -> None:
        self.pages.start_watching()
        if self.delivery is not None:
            self.delivery.start()

    async def _stop(self, _app: web.Application) -> None:
        if self.delivery is not None:
            await self.delivery.stop()
        await self.pages.stop_watching()
        await self.pages.close_all()

    async def chat_page(self, request: web.Request) -> web.StreamResponse:
        """``GET /chat``: the chat for a session, a code exchanged, or how to sign in."""
        code = request.query.get("code")
        with use_language(page_language(request)):
            if code is not None:
                return await self._sign_in(request, code.strip()[:MAX_CODE_LENGTH])
            if await self.auth.session(request) is None:
                return self._signed_out()
        return web.FileResponse(STATIC / "chat.html", headers={"Cache-Control": "no-store"})

    async def _sign_in(self, request: web.Request, code: str) -> web.StreamResponse:
        """Exchange a one-time code for a session: wrong codes count against the
        visitor's address, as against a Telegram chat; the user's web chat is linked. A
        session this browser had already is ended (one sign-in per browser)."""
        now = utcnow()
        visitor = f"visitor {request.remote or 'unknown'}"
        try:
            async with self.database.transaction() as connection:
                result = await redeem_link_code(connection, CHANNEL, visitor, code, now,
                                                self._limits, chat_for=web_chat_id)
                token = None
                if result.user is not None:
                    previous = self.auth.token(request)
                    if previous is not None:
                        await end_session(connection, previous, now)
                    token = await start_session(connection, result.user.id, now,
                                                self.auth.session_seconds)
        except Exception:  # rolled back: the code is unused, nobody is signed in
            log.exception("web chat: signing in from a link failed")
            count_code(SIGN_IN, None, linked=None)
            return self._signed_out(status=503, apology=_(NOTHING_CHANGED))
        count_code(SIGN_IN, result, linked=token is not None)
        if token is None:
            log.info("web chat: a sign-in link was refused (%s)", result.outcome.value)
            return self._signed_out(result, status=REFUSED_STATUS.get(result.outcome, 400))
        response = web.Response(text=signed_in_page(), content_type="text/html",
                                headers={"Cache-Control": "no-store"})
        self.auth.set_cookie(request, response, token)
        return response

    def _signed_out(self, refused: LinkResult | None = None, *, status: int = 200,
                    apology: str | None = None) -> web.Response:
        page = signed_out_page(contact=self._contact, minutes=self._link_minutes,
                               refused=refused, apology=apology)
        return web.Response(text=page, status=status, content_type="text/html",
                            headers={"Cache-Control": "no-store"})

    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        """``POST /chat/signout``: end the session on every tab; only from our own page."""
        if not self.auth.same_origin(request):
            return web.Response(status=403, text="Forbidden: not this site's page")
        session_token = self.auth.token(request)
        if session_token is not None:
            async with self.database.transaction() as connection:
                ended = await end_session(connection, session_token, utcnow())
            if ended is not None:
                self.pages.signed_out(ended)
        response = web.Response(status=303, headers={"Location": "/chat"})
        self.auth.clear_cookie(request, response)
        return response

    async def session_state(self, request: web.Request) -> web.StreamResponse:
        """``GET /chat/session``: 204 while the session lives, else 401 (how a page that
        cannot reconnect learns it was signed out)."""
        live = await self.auth.session(request) is not None
        return web.Response(status=204 if live else 401,
                            headers={"Cache-Control": "no-store"})

    async def image(self, request: web.Request) -> web.StreamResponse:
        """``GET /chat/image/ID``: a message's picture, for its own conversation only."""
        session = await self.auth.session(request)
        if session is None:
            return web.Response(status=401, text="Unauthorized: sign in first")
        async with self.database.reading() as connection:
            png = await message_image(connection, session.chat_id, int(request.match_info["id"]))
        if png is None:
            return web.Response(status=404, text="Not Found")
        # A message's picture never changes: the browser may keep it (privately).
        return web.Response(body=png, content_type="image/png",
                            headers={"Cache-Control": "private, max-age=86400"})


async def _secure_headers(request: web.Request, response: web.StreamResponse) -> None:
    if request.path == "/chat" or request.path.startswith("/chat/"):
        response.headers.update(SECURITY_HEADERS)
