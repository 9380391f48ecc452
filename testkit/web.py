"""A web chat page without a browser: real HTTP and a real WebSocket, spoken like chat.js.

:class:`WebTestClient` signs in from a one-time link (the cookie jar keeps the session),
opens the page's socket, says ``hello`` and then types and presses as a customer does,
returning the messages each action brought. Tests use it for the protocol and the
script runner for ``channel: web``; browser tests drive the real page instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientWebSocketResponse, CookieJar, WSMsgType

REPLY_TIMEOUT = 30.0  # seconds; real replies take milliseconds


@dataclass(frozen=True, slots=True)
class PageMessage:
    """One message as the page shows it."""

    id: int
    sender: str  # "bot" or "you"
    text: str
    buttons: list[str] = field(default_factory=list)
    image: str | None = None
    image_alt: str | None = None

    @classmethod
    def of(cls, frame: dict[str, Any]) -> PageMessage:
        return cls(id=frame["id"], sender=frame["from"], text=frame["text"],
                   buttons=list(frame["buttons"]), image=frame["image"],
                   image_alt=frame["image_alt"])


class PageClosed(Exception):
    """The server closed the page's socket; ``code`` says why (4401: signed out)."""

    def __init__(self, code: int | None) -> None:
        super().__init__(f"the socket was closed (code {code})")
        self.code = code


class WebTestClient:
    """One browser (a cookie jar) with at most one open page (socket) at a time."""

    def __init__(self, base: str, *, language: str | None = None,
                 browser: ClientSession | None = None) -> None:
        """``base``: the server's ``http://host:port``; ``language``: the browser's
        ``Accept-Language``; ``browser``: the cookies (session) of another tab."""
        self.base = base.rstrip("/")
        headers = {"Accept-Language": language} if language else None
        self._owns_http = browser is None
        # unsafe: a jar that keeps cookies of an IP address such as 127.0.0.1
        self.http = browser or ClientSession(cookie_jar=CookieJar(unsafe=True), headers=headers)
        self.socket: ClientWebSocketResponse | None = None
        self.transcript: list[PageMessage] = []
        self.errors: list[str] = []

    def new_tab(self) -> WebTestClient:
        """Another tab of this browser: the same cookies, a page (socket) of its own."""
        return WebTestClient(self.base, browser=self.http)

    async def sign_in(self, link: str) -> int:
        """Open a sign-in link (and the page it moves on to); the link's HTTP status."""
        async with self.http.get(link) as response:
            await response.read()
            return response.status

    async def open(self, *, origin: str | None = None) -> list[PageMessage]:
        """Open the page's socket and say hello with the newest message shown; what
        arrives in answer (the conversation so far on a first open)."""
        headers = {"Origin": origin or self.base}
        self.socket = await self.http.ws_connect(self.base + "/chat/socket", headers=headers)
        after = self.transcript[-1].id if self.transcript else 0
        await self.socket.send_json({"type": "hello", "after": after})
        return await self._until_messages()

    async def drop(self) -> None:
        """Close the socket as a lost connection would (the page reconnects with open())."""
        if self.socket is not None:
            await self.socket.close()
            self.socket = None

    async def say(self, text: str) -> list[PageMessage]:
        """Type ``text`` and Send; the messages of that turn (the echo first)."""
        await self._send({"type": "say", "text": text})
        return await self._until_idle()

    async def press(self, label: str) -> list[PageMessage]:
        """Press the button labelled exactly ``label`` of the newest message with buttons."""
        message = self.latest_menu
        if message is None or label not in message.buttons:
            raise LookupError(f"no button {label!r} on the page")
        return await self.press_at(message.id, message.buttons.index(label))

    async def press_at(self, message_id: int, button: int) -> list[PageMessage]:
        """Press button ``button`` of message ``message_id``, whichever message it is."""
        await self._send({"type": "press", "message": message_id, "button": button})
        return await self._until_idle()

    async def send_raw(self, frame: Any) -> str:
        """Send any frame (a test of what the server refuses); the error it answers."""
        assert self.socket is not None, "open() the page first"
        await self.socket.send_str(frame if isinstance(frame, str) else json.dumps(frame))
        while True:
            data = await self._frame()
            if data["type"] == "error":
                return str(data["text"])

    async def wait_for(self, count: int) -> list[PageMessage]:
        """The next ``count`` messages the page is sent (notices, another tab's turns)."""
        arrived: list[PageMessage] = []
        while len(arrived) < count:
            arrived += await self._until_messages()
        return arrived

    @property
    def latest_menu(self) -> PageMessage | None:
        """The newest bot message with buttons: the one whose buttons the page shows."""
        return next((m for m in reversed(self.transcript) if m.sender == "bot" and m.buttons),
                    None)

    async def close(self) -> None:
        await self.drop()
        if self._owns_http:
            await self.http.close()

    async def _send(self, frame: dict[str, Any]) -> None:
        assert self.socket is not None, "open() the page first"
        await self.socket.send_json(frame)

    async def _frame(self) -> dict[str, Any]:
        assert self.socket is not None
        message = await self.socket.receive(timeout=REPLY_TIMEOUT)
        if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
            raise PageClosed(self.socket.close_code)
        if message.type is not WSMsgType.TEXT:
            raise PageClosed(self.socket.close_code)
        data: dict[str, Any] = json.loads(message.data)
        return data

    async def _until_messages(self) -> list[PageMessage]:
        while True:
            data = await self._frame()
            if data["type"] == "messages":
                return self._show(data)
            if data["type"] == "error":
                self.errors.append(data["text"])

    async def _until_idle(self) -> list[PageMessage]:
        """Messages until this page's turn ends (``idle``). An ``error`` before the turn
        began (``busy``) is a refused frame: nothing was done, nothing more comes."""
        arrived: list[PageMessage] = []
        began = False
        while True:
            data = await self._frame()
            if data["type"] == "messages":
                arrived += self._show(data)
            elif data["type"] == "busy":
                began = True
            elif data["type"] == "idle":
                return arrived
            elif data["type"] == "error":
                self.errors.append(data["text"])
                if not began:
                    return arrived

    def _show(self, data: dict[str, Any]) -> list[PageMessage]:
        messages = [PageMessage.of(frame) for frame in data["messages"]]
        if data["reset"]:
            self.transcript = messages
            return messages
        shown = {m.id for m in self.transcript}
        new = [m for m in messages if m.id not in shown]
        self.transcript += new
        return new

