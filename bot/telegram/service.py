"""The webhook service: ``python -m bot telegram --webhook --workers N`` (N > 1).

This process does, once, what must happen once, then supervises N workers
(:mod:`bot.telegram.worker`, each a fresh interpreter) that share one port and one
PostgreSQL database:

1. reserves the port: a socket bound with ``SO_REUSEPORT`` but not listening, which
   finds a port in use (exit 2), resolves port 0, and keeps the port for the workers;
2. checks the bot with its Bot API server, migrates the database and seeds the demo
   data on a new one (the settings were checked before: ``bot.commands.telegram``);
3. starts the workers and waits until each listens (one that cannot start stops them
   all, its explanation printed once);
4. registers the webhook with Telegram, once, then prints where;
5. supervises (:class:`bot.service.supervisor.Supervisor`): a worker that dies is
   replaced; SIGTERM or SIGINT stop them all gracefully; exit 0 when all exit cleanly.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot import redaction
from bot.config import Settings
from bot.runtime import open_runtime
from bot.service.supervisor import Supervisor, WorkerFailed
from bot.startup.error import StartupError
from bot.startup.telegram import listen_problem
from bot.telegram.app import register_webhook, webhook_path
from bot.telegram.dispatcher import build_dispatcher
from bot.telegram.preflight import check_bot, checked_bot

if TYPE_CHECKING:
    from aiogram import Bot

    from bot.commands.telegram import Options

WORKER_MODULE = "bot.telegram.worker"


async def run_service(settings: Settings, options: Options, count: int) -> int:
    """Prepare once, then run ``count`` webhook workers until stopped; the exit status."""
    assert settings.bot_token is not None
    bot = checked_bot(settings.bot_token, options.api_url)
    try:
        with reserved_port(options) as port:  # first: it is local and instant
            # Before the database: a wrong token or server should not wait for migrations.
            await check_bot(bot, options.api_url, options.api_setting)
            async with open_runtime(settings) as runtime:  # migrated, seeded; closed again
                allowed = build_dispatcher(runtime.engine, settings).resolve_used_update_types()
            return await _supervise(bot, settings, options, count, port, allowed)
    finally:
        await bot.session.close()


@contextmanager
def reserved_port(options: Options) -> Iterator[int]:
    """Bind the webhook's address with ``SO_REUSEPORT``, not listening, for as long as
    the service runs: the port (port 0 resolved) that every worker binds too."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            options.host, options.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        probe = socket.socket(family, kind, proto)
    except OSError as error:
        raise _listen_problem(error, options) from error
    with probe:
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            probe.bind(address)
        except OSError as error:
            raise _listen_problem(error, options) from error
        yield int(probe.getsockname()[1])


def _listen_problem(error: OSError, options: Options) -> BaseException:
    problem = listen_problem(error, options.host, options.port,
                             host_setting=options.host_setting, port_setting=options.port_setting)
    return error if problem is None else problem


async def _supervise(bot: Bot, settings: Settings, options: Options, count: int, port: int,
                     allowed: list[str]) -> int:
    secret = settings.webhook_secret or secrets.token_urlsafe(32)  # one for all workers
    redaction.remember(secret)
    path = webhook_path(options.webhook_url)
    command = [sys.executable, "-m", WORKER_MODULE, "--host", options.host,
               "--port", str(port), "--path", path]
    if options.api_url:
        command += ["--api-url", options.api_url]
    # The secret by environment, not argument: arguments show in `ps`.
    env = {**os.environ, "WEBHOOK_SECRET": secret}
    supervisor = Supervisor(command, count, env=env, grace=settings.shutdown_grace_seconds)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):  # a service manager stops with TERM
        loop.add_signal_handler(signum, supervisor.stop)
    try:
        try:
            await supervisor.start()
        except WorkerFailed as failure:
            raise _as_startup_error(failure) from None
        try:
            if not supervisor.stopping:
                url = options.webhook_url or f"http://{options.host}:{port}{path}"
                await register_webhook(bot, url, secret, allowed)
                where = "" if options.webhook_url else (
                    f" (no WEBHOOK_URL: the Bot API server at {options.api_url} must reach it)"
                )
                pids = ", ".join(str(pid) for pid in supervisor.pids)
                print(f"Webhook registered at {url}{where}; {count} workers on "
                      f"{options.host}:{port} (pids {pids}); Ctrl-C to stop.", flush=True)
        except BaseException:
            supervisor.stop()
            await supervisor.run()
            raise
        return await supervisor.run()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def _as_startup_error(failure: WorkerFailed) -> BaseException:
    """What a worker said when it could not start, to be printed once (exit 2)."""
    if len(failure.lines) == 2:
        setting, _, problem = failure.lines[0].partition(": ")
        return StartupError(setting, problem, failure.lines[1].removeprefix("Fix: "))
    return RuntimeError(f"a webhook worker could not start: {failure}")
