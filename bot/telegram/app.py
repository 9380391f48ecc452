"""Running the bot: the Bot object, long polling, and the webhook server (aiohttp)."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import ClientSession, web

from bot.ops.http import Readiness, add_ops_routes
from bot.telegram.dispatcher import COMMANDS
from bot.telegram.pinning import pin_response_types
from bot.telegram.retry import install_retry
from bot.telegram.webhook import WebhookEndpoint
from storage.unit_of_work import Database

log = logging.getLogger(__name__)

DEFAULT_WEBHOOK_PATH = "/telegram/webhook"
TASKS_LIMIT = 100  # updates handled at once in polling; more wait (back-pressure)


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


async def run_polling(bot: Bot, dispatcher: Dispatcher, *, polling_timeout: int = 30,
                      handle_signals: bool = True) -> None:
    """Long polling until stopped; updates run as tasks (ordered per chat by middleware)."""
    await bot.delete_webhook(drop_pending_updates=False)  # getUpdates is refused otherwise
    await bot.set_my_commands(COMMANDS)
    await dispatcher.start_polling(
        bot,
        polling_timeout=polling_timeout,
        handle_as_tasks=True,
        tasks_concurrency_limit=TASKS_LIMIT,
        allowed_updates=dispatcher.resolve_used_update_types(),
        handle_signals=handle_signals,
    )


@dataclass(slots=True)
class WebhookServer:
    """A running webhook endpoint: where Telegram should post, and how to stop it."""

    runner: web.AppRunner
    url: str
    secret: str
    readiness: Readiness | None = None  # /readyz, when served (stop() before shutting down)

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_webhook(
    bot: Bot,
    dispatcher: Dispatcher,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    public_url: str | None = None,
    secret: str | None = None,
    database: Database | None = None,
) -> WebhookServer:
    """Serve the webhook and register it with Telegram.

    ``public_url`` is what Telegram calls (behind a proxy it differs from host:port);
    its path is the one served. Without it, ``http://host:port/telegram/webhook`` is
    used: fine for a local Bot API server. Posts without the right
    ``X-Telegram-Bot-Api-Secret-Token`` get 401 and are not processed; without a
    configured secret a random one is made for this run. A body that is not an
    update gets 400 (see :mod:`bot.telegram.webhook`). Stopping the server lets
    updates in progress finish; closing ``bot``'s session is left to its owner.
    """
    secret = secret or secrets.token_urlsafe(32)
    path = urlsplit(public_url).path if public_url else DEFAULT_WEBHOOK_PATH
    app = web.Application()
    WebhookEndpoint(dispatcher, bot, secret).register(app, path or DEFAULT_WEBHOOK_PATH)
    setup_application(app, dispatcher, bot=bot)
    readiness = add_ops_routes(app, database) if database is not None else None
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound_host, bound_port = runner.addresses[0][:2]
    url = public_url or f"http://{bound_host}:{bound_port}{path or DEFAULT_WEBHOOK_PATH}"
    await bot.set_my_commands(COMMANDS)
    await bot.set_webhook(
        url,
        secret_token=secret,
        allowed_updates=dispatcher.resolve_used_update_types(),
        drop_pending_updates=False,
    )
    log.info("webhook listening on %s:%s, registered as %s", bound_host, bound_port, url)
    return WebhookServer(runner=runner, url=url, secret=secret, readiness=readiness)
