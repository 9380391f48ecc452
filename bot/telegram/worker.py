"""One webhook worker process: ``python -m bot.telegram.worker --port P ... --control-fd N``.

Started by the webhook service (:mod:`bot.telegram.service`), which has checked the
settings, migrated the database and registers the webhook once for all workers. A
worker opens the database as it is, serves the webhook on the shared port
(``SO_REUSEPORT``), tells the supervisor it is ready, and serves until SIGTERM or
SIGINT, or until the supervisor is gone; then it stops gracefully: the listening
socket closes (new connections go to the other workers), the updates in progress
finish within ``SHUTDOWN_GRACE_SECONDS``, the pools close, exit status 0.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

from bot.charts import render_usage_chart
from bot.config import Settings, get_settings
from bot.gc_tuning import tune_for_serving
from bot.ops.logs import setup_logging
from bot.runtime import open_runtime
from bot.service.supervisor import CONTROL_OPTION, SupervisorLink
from bot.startup.error import StartupError, traceback_text
from bot.startup.telegram import listen_problem
from bot.telegram.app import DEFAULT_WEBHOOK_PATH, serve_webhook
from bot.telegram.dispatcher import build_dispatcher
from bot.telegram.preflight import checked_bot
from bot.web.app import WebChat

log = logging.getLogger("bot.telegram.worker")  # not __main__ when run with -m


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot.telegram.worker", description=__doc__)
    root.add_argument("--host", default="127.0.0.1")
    root.add_argument("--port", type=int, required=True)
    root.add_argument("--path", default=DEFAULT_WEBHOOK_PATH)
    root.add_argument("--api-url")
    root.add_argument(CONTROL_OPTION, dest="control_fd", type=int, required=True)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until stopped; the exit status (2: could not start, and the supervisor
    was told why)."""
    setup_logging(worker=True)
    logging.getLogger("bot").setLevel(logging.INFO)
    logging.getLogger("aiogram").setLevel(logging.INFO)
    # aiogram says "Update id=… is handled" per update; our own per-update line
    # (bot.telegram.middlewares.metrics: DEBUG as text, INFO as JSON) says more.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    link = SupervisorLink(args.control_fd)
    try:
        asyncio.run(serve(get_settings(), args, link))
    except StartupError as problem:
        link.failed(problem.lines())
        return 2
    except Exception as error:  # Python's own report would not mask the secrets
        print(traceback_text(error), file=sys.stderr)
        return 1
    finally:
        link.close()
    return 0


async def serve(settings: Settings, args: argparse.Namespace, link: SupervisorLink) -> None:
    if not settings.bot_token or not settings.webhook_secret:
        raise StartupError("BOT_TOKEN / WEBHOOK_SECRET", "not given to this worker.",
                           "Start workers with python -m bot telegram --webhook --workers N.")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    link.on_gone(stop.set)  # the supervisor was killed: nobody would ever stop us
    bot = checked_bot(settings.bot_token, args.api_url)
    try:
        charts = {"telegram": render_usage_chart, "web": render_usage_chart}
        async with open_runtime(settings, charts=charts, prepare=False,
                                isolate=True) as runtime:
            dispatcher = build_dispatcher(runtime.engine, settings, runtime.isolation,
                                          runtime.database)
            tune_for_serving()
            try:
                server = await serve_webhook(
                    bot, dispatcher, host=args.host, port=args.port, path=args.path,
                    secret=settings.webhook_secret, grace=settings.shutdown_grace_seconds,
                    reuse_port=True, database=runtime.database,
                    usage_token=settings.usage_api_token,
                    web_chat=WebChat(runtime.engine, runtime.database, settings,
                                     isolation=runtime.isolation),
                )
            except OSError as error:
                problem = listen_problem(error, args.host, args.port,
                                         host_setting="WEBHOOK_HOST", port_setting="WEBHOOK_PORT")
                if problem is None:
                    raise
                raise problem from error
            link.ready()
            try:
                await stop.wait()
                log.info("stopping: no new updates; finishing those in progress")
            finally:
                await server.stop()
    finally:
        await bot.session.close()


if __name__ == "__main__":
    sys.exit(main())
