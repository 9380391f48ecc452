"""``python -m bot chat [--as EMAIL]``: talk to the bot in the terminal (pipes work too)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import get_settings
from bot.runtime import open_runtime
from bot.terminal import CHANNEL, TerminalConversation, render
from storage.identities import UnknownUser, ensure_identity

DEFAULT_USER = "owner@acme.example"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("chat", help="talk to the bot in the terminal")
    parser.add_argument("--as", dest="email", default=DEFAULT_USER, help="demo user to be")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return asyncio.run(chat(args.email))


async def chat(email: str) -> int:
    interactive = sys.stdin.isatty()
    async with open_runtime(get_settings()) as runtime:
        async with runtime.sessions.begin() as session:
            try:
                await ensure_identity(session, CHANNEL, email, email)
            except UnknownUser:
                print(f"There is no user with the e-mail {email}.", file=sys.stderr)
                return 2
        if interactive:
            print(f"Chatting as {email}. Type a number or words; Ctrl-D to quit.\n")
        conversation = TerminalConversation(runtime.engine, email)
        print(render(await conversation.say("menu")))
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                print("\n> ", end="", flush=True)
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            if not line.strip():
                continue
            if not interactive:
                print(f"\n> {line.rstrip()}")
            print(render(await conversation.say(line.rstrip("\n"))), flush=True)
    return 0
