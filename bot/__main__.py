"""``python -m bot <command>``: the account self-service chatbot's command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.commands import (
    chat,
    database,
    diagram,
    link_code,
    run,
    script,
    support,
    telegram,
    usage,
    web,
)
from bot.ops.logs import setup_logging
from bot.startup.error import StartupError, report, traceback_text

COMMANDS = (chat, database, run, telegram, web, link_code, script, diagram, usage, support)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    root.add_argument(
        "--debug",
        action="store_true",
        help="when it cannot start, show the traceback too (secrets masked)",
    )
    commands = root.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status. A startup problem is explained in two lines
    (status 2), any other failure shows its traceback (status 1); secrets are masked
    in both and in every log line."""
    setup_logging()  # warnings and up, as text; JSON once the settings say LOG_FORMAT=json
    args = parser().parse_args(argv)
    try:
        result: int = args.run(args)
    except StartupError as problem:
        print(report(problem, debug=args.debug), file=sys.stderr)
        return 2
    except Exception as error:  # Python's own report would not mask the secrets
        print(traceback_text(error), file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
