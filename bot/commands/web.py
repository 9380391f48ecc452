"""``python -m bot web``: the web chat (and ``/healthz``, ``/readyz``, ``/metrics``,
``POST /usage``) on one port, over the configured database (demo data on a new one).

``--sign-in EMAIL`` prints a one-time sign-in link for that user once the server
listens: one command from nothing to a signed-in chat on the demo data.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from bot.config import Settings, get_settings
from bot.startup.error import StartupError
from bot.web.links import issue_sign_in_link
from storage.errors import UnknownUser
from storage.unit_of_work import Database

log = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("web", help="run the web chat (http://127.0.0.1:8080/chat)")
    parser.add_argument("--host", help="listen address (default: WEB_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default: WEB_PORT, 8080; "
                        "0 picks a free one)")
    parser.add_argument("--sign-in", metavar="EMAIL",
                        help="print a one-time sign-in link for this user at start")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    logging.getLogger("bot").setLevel(logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one stops it
        return asyncio.run(serve(get_settings(), args))
    return 0


async def serve(settings: Settings, args: argparse.Namespace, *,
                stop: asyncio.Event | None = None) -> int:
    """Serve until SIGINT/SIGTERM (or ``stop`` is set); a StartupError when it cannot
    listen or the user of ``--sign-in`` does not exist."""
    from bot.charts import render_usage_chart
    from bot.runtime import open_runtime
    from bot.web.server import start_web_server

    host = args.host or settings.web_host
    port = args.port if args.port is not None else settings.web_port
    async with open_runtime(settings, charts={"web": render_usage_chart}) as runtime:
        server = await start_web_server(runtime.engine, runtime.database, settings,
                                        host=host, port=port)
        try:
            print(f"Web chat on {server.url}; Ctrl-C to stop.", flush=True)
            if args.sign_in:
                link = await _sign_in_link(runtime.database, args.sign_in, server.url,
                                           settings.link_code_ttl_seconds)
                print(f"Sign in as {args.sign_in}: {link}", flush=True)
            else:
                print("Sign in with a link from: python -m bot link-code EMAIL --channel web",
                      flush=True)
            await _until_stopped(stop)
            log.info("stopping the web chat")
        finally:
            await server.stop()
    return 0


async def _sign_in_link(database: Database, email: str, chat: str, ttl: int) -> str:
    try:
        return await issue_sign_in_link(database, email, chat, ttl)
    except UnknownUser:
        raise StartupError("--sign-in", f"there is no user with the e-mail {email}.",
                           "Use a user's e-mail, e.g. owner@acme.example.") from None


async def _until_stopped(stop: asyncio.Event | None) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):  # a service manager stops with TERM
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
