"""Reaching a person: offered wherever the bot gives up, open to closed accounts too.

The flow that puts a user in touch with a person (``flows.handover``) declares
``reaches_people``; this module offers it without naming it: its choice, when to
offer it to a user the bot keeps not understanding, and which events a closed
account's member may still use (that flow, and nothing else).
"""

from __future__ import annotations

from flows.context import FlowContext, Option
from flows.i18n import N_, _
from flows.registry import FLOWS
from flows.routing import Screen, StartFlow, route
from flows.tokens import standing
from flows.types import Choice, ConversationRecord, Inbound

STUCK_AFTER = 3
"""Not understood this many times in a row: offer a person."""
STUCK_KEY = "misunderstood"  # the count, kept in the conversation record's data
OFFER = N_("I'm sorry I keep missing what you mean. Would you like to talk to a person?")
ASK_HERE = N_("Or press “Talk to a person” to reach our support team right here.")
"""Said wherever the bot sends the user to support; the menu shown with it has the button."""


def _reaching(flow_name: str | None) -> bool:
    flow = FLOWS.get(flow_name or "")
    return flow is not None and flow.reaches_people


def reaching_flows() -> frozenset[str]:
    """The names of the flows that reach a person (a closed account's members keep them)."""
    return frozenset(name for name, flow in FLOWS.items() if flow.reaches_people)


def option() -> Option | None:
    """The choice that reaches a person, as flows write choices (None: no such flow)."""
    for name, flow in FLOWS.items():
        if flow.reaches_people and flow.menu_entry is not None:
            return (_(flow.menu_entry.label), f"start.{name}")
    return None


def standing_choices() -> list[Choice]:
    """The same choice for a reply that belongs to no menu (the closed-account notice)."""
    found = option()
    return [Choice(found[0], standing(found[1]))] if found is not None else []


def misunderstandings(record: ConversationRecord) -> int:
    """How many times in a row the user was not understood."""
    return int(record.data.get(STUCK_KEY, 0))


def misunderstood(record: ConversationRecord, ctx: FlowContext) -> bool:
    """Count one more "not understood" in a row; True (with a note said) when it is time
    to offer a person. Any understood action resets the count (:func:`understood`)."""
    count = misunderstandings(record) + 1
    record.data[STUCK_KEY] = count
    if count < STUCK_AFTER or option() is None:
        return False
    ctx.note(_(OFFER))
    return True


def understood(record: ConversationRecord) -> None:
    """The user's action meant something: the count of misunderstandings starts again."""
    record.data.pop(STUCK_KEY, None)


def offer(ctx: FlowContext) -> None:
    """Add the choice to the last screen shown, unless it is there already."""
    found = option()
    for reply in reversed(ctx.replies):
        if reply.choices and found is not None:
            if all(choice.token != found[1] for choice in reply.choices):
                reply.choices.append(Choice(*found))
            return


def reaches_person(record: ConversationRecord, inbound: Inbound | None) -> bool:
    """Whether this event belongs to talking to a person: the conversation is with one
    already, or the user asks for one (typed words, the choice pressed).

    A closed account's members may do this and nothing else."""
    if _reaching(record.flow):
        return True
    if inbound is None:
        return False
    action = route(inbound, Screen(record.menu_token), in_flow=False)
    return isinstance(action, StartFlow) and _reaching(action.flow)
