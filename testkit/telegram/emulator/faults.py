"""Fault injection: make a Bot API method fail the way Telegram, its proxy or the network can.

    telegram.fail("answerCallbackQuery", bad_request(QUERY_INVALID))      # the next call: 400
    telegram.fail("sendMessage", ApiError(500, "Internal Server Error"), times=None)  # every one
    telegram.fail("answerCallbackQuery", ProxyPage(502))                  # HTML, not JSON
    telegram.fail("answerCallbackQuery", NoAnswer("reset"))               # no answer at all
    telegram.heal()                                                       # all back to normal

An :class:`~testkit.telegram.emulator.errors.ApiError` is answered as Telegram answers
errors (JSON with ``error_code``, ``description`` and ``parameters.retry_after``). A
:class:`ProxyPage` is the HTML page the proxy in front of the Bot API serves when the
API behind it is down. :class:`NoAnswer` leaves :meth:`FakeTelegram.call` as an
exception and each transport shows it as its client would see it: the in-process
session raises aiogram's ``TelegramNetworkError`` with aiohttp's wording, the HTTP
server (``testkit/botapi``) drops the connection, after ``hold`` seconds for a timeout.
The HTTP server's control API sets faults too (``POST /_emulator/fail``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from testkit.telegram.emulator.errors import ApiError

NetworkTrouble = Literal["refused", "reset", "timeout"]

# What aiogram's AiohttpSession says for each (TelegramNetworkError's message).
CLIENT_WORDING: dict[NetworkTrouble, str] = {
    "refused": "ClientConnectorError: Cannot connect to host api.telegram.org:443 ssl:default "
               "[Connect call failed ('149.154.167.220', 443)]",
    "reset": "ServerDisconnectedError: Server disconnected",
    "timeout": "Request timeout error",
}


class NoAnswer(Exception):
    """The call got no HTTP answer: the connection was refused, reset, or timed out.

    ``hold`` is how long the HTTP server keeps a ``timeout`` call waiting before it
    drops it (longer than the client waits); in process the client gives up at once.
    """

    def __init__(self, trouble: NetworkTrouble, *, hold: float = 20.0) -> None:
        super().__init__(CLIENT_WORDING[trouble])
        self.trouble: NetworkTrouble = trouble
        self.hold = hold


@dataclass(frozen=True, slots=True)
class ProxyPage:
    """A non-JSON answer: the HTML error page of the proxy in front of the Bot API."""

    status: int = 502
    reason: str = "Bad Gateway"

    @property
    def html(self) -> str:
        title = f"{self.status} {self.reason}"
        return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
                f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
                "</body>\r\n</html>\r\n")


Failure = ApiError | ProxyPage | NoAnswer


@dataclass(slots=True)
class Fault:
    """``failure`` for the next ``remaining`` calls of a method (None: until healed)."""

    failure: Failure
    remaining: int | None


@dataclass(slots=True)
class Faults:
    """Faults per method (case-insensitive, as Telegram's method names are).

    ``met`` lists every fault a call ran into, (method, failure), so a test can tell
    that the failure it set up really happened.
    """

    pending: dict[str, list[Fault]] = field(default_factory=dict)
    met: list[tuple[str, Failure]] = field(default_factory=list)

    def add(self, method: str, failure: Failure, times: int | None = 1) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None: until healed)")
        self.pending.setdefault(method.lower(), []).append(Fault(failure, times))

    def clear(self, method: str | None = None) -> None:
        if method is None:
            self.pending.clear()
        else:
            self.pending.pop(method.lower(), None)

    def take(self, method: str) -> Failure | None:
        """The failure this call of ``method`` meets, if any (oldest fault first)."""
        queue = self.pending.get(method.lower())
        if not queue:
            return None
        fault = queue[0]
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining == 0:
                queue.pop(0)
                if not queue:
                    del self.pending[method.lower()]
        self.met.append((method, fault.failure))
        return fault.failure
