"""``python -m bot run``: what ``make run`` starts.

Telegram when ``BOT_TOKEN`` is set; otherwise the terminal chat as the demo owner.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.commands.chat import DEFAULT_USER, chat
from bot.config import get_settings

HINT = (
    "No BOT_TOKEN set, so this is the terminal chat as {user} on the demo data.\n"
    "Chat as someone else: python -m bot chat --as admin@acme.example "
    "(or viewer@acme.example, owner@globex.example, owner@initech.example).\n"
    "The web chat: make web (prints a sign-in link), or python -m bot web.\n"
    "Connect Telegram: put BOT_TOKEN=<token from @BotFather> in .env (BOT_API_URL for a "
    "self-hosted Bot API server) and run make run again.\n"
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("run", help="Telegram if BOT_TOKEN is set, else terminal chat")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    if settings.bot_token:
        from bot.commands import telegram

        return telegram.run_from_settings(settings)
    print(HINT.format(user=DEFAULT_USER), file=sys.stderr)
    return asyncio.run(chat(DEFAULT_USER))
