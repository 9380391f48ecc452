"""Running the bot: the Bot object, long polling, and the webhook server (aiohttp)."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import signal
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import ClientSession, web

from bot.listening import listen
from bot.ops.http import Readiness, add_ops_routes
from bot.telegram.dispatcher import set_commands
from bot.telegram.pinning import pin_response_types
from bot.telegram.polling import Poller
from bot.telegram.retry import install_retry
from bot.telegram.webhook import WebhookEndpoint
from bot.web.app import WebChat
from storage.unit_of_work import Database

log = logging.getLogger(__name__)

DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
DEFAULT_GRACE = 25.0  # seconds updates in progress get at shutdown (SHUTDOWN_GRACE_SECONDS)
HTTP_SHUTDOWN_SECONDS = 2.0  # for webhook requests still being read at shutdown
WORKER_PID_HEADER = "X-Worker-Pid"  # which process answered (several share the port)


class PlainHttpSession(AiohttpSession):
    """aiogram's session, for a Bot API server reached over plain ``http://``.

    :meth:`AiohttpSession.close` waits 250 ms after closing for TLS connections to shut
    down; without TLS there is nothing to wait for, so this one closes at once.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.http: ClientSession | None = None  # the aiohttp session now open, if any

    async def create_session(self) -> ClientSession:
        self.http = await super().create_session()
        return self.http

    async def close(self) -> None:
        if self.http is not None and not self.http.closed:
            await self.http.close()


def make_bot(token: str, api_url: str | None = None) -> Bot:
    """A Bot over HTTP, to Telegram or to the Bot API server at ``api_url``; 429s retried."""
    api = TelegramAPIServer.from_base(api_url.rstrip("/")) if api_url else PRODUCTION
    plain = api_url is not None and api_url.lower().startswith("http://")
    session = PlainHttpSession(api=api) if plain else AiohttpSession(api=api)
    install_retry(session)
    pin_response_types()
    return Bot(token, session=session)


async def run_polling(poller: Poller, *, handle_signals: bool = True) -> None:
    """Long polling until stopped (SIGINT or SIGTERM with ``handle_signals``, or
    ``poller.stop()``); raises a StartupError when another process has the updates."""
    bot = poller.bot
    await bot.delete_webhook(drop_pending_updates=False)  # getUpdates is refused otherwise
    await set_commands(bot)
    signals = (signal.SIGINT, signal.SIGTERM) if handle_signals else ()
    loop = asyncio.get_running_loop()
    for signum in signals:  # a service manager stops with TERM
        loop.add_signal_handler(signum, poller.stop)
    try:
        await poller.run()
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)


@dataclass(slots=True)
class WebhookServer:
    """A running webhook endpoint: where it listens, and how to stop it gracefully."""

    runner: web.AppRunner
    url: str  # where it listens (http://host:port/path); Telegram may use a public URL
    secret: str
    readiness: Readiness | None = None  # /readyz, when served (stop() before shutting down)

    @property
    def port(self) -> int:
        return int(self.runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening (with ``SO_REUSEPORT``, new connections go to the other
        workers), let the updates in progress finish within the grace period, close."""
        if self.readiness is not None:
            self.readiness.stop()  # a load balancer stops sending here at once
        await self.runner.cleanup()


def webhook_path(public_url: str | None) -> str:
    """The path served: the public URL's, or :data:`DEFAULT_WEBHOOK_PATH`."""
    return (urlsplit(public_url).path if public_url else "") or DEFAULT_WEBHOOK_PATH


async def serve_webhook(
    bot: Bot,
    dispatcher: Dispatcher,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    path: str = DEFAULT_WEBHOOK_PATH,
    secret: str,
    grace: float = DEFAULT_GRACE,
    reuse_port: bool = False,
    database: Database | None = None,
    usage_token: str | None = None,
    web_chat: WebChat | None = None,
) -> WebhookServer:
    """Serve the webhook endpoint on ``host:port`` (without registering it).

    Posts without the right ``X-Telegram-Bot-Api-Secret-Token`` get 401 and are not
    processed; a body that is not an update gets 400 (see :mod:`bot.telegram.webhook`).
    With ``reuse_port`` several processes listen on one port (``SO_REUSEPORT``: the
    kernel spreads connections over them). Stopping gives the updates in progress
    ``grace`` seconds; closing ``bot``'s session is left to its owner. Every answer
    names the process in ``X-Worker-Pid``. With ``database``, ``/healthz``, ``/readyz``
    and ``/metrics`` are served beside it (``bot.ops.http``), and ``POST /usage`` for
    ``usage_token``; with ``web_chat``, the web chat under ``/chat`` (``bot.web``).
    """
    app = web.Application()
    if web_chat is not None:
        web_chat.register(app)
    WebhookEndpoint(dispatcher, bot, secret, drain_seconds=grace).register(app, path)
    setup_application(app, dispatcher, bot=bot)
    app.on_response_prepare.append(_name_the_worker)
    readiness = (add_ops_routes(app, database, usage_token=usage_token)
                 if database is not None else None)
    # The endpoint answers at once (updates run in the background, drained on shutdown):
    # requests still open at shutdown are only reading a body.
    runner = await listen(app, host, port, reuse_port=reuse_port,
                          shutdown_timeout=min(HTTP_SHUTDOWN_SECONDS, grace))
    bound_host, bound_port = runner.addresses[0][:2]
    url = f"http://{bound_host}:{bound_port}{path}"
    log.info("webhook listening on %s:%s%s", bound_host, bound_port, path)
    return WebhookServer(runner=runner, url=url, secret=secret, readiness=readiness)


async def _name_the_worker(request: web.Request, response: web.StreamResponse) -> None:
    response.headers[WORKER_PID_HEADER] = str(os.getpid())


async def register_webhook(bot: Bot, url: str, secret: str, allowed_updates: list[str]) -> None:
    """Tell Telegram to post ``allowed_updates`` to ``url`` with ``secret``; set the
    command menu. Once per service, however many workers serve it."""
    await set_commands(bot)
    await bot.set_webhook(
        url,
        secret_token=secret,
        allowed_updates=allowed_updates,
        drop_pending_updates=False,
    )
    log.info("webhook registered as %s", url)


async def start_webhook(
    bot: Bot,
    dispatcher: Dispatcher,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    public_url: str | None = None,
    secret: str | None = None,
    grace: float = DEFAULT_GRACE,
    database: Database | None = None,
    usage_token: str | None = None,
    web_chat: WebChat | None = None,
) -> WebhookServer:
    """Serve the webhook in this process and register it with Telegram.

    ``public_url`` is what Telegram calls (behind a proxy it differs from host:port);
    its path is the one served. Without it, ``http://host:port/telegram/webhook`` is
    used: fine for a local Bot API server. Without a configured secret a random one
    is made for this run. See :func:`serve_webhook`.
    """
    server = await serve_webhook(
        bot, dispatcher, host=host, port=port, path=webhook_path(public_url),
        secret=secret or secrets.token_urlsafe(32), grace=grace, database=database,
        usage_token=usage_token, web_chat=web_chat,
    )
    server.url = public_url or server.url
    try:
        await register_webhook(bot, server.url, server.secret,
                               dispatcher.resolve_used_update_types())
    except BaseException:
        await server.stop()
        raise
    return server
