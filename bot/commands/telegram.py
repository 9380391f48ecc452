"""``python -m bot telegram``: run the bot on Telegram (long polling, or a webhook).

``--webhook --workers N`` (or ``WEB_CONCURRENCY``) with N > 1 runs the webhook service
of :mod:`bot.telegram.service`: N worker processes on one port and one PostgreSQL
database. With one worker (the default) everything runs in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass

from bot.config import Settings, get_settings
from bot.startup.database import check_database_url
from bot.startup.telegram import (
    check_api_url,
    check_webhook_url,
    listen_problem,
    missing_token,
)
from bot.startup.workers import check_workers

log = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("telegram", help="run the bot on Telegram (BOT_TOKEN)")
    parser.add_argument("--api-url", help="self-hosted Bot API server (default: BOT_API_URL)")
    parser.add_argument("--webhook", action="store_true", help="webhook instead of polling")
    parser.add_argument("--webhook-url", help="public webhook URL (default: WEBHOOK_URL)")
    parser.add_argument("--host", help="webhook listen address (default: WEBHOOK_HOST)")
    parser.add_argument("--port", type=int, help="webhook listen port (default: WEBHOOK_PORT)")
    parser.add_argument("--polling-timeout", type=int, default=30, help="long-poll seconds")
    parser.add_argument(
        "--workers", type=int,
        help="webhook worker processes sharing the port and a PostgreSQL database "
             "(default: WEB_CONCURRENCY, or 1)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_from_settings(get_settings(), args)


def run_from_settings(settings: Settings, args: argparse.Namespace | None = None) -> int:
    """Run until interrupted; without ``args``, long polling as configured (``make run``).

    What can be checked without aiogram (slow to import) or the network is checked
    first; every check that fails raises a StartupError naming the setting.
    """
    if args is None:
        args = argparse.Namespace(api_url=None, webhook=False, webhook_url=None, host=None,
                                  port=None, polling_timeout=30, workers=None)
    if not settings.bot_token:
        raise missing_token()
    options = Options.of(settings, args)
    check_api_url(options.api_url, options.api_setting)
    if args.webhook:
        check_webhook_url(options.webhook_url, options.webhook_url_setting, options.api_url)
    check_database_url(settings.database_url)
    count, count_setting = worker_count(settings, args)
    check_workers(count, count_setting, webhook=args.webhook, database_url=settings.database_url)
    logging.getLogger("bot").setLevel(logging.INFO)
    logging.getLogger("aiogram").setLevel(logging.INFO)
    # aiogram says "Update id=… is handled" per update; our own per-update line
    # (bot.telegram.middlewares.metrics: DEBUG as text, INFO as JSON) says more.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    if count > 1:
        from bot.telegram.service import run_service

        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C before the workers start
            return asyncio.run(run_service(settings, options, count))
        return 0
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one stops it
        asyncio.run(serve(settings, args))
    return 0


def worker_count(settings: Settings, args: argparse.Namespace) -> tuple[int, str]:
    """How many processes, and the setting that said so: ``--workers``, else (webhook
    only: a platform may set it for any web process) ``WEB_CONCURRENCY``, else 1."""
    if args.workers is not None:
        return args.workers, "--workers"
    if args.webhook and settings.web_concurrency > 1:
        return settings.web_concurrency, "WEB_CONCURRENCY"
    return 1, "--workers"


@dataclass(frozen=True, slots=True)
class Options:
    """Where to talk to Telegram and listen, and which setting (variable or option)
    each value came from, so that an explanation names the one to change."""

    api_url: str | None
    api_setting: str
    webhook_url: str | None
    webhook_url_setting: str
    host: str
    host_setting: str
    port: int
    port_setting: str

    @classmethod
    def of(cls, settings: Settings, args: argparse.Namespace) -> Options:
        return cls(
            api_url=args.api_url or settings.bot_api_url,
            api_setting="--api-url" if args.api_url else "BOT_API_URL",
            webhook_url=args.webhook_url or settings.webhook_url,
            webhook_url_setting="--webhook-url" if args.webhook_url else "WEBHOOK_URL",
            host=args.host or settings.webhook_host,
            host_setting="--host" if args.host else "WEBHOOK_HOST",
            port=args.port if args.port is not None else settings.webhook_port,
            port_setting="--port" if args.port is not None else "WEBHOOK_PORT",
        )


async def serve(settings: Settings, args: argparse.Namespace) -> None:
    """Check the bot with its Bot API server, open the database, then poll or serve the
    webhook until stopped; what is misconfigured on the way raises a StartupError."""
    # Imported here: aiogram takes seconds to import, and `python -m bot chat` needs none of it.
    from bot.charts import render_usage_chart
    from bot.gc_tuning import tune_for_serving
    from bot.ops.http import start_ops_server
    from bot.runtime import open_runtime
    from bot.telegram.app import run_polling, start_webhook
    from bot.telegram.dispatcher import build_dispatcher
    from bot.telegram.polling import Poller
    from bot.telegram.preflight import check_bot, checked_bot
    from bot.web.app import WebChat

    assert settings.bot_token is not None
    options = Options.of(settings, args)
    bot = checked_bot(settings.bot_token, options.api_url)
    try:
        # Before the database: a wrong token or server should not wait for migrations.
        await check_bot(bot, options.api_url, options.api_setting)
        charts = {"telegram": render_usage_chart, "web": render_usage_chart}
        async with open_runtime(settings, charts=charts, isolate=args.webhook) as runtime:
            dispatcher = build_dispatcher(runtime.engine, settings, runtime.isolation,
                                          runtime.database)
            tune_for_serving()
            grace = settings.shutdown_grace_seconds
            if not args.webhook:
                ops = (await start_ops_server(runtime.database, settings.ops_host,
                                              settings.ops_port,
                                              usage_token=settings.usage_api_token)
                       if settings.ops_port else None)
                try:
                    await run_polling(Poller(bot, dispatcher, timeout=args.polling_timeout,
                                             grace=grace))
                finally:
                    if ops is not None:
                        await ops.cleanup()
                return
            try:
                server = await start_webhook(
                    bot,
                    dispatcher,
                    host=options.host,
                    port=options.port,
                    public_url=options.webhook_url,
                    secret=settings.webhook_secret,
                    grace=grace,
                    database=runtime.database,
                    usage_token=settings.usage_api_token,
                    web_chat=WebChat(runtime.engine, runtime.database, settings,
                                     isolation=runtime.isolation),
                )
            except OSError as error:  # aiogram's own failures are not OSErrors
                problem = listen_problem(error, options.host, options.port,
                                         host_setting=options.host_setting,
                                         port_setting=options.port_setting)
                if problem is None:
                    raise
                raise problem from error
            where = "" if options.webhook_url else (
                f" (no WEBHOOK_URL: the Bot API server at {options.api_url} must reach it)"
            )
            print(f"Webhook registered at {server.url}{where}; Ctrl-C to stop.", flush=True)
            stop = asyncio.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):  # a service manager stops with TERM
                asyncio.get_running_loop().add_signal_handler(signum, stop.set)
            try:
                await stop.wait()
                log.info("stopping: no new updates; finishing those in progress")
            finally:
                await server.stop()
    finally:
        await bot.session.close()  # idempotent: polling closes it too
