"""``python -m bot script run PATH... [--junit FILE]``: run conversation scripts.

Exit status 0 only when every script passes; 1 when any fails or cannot run;
2 when a path does not exist or holds no scripts.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path

from bot.scripts.junit import write_junit
from bot.scripts.library import run_paths
from bot.scripts.report import result_text, summary
from bot.scripts.results import ScriptResult


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("script", help="conversation scripts for support staff")
    actions = parser.add_subparsers(dest="script_command", required=True)
    run_parser = actions.add_parser(
        "run", help="run conversation scripts (files or folders); exit 0 when all pass"
    )
    run_parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    run_parser.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    run_parser.add_argument(
        "--verbose", action="store_true", help="also show the bot's own error log"
    )
    run_parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root = logging.getLogger()
    previous = root.level
    # The failure report already shows what the user saw; the bot's log is for developers.
    root.setLevel(logging.DEBUG if args.verbose else logging.CRITICAL + 1)
    try:
        return _run(args)
    finally:
        root.setLevel(previous)


def _run(args: argparse.Namespace) -> int:
    started = time.perf_counter()

    def show(result: ScriptResult) -> None:
        print(result_text(result), flush=True)

    try:
        results = asyncio.run(run_paths(args.paths, on_result=show))
    except FileNotFoundError as missing:
        print(missing, file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    if not results:
        shown = " ".join(str(path) for path in args.paths)
        print(f"No conversation scripts (*.yaml) found in {shown}.", file=sys.stderr)
        return 2
    print()
    print(summary(results, seconds))
    if args.junit is not None:
        write_junit(results, seconds, args.junit)
        print(f"JUnit report written to {args.junit}")
    return 0 if all(result.passed for result in results) else 1
