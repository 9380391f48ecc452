"""Who a web request is: the session cookie, and whether the request comes from our page.

The cookie holds a random token (``storage.web_chat``): ``HttpOnly`` (no script reads
it), ``SameSite=Strict`` (no other site's page sends it), ``Path=/chat``, expiring with
the session, and ``Secure`` when the chat is served over https (directly, or behind a
proxy whose public address ``WEB_PUBLIC_URL`` is https).

State-changing requests (signing out, the WebSocket) must also carry an ``Origin`` of
this very server (or of ``WEB_PUBLIC_URL``): SameSite keeps the cookie off cross-site
requests in today's browsers, and the Origin check refuses them whatever the browser.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from aiohttp import web

from flows.engine import utcnow
from storage.unit_of_work import Database
from storage.web_chat import SignedIn, find_session

COOKIE = "chat_session"
COOKIE_PATH = "/chat"


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-case (how browsers send ``Origin``)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class WebAuth:
    """Sessions and origins for one web chat server."""

    def __init__(self, database: Database, *, public_url: str | None = None,
                 session_seconds: int) -> None:
        self._database = database
        self.public_origin = origin_of(public_url) if public_url else None
        self.session_seconds = session_seconds

    def secure(self, request: web.Request) -> bool:
        """Whether the page is served over https (the cookie is then ``Secure``)."""
        return request.secure or (self.public_origin or "").startswith("https:")

    def same_origin(self, request: web.Request) -> bool:
        """Whether the request's ``Origin`` is this server (or its public address)."""
        origin = request.headers.get("Origin", "").lower()
        if not origin:
            return False
        here = f"{request.scheme}://{request.host}".lower()
        return origin in (here, self.public_origin)

    @staticmethod
    def token(request: web.Request) -> str | None:
        """The session token the request's cookie carries (live or not), if any."""
        token = request.cookies.get(COOKIE)
        return token if token and len(token) <= 100 else None

    async def session(self, request: web.Request, now: datetime | None = None) -> SignedIn | None:
        """The live session of the request's cookie, or None."""
        token = self.token(request)
        if token is None:
            return None
        async with self._database.reading() as connection:
            return await find_session(connection, token, now or utcnow())

    def set_cookie(self, request: web.Request, response: web.StreamResponse, token: str) -> None:
        response.set_cookie(
            COOKIE, token, max_age=self.session_seconds, path=COOKIE_PATH,
            httponly=True, samesite="Strict", secure=self.secure(request),
        )

    def clear_cookie(self, request: web.Request, response: web.StreamResponse) -> None:
        response.del_cookie(COOKIE, path=COOKIE_PATH, secure=self.secure(request),
                            httponly=True, samesite="Strict")
