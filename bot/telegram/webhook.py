"""The webhook endpoint: Telegram's POSTs become updates for the dispatcher.

Ours rather than aiogram's ``SimpleRequestHandler``, which parses the body too late:
a body that is not JSON fails in the request (HTTP 500 and a traceback), and JSON
that is not an Update fails in a background task nobody awaits (HTTP 200, then
"Task exception was never retrieved"). Here the order is: the secret-token header
(401 whatever the body), then the body, parsed and validated before anything is
scheduled (400 and one warning line), then the update, handled in the background
as aiogram does it, so Telegram gets its 200 at once and the chat lock, not the
HTTP connection, keeps each chat's updates in order.

Before the body is even read, the worker's admission (:mod:`bot.telegram.admission`)
must have a slot free: past ``MAX_IN_FLIGHT`` updates in flight the post gets 503 with
``Retry-After`` and Telegram delivers it again later, instead of the worker queueing
without bound.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.ops.metrics import SHED
from bot.telegram.admission import ADMITTED, Admission, EverySecond
from bot.telegram.draining import finish_in_time

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DRAIN_SECONDS = 25.0  # on shutdown, updates in progress get this long (by default)
RETRY_AFTER_SECONDS = 1  # when busy: soon, the moment a burst has passed


class BadUpdate(ValueError):
    """A webhook body that is not a Telegram update; the message says why (no content)."""


def parse_update(body: bytes, bot: Bot) -> Update:
    """The :class:`Update` in ``body``, bound to ``bot``; :class:`BadUpdate` otherwise.

    The reason names what is wrong but never quotes the body: it is logged, and a
    body may hold anything.
    """
    if not body.strip():
        raise BadUpdate("empty body")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise BadUpdate(f"not JSON ({type(error).__name__})") from None
    if not isinstance(data, dict):
        raise BadUpdate(f"JSON {type(data).__name__}, not an object")
    try:
        return Update.model_validate(data, context={"bot": bot})
    except ValidationError as error:
        first = error.errors(include_url=False, include_context=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "update"
        raise BadUpdate(f"not an Update ({where}: {first['msg']})") from None


class WebhookEndpoint:
    """``POST path``: checks the secret, admits, validates the update, feeds the dispatcher.

    Updates run as tasks kept here until done, so none is garbage-collected midway
    and an error escaping the dispatcher's own error handler is still logged; on
    shutdown they get ``drain_seconds`` (``SHUTDOWN_GRACE_SECONDS``) to finish, and a
    post that arrives meanwhile gets 503 (Telegram posts it again later, to a worker
    that is not stopping) rather than a 200 for work that would not be waited for.
    Each update holds a slot of the dispatcher's :class:`Admission` from the post
    until it is done.
    """

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret: str, *,
                 drain_seconds: float = DRAIN_SECONDS, **data: Any) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret token")
        self.dispatcher = dispatcher
        self.bot = bot
        self._secret = secret.encode()
        self.drain_seconds = drain_seconds
        self.data = data
        self.running: set[asyncio.Task[Any]] = set()
        self.admission = Admission.of(dispatcher)
        self._busy_log = EverySecond(log)
        self.draining = False

    def register(self, app: web.Application, path: str) -> None:
        app.router.add_post(path, self.handle)
        app.on_shutdown.append(self._drain)

    async def handle(self, request: web.Request) -> web.Response:
        # Bytes on both sides: compare_digest refuses str with non-ASCII characters.
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not secrets.compare_digest(given, self._secret):
            return web.Response(status=401, text="Unauthorized")
        if self.draining:
            return web.Response(status=503, text="Service Unavailable: shutting down")
        if not self.admission.try_enter():
            return self._busy()
        scheduled = False
        try:
            update = parse_update(await request.read(), self.bot)
            task = asyncio.create_task(
                self.dispatcher.feed_update(self.bot, update, **self.data, **{ADMITTED: True}),
                name=f"update {update.update_id}",
            )
            scheduled = True  # from here the task gives the slot back when done
        except BadUpdate as error:
            # One line, no traceback: a stray or hostile post is not our bug.
            log.warning("webhook: 400 for a body from %s: %s", request.remote,
                        " ".join(str(error).split()))
            return web.Response(status=400, text="Bad Request: not a Telegram update")
        finally:
            if not scheduled:
                self.admission.leave()
        self.running.add(task)
        task.add_done_callback(self._finished)
        return web.json_response({})

    def _busy(self) -> web.Response:
        """503 + Retry-After, before the body is read: Telegram posts the update again."""
        SHED.labels(answer="http_503").inc()
        self._busy_log.warning("webhook: %d updates in flight (MAX_IN_FLIGHT), answered 503",
                               self.admission.in_flight)
        return web.Response(status=503, text="Busy: retry later",
                            headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.running.discard(task)
        self.admission.leave()
        if task.cancelled():
            return
        error = task.exception()  # retrieved: asyncio has nothing to complain about
        if error is not None:  # the error router handles everything; this is a bug
            log.error("webhook: an update failed outside the error handler",
                      exc_info=(type(error), error, error.__traceback__))

    async def _drain(self, app: web.Application) -> None:
        """On shutdown (the listening socket is closed by now): let the updates in
        progress finish, their replies sent, within ``drain_seconds``; cancel and log
        what is left."""
        self.draining = True
        await finish_in_time(self.running, self.drain_seconds, "webhook")
