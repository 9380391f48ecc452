"""``python -m bot usage add ACCOUNT METER QUANTITY``: record usage, as the platform would.

For operators and demos: the account by id or name (any case), the meter by code or
label. It goes through the same service as ``POST /usage``, so it counts and alerts the
same way; the alert is queued in the outbox and sent by the running bot.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from datetime import UTC, datetime

from bot.config import get_settings
from bot.runtime import open_runtime
from bot.usage.wording import FIXES, result_lines
from storage.usage import UsageRequest
from storage.usage_errors import Refusal, UsageRefused
from storage.usage_service import record


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    usage = commands.add_parser("usage", help="record usage (alerts at 80%% and 100%%)")
    actions = usage.add_subparsers(dest="usage_command", required=True)
    add = actions.add_parser("add", help="record usage of one meter for one account")
    add.add_argument("account", help="the account's id or name (any case)")
    add.add_argument("meter", help='the meter\'s code or label ("bot_sessions", '
                     '"chatbot sessions")')
    add.add_argument("quantity", help="how much was used: a whole number above 0")
    add.add_argument("--time", help="when, ISO 8601 with offset (default: now)")
    add.add_argument("--key", help="idempotency key: the same key counts once "
                     "(default: a new one)")
    add.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        request = _request(args)
    except UsageRefused as refused:
        return _refused(refused)
    return asyncio.run(add(request))


async def add(request: UsageRequest) -> int:
    """Record ``request`` on the configured database; print the result or the refusal."""
    async with open_runtime(get_settings()) as runtime:
        try:
            result = await record(runtime.database, request, datetime.now(UTC))
        except UsageRefused as refused:
            return _refused(refused)
    print("\n".join(result_lines(result)))
    return 0


def _request(args: argparse.Namespace) -> UsageRequest:
    text = args.quantity.strip().replace(",", "").replace("_", "")
    if not text.isdigit() or int(text) <= 0:
        raise UsageRefused(Refusal.INVALID, f"QUANTITY must be a whole number above 0, "
                           f"not {args.quantity!r}")
    occurred = None
    if args.time is not None:
        try:
            occurred = datetime.fromisoformat(args.time)
        except ValueError:
            raise UsageRefused(Refusal.INVALID, f"--time is not an ISO 8601 time: "
                               f"{args.time!r}") from None
    return UsageRequest(
        account=args.account, meter=args.meter, quantity=int(text),
        idempotency_key=args.key or f"cli-{uuid.uuid4()}", occurred_at=occurred,
        source="cli", loose=True,
    )


def _refused(refused: UsageRefused) -> int:
    print(f"Usage not recorded: {refused.message}.", file=sys.stderr)
    print(f"Fix: {FIXES[refused.reason]}", file=sys.stderr)
    return 2
