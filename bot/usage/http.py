"""``POST /usage``: the platform records usage on the bot's HTTP server.

Served beside ``/healthz`` wherever the ops routes are (the webhook server, the polling
side server). ``Authorization: Bearer <USAGE_API_TOKEN>``, compared in constant time;
without the setting the endpoint answers 503 saying it is switched off. The body is
one event (see :mod:`bot.usage.body`); every answer is JSON:

- 201 recorded, 200 the same event again (same ``idempotency_key``): the first answer;
- 400 the body is not an event, 401 no or a wrong token, 409 the key was used for a
  different event, 413 the body is over 16 KiB, 422 the account, meter or time cannot
  take it (unknown, closed, in the future, in a closed billing period).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.usage.body import BadBody, parse_event
from bot.usage.wording import result_json
from storage.unit_of_work import Database
from storage.usage_errors import Refusal, UsageRefused
from storage.usage_service import record

log = logging.getLogger(__name__)

PATH = "/usage"
MAX_BODY = 16 * 1024
STATUS = {Refusal.INVALID: 400, Refusal.KEY_REUSED: 409}  # the rest: 422
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class UsageEndpoint:
    """The handler of ``POST /usage`` for one database and token (None: switched off)."""

    def __init__(self, database: Database, token: str | None, clock: Clock = _utcnow) -> None:
        self.database = database
        self.token = token.encode() if token else None
        self.clock = clock

    def register(self, app: web.Application) -> None:
        """Serve ``POST /usage`` on ``app``."""
        app.router.add_post(PATH, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        if self.token is None:
            return _error(503, "usage_api_off", "POST /usage is switched off on this server: "
                          "set USAGE_API_TOKEN to turn it on")
        if not self._authorised(request.headers.get("Authorization", "")):
            response = _error(401, "unauthorized",
                              "send Authorization: Bearer <USAGE_API_TOKEN>")
            response.headers["WWW-Authenticate"] = 'Bearer realm="usage"'
            return response
        raw = await _body(request)
        if raw is None:
            return _too_large()
        try:
            event = parse_event(raw, request.headers.get("Idempotency-Key"))
            result = await record(self.database, event, self.clock())
        except BadBody as bad:
            return _error(400, bad.error, bad.message)
        except UsageRefused as refused:
            return _error(STATUS.get(refused.reason, 422), refused.reason.value, refused.message)
        except Exception:
            log.exception("recording usage failed")
            return _error(500, "internal", "the event was not recorded; send it again later")
        return web.json_response(result_json(result), status=200 if result.replayed else 201)

    def _authorised(self, header: str) -> bool:
        assert self.token is not None
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer":
            return False
        # Constant time: how long a wrong token takes says nothing about the right one.
        return hmac.compare_digest(given.strip().encode(), self.token)


async def _body(request: web.Request) -> bytes | None:
    """The body, or None when it is over :data:`MAX_BODY` (read no further than that)."""
    if (request.content_length or 0) > MAX_BODY:
        return None
    raw = bytearray()
    # A body may arrive in several pieces (and chunked, without a length): read to its end.
    while chunk := await request.content.read(MAX_BODY + 1 - len(raw)):
        raw += chunk
        if len(raw) > MAX_BODY:
            return None
    return bytes(raw)


def _too_large() -> web.Response:
    return _error(413, "body_too_large", f"the body is over {MAX_BODY} bytes: send one event")


def _error(status: int, error: str, message: str) -> web.Response:
    body: dict[str, Any] = {"error": error, "message": message}
    return web.json_response(body, status=status)
