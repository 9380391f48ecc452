"""``python -m bot support list|show|reply|close``: the support inbox on the command line.

For handovers without a support group (``SUPPORT_CHAT_ID`` unset), or beside one:
an answer or a closure here reaches the customer's chat through the outbox, exactly
as one typed in the ticket's topic. A reference that is unknown or closed is bad
input: it is said in one line, with exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot import support_desk
from bot.config import Settings, get_settings
from bot.runtime import Runtime, open_runtime
from storage.ticket_queries import find_ticket, open_tickets, transcript

Action = Callable[[Runtime, argparse.Namespace], Awaitable[int]]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("support", help="list, read, answer and close handover tickets")
    actions = parser.add_subparsers(dest="support_command", required=True)
    actions.add_parser("list", help="the open tickets").set_defaults(run=_runs(list_tickets))
    show = actions.add_parser("show", help="a ticket's summary and transcript")
    show.add_argument("reference", help="the ticket's reference, e.g. T-4821")
    show.set_defaults(run=_runs(show_ticket))
    reply = actions.add_parser("reply", help="answer the customer")
    reply.add_argument("reference")
    reply.add_argument("text", nargs="+", help="the answer (quote it, or give several words)")
    reply.add_argument("--as", dest="agent", default=support_desk.DEFAULT_AGENT,
                       help="the name the customer sees (default: %(default)s)")
    reply.set_defaults(run=_runs(reply_ticket))
    close = actions.add_parser("close", help="close the ticket: the customer is back with the bot")
    close.add_argument("reference")
    close.add_argument("--as", dest="agent", default=support_desk.DEFAULT_AGENT)
    close.set_defaults(run=_runs(close_ticket))


def _runs(action: Action) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        return asyncio.run(_in_runtime(get_settings(), action, args))

    return run


async def _in_runtime(settings: Settings, action: Action, args: argparse.Namespace) -> int:
    async with open_runtime(settings) as runtime:
        try:
            return await action(runtime, args)
        except support_desk.TicketProblem as problem:
            print(problem, file=sys.stderr)
            return 2


async def list_tickets(runtime: Runtime, args: argparse.Namespace) -> int:
    async with runtime.database.reading() as connection:
        tickets = await open_tickets(connection)
    if not tickets:
        print("No open tickets.")
        return 0
    now = datetime.now(UTC)
    for ticket in tickets:
        last = " ".join(ticket.last_text.split())
        print(f"{ticket.reference}  {ticket.account_name}  {ticket.user_name} <{ticket.email}>  "
              f"{age(now, ticket.opened_at)}  {last[:60]}")
    return 0


async def show_ticket(runtime: Runtime, args: argparse.Namespace) -> int:
    async with runtime.database.reading() as connection:
        ticket = await find_ticket(connection, reference=args.reference)
        if ticket is None:
            raise support_desk.TicketProblem(f"There is no ticket {args.reference}.")
        messages = await transcript(connection, ticket.id)
    print(f"{ticket.title()}  ({ticket.status}, opened {ticket.opened_at:%Y-%m-%d %H:%M} UTC)")
    for message in messages:
        print(f"\n[{message.created_at:%H:%M}] {message.name} ({message.author}):")
        print(message.text)
    return 0


async def reply_ticket(runtime: Runtime, args: argparse.Namespace) -> int:
    text = " ".join(args.text)
    ticket = await support_desk.answer(runtime.database, text, datetime.now(UTC),
                                       reference=args.reference, agent=args.agent)
    print(f"Sent to {ticket.user_name} ({ticket.reference}).")
    return 0


async def close_ticket(runtime: Runtime, args: argparse.Namespace) -> int:
    ticket = await support_desk.close(runtime.database, datetime.now(UTC), reference=args.reference,
                                      agent=args.agent, to_group=_has_group(runtime.settings))
    print(f"Closed {ticket.reference}; {ticket.user_name} is talking to the bot again.")
    return 0


def _has_group(settings: Settings) -> bool:
    return settings.support_chat_id is not None


def age(now: datetime, since: datetime) -> str:
    """How long ago, in the largest whole unit: ``5m``, ``3h``, ``2d``."""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 60 * 24:
        return f"{minutes // 60}h"
    return f"{minutes // (60 * 24)}d"
