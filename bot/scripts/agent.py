"""The support agent in a conversation script: the ``agent:`` step and ``agent_sees:``.

An agent answers (or, with ``/close``, closes) the open ticket of the step's user
through :mod:`bot.support_desk`, exactly as ``python -m bot support reply`` does; the
customer's replies for that step are the notices delivered to their chat. What the
agent sees is the ticket's messages from the customer's side (the summary, each
relayed message, the bot's notes), read from the stored ticket and worded as the
support group's topic receives them.
"""

from __future__ import annotations

from datetime import datetime

from bot import support_desk
from bot.scripts.channels import ScriptReply
from bot.scripts.model import ScriptMistake, Step
from flows.handover_wording import customer_line
from storage.ticket_queries import latest_ticket_of, transcript
from storage.tickets import AGENT, CUSTOMER
from storage.unit_of_work import Database

CLOSE = "/close"
AGENT_NAME = "Support team"


class AgentSide:
    """One script run's support agent: answers tickets, remembers what it has seen."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._seen: dict[int, int] = {}  # ticket id -> messages already looked at

    async def act(self, step: Step, email: str, now: datetime) -> None:
        """Answer the user's open ticket with the step's text, or close it."""
        async with self._database.reading() as connection:
            ticket = await latest_ticket_of(connection, email)
        if ticket is None or not ticket.is_open:
            raise ScriptMistake(step.where, f"{email} has no open ticket for the agent to "
                                "answer; ask for a person first (say: agent)")
        if step.value.strip().casefold() == CLOSE:
            await support_desk.close(self._database, now, reference=ticket.reference,
                                     agent=AGENT_NAME)
        else:
            await support_desk.answer(self._database, step.value, now,
                                      reference=ticket.reference, agent=AGENT_NAME)

    async def sees(self, email: str) -> list[ScriptReply]:
        """What reached the agent about the user's latest ticket since the last look."""
        async with self._database.reading() as connection:
            ticket = await latest_ticket_of(connection, email)
            if ticket is None:
                return []
            messages = await transcript(connection, ticket.id)
        start = self._seen.get(ticket.id, 0)
        self._seen[ticket.id] = len(messages)
        return [
            ScriptReply(customer_line(message.name, message.text)
                        if message.author == CUSTOMER else message.text)
            for message in messages[start:] if message.author != AGENT
        ]
