"""The web chat served on its own port, with the ops endpoints beside it (``bot web``)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.config import Settings
from bot.listening import listen
from bot.ops.http import add_ops_routes
from bot.startup.telegram import listen_problem
from bot.web.app import WebChat
from bot.web.links import chat_url
from flows.engine import Engine
from storage.unit_of_work import Database


@dataclass(slots=True)
class WebServer:
    """A running web chat: where it listens, its channel, and how to stop it."""

    runner: web.AppRunner
    chat: WebChat
    url: str  # the chat page's address (``WEB_PUBLIC_URL``'s when set)

    @property
    def port(self) -> int:
        return int(self.runner.addresses[0][1])

    async def stop(self) -> None:
        """Close every page's socket (they reconnect to whoever serves next) and stop."""
        await self.runner.cleanup()


async def start_web_server(
    engine: Engine, database: Database, settings: Settings, *,
    host: str, port: int, deliver_notices: bool = True,
) -> WebServer:
    """Serve the web chat, ``/healthz``, ``/readyz``, ``/metrics`` and ``POST /usage`` on
    ``host:port`` (0: a free port). A port in use or an address not of this machine
    raises a StartupError naming ``WEB_HOST`` / ``WEB_PORT``. Without ``deliver_notices``
    nothing delivers the outbox's web notices unless asked (the script runner does, per
    step)."""
    app = web.Application()
    add_ops_routes(app, database, usage_token=settings.usage_api_token)
    chat = WebChat(engine, database, settings, deliver_notices=deliver_notices)
    chat.register(app)
    try:
        runner = await listen(app, host, port)
    except OSError as error:
        problem = listen_problem(error, host, port, host_setting="--host / WEB_HOST",
                                 port_setting="--port / WEB_PORT",
                                 port_choice="--port or WEB_PORT")
        raise (problem or error) from error
    bound = int(runner.addresses[0][1])
    return WebServer(runner, chat, chat_url(settings, host=host, port=bound))
