"""``python -m bot telegram``: run the bot on Telegram (long polling, or a webhook)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from bot.config import Settings, get_settings

log = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("telegram", help="run the bot on Telegram (BOT_TOKEN)")
    parser.add_argument("--api-url", help="self-hosted Bot API server (default: BOT_API_URL)")
    parser.add_argument("--webhook", action="store_true", help="webhook instead of polling")
    parser.add_argument("--webhook-url", help="public webhook URL (default: WEBHOOK_URL)")
    parser.add_argument("--host", help="webhook listen address (default: WEBHOOK_HOST)")
    parser.add_argument("--port", type=int, help="webhook listen port (default: WEBHOOK_PORT)")
    parser.add_argument("--polling-timeout", type=int, default=30, help="long-poll seconds")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_from_settings(get_settings(), args)


def run_from_settings(settings: Settings, args: argparse.Namespace | None = None) -> int:
    """Run until interrupted; without ``args``, long polling as configured (``make run``)."""
    if args is None:
        args = argparse.Namespace(api_url=None, webhook=False, webhook_url=None, host=None,
                                  port=None, polling_timeout=30)
    if not settings.bot_token:
        print("BOT_TOKEN is not set: get a token from @BotFather and export BOT_TOKEN.",
              file=sys.stderr)
        return 2
    logging.getLogger("bot").setLevel(logging.INFO)
    logging.getLogger("aiogram").setLevel(logging.INFO)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one stops it
        asyncio.run(serve(settings, args))
    return 0


async def serve(settings: Settings, args: argparse.Namespace) -> None:
    # Imported here: aiogram takes seconds to import, and `python -m bot chat` needs none of it.
    from bot.charts import render_usage_chart
    from bot.gc_tuning import tune_for_serving
    from bot.runtime import open_runtime
    from bot.telegram.app import make_bot, run_polling, start_webhook
    from bot.telegram.dispatcher import build_dispatcher

    assert settings.bot_token is not None
    api_url = args.api_url or settings.bot_api_url
    async with open_runtime(settings, charts={"telegram": render_usage_chart}) as runtime:
        bot = make_bot(settings.bot_token, api_url)
        dispatcher = build_dispatcher(runtime.engine, runtime.sessions, settings)
        tune_for_serving()
        if not args.webhook:
            await run_polling(bot, dispatcher, polling_timeout=args.polling_timeout)
            return
        server = await start_webhook(
            bot,
            dispatcher,
            host=args.host or settings.webhook_host,
            port=args.port if args.port is not None else settings.webhook_port,
            public_url=args.webhook_url or settings.webhook_url,
            secret=settings.webhook_secret,
        )
        print(f"Webhook registered at {server.url}; Ctrl-C to stop.", flush=True)
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):  # a service manager stops with TERM
            asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        try:
            await stop.wait()
        finally:
            await server.stop()
