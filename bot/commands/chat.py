"""``python -m bot chat [--as EMAIL] [--record FILE]``: talk to the bot in the terminal.

Pipes work too (one line per user turn). ``--record`` runs on a fresh copy of the
demo data, like a script does, and writes the conversation as a script at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import get_settings
from bot.runtime import open_runtime
from bot.scripts.channels import seen
from bot.scripts.recorder import Recorder, then_lines
from bot.terminal import CHANNEL, TerminalConversation, render
from bot.terminal_input import LineReader, line_reader
from flows.engine import Engine
from flows.i18n import N_, _
from flows.settings import EngineSettings
from storage.errors import UnknownUser
from storage.identities import ensure_identity
from storage.sandbox import fresh_demo_database

DEFAULT_USER = "owner@acme.example"
GOODBYE = N_("Goodbye!")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("chat", help="talk to the bot in the terminal")
    parser.add_argument("--as", dest="email", default=DEFAULT_USER, help="demo user to be")
    parser.add_argument(
        "--record",
        type=Path,
        metavar="FILE",
        help="write the conversation as a script (on a fresh copy of the demo data)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.record is not None:
            return asyncio.run(record(args.email, args.record))
        return asyncio.run(chat(args.email))
    except KeyboardInterrupt:
        # Ctrl-C while the bot was answering (at the prompt it is a key press, read as
        # the end): the turn's transaction was rolled back, so nothing is half-saved.
        print("\n" + _(GOODBYE), flush=True)
        return 0


async def chat(email: str) -> int:
    """Chat on the configured database (migrated and seeded if new)."""
    async with open_runtime(get_settings()) as runtime:
        async with runtime.database.transaction() as connection:
            try:
                await ensure_identity(connection, CHANNEL, email, email)
            except UnknownUser:
                print(f"There is no user with the e-mail {email}.", file=sys.stderr)
                return 2
        await converse(TerminalConversation(runtime.engine, email, runtime.database))
    return 0


async def record(email: str, target: Path) -> int:
    """Chat on fresh demo data, as scripts run, then write what happened to ``target``."""
    database = await fresh_demo_database("sqlite")
    try:
        async with database.database.transaction() as connection:
            try:
                await ensure_identity(connection, CHANNEL, email, email)
            except UnknownUser:
                print(f"There is no user with the e-mail {email}.", file=sys.stderr)
                return 2
        print(f"Recording to {target}, on a fresh copy of the demo data.", file=sys.stderr)
        # The settings scripts run with, so the recording replays the same way.
        engine = Engine(database.stores, EngineSettings())
        recorder = Recorder(email)
        try:
            await converse(TerminalConversation(engine, email, database.database), recorder)
        finally:
            name = f"Recorded as {email} on {datetime.now(UTC):%d %b %Y}"
            then = await then_lines(database.database, email)
            recorder.write(target, name, then)
            print(
                f"\nWrote {target}. Run it with: python -m bot script run {target}",
                file=sys.stderr,
            )
    finally:
        await database.dispose()
    return 0


async def converse(
    conversation: TerminalConversation,
    recorder: Recorder | None = None,
    lines: LineReader | None = None,
) -> None:
    """The chat loop: show the menu, then one user turn per line until the user is done
    (end of input, Ctrl-D or Ctrl-C); a person at a terminal is told goodbye."""
    lines = lines or line_reader()
    if lines.interactive:
        print(
            f"Chatting as {conversation.key.chat_id}. Type a number or words; "
            "Ctrl-D or Ctrl-C to quit.\n"
        )
    first = await conversation.resume()  # a flow open before a restart goes on where it was
    if recorder is not None:
        recorder.said("menu", seen(first))
    print(render(first), flush=True)
    while (text := await lines.read()) is not None:
        if not text.strip():
            continue
        on_screen = [choice.label for choice in conversation.choices]
        chosen = conversation.option_named(text)
        replies = await conversation.say(text)
        if recorder is not None:
            if chosen is not None:
                recorder.pressed(chosen.label, on_screen, seen(replies))
            else:
                recorder.said(text, seen(replies))
        print(render(replies), flush=True)
    if lines.interactive:
        print(_(GOODBYE), flush=True)
