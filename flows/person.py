"""Reaching a person: the "Talk to a person" choice, offered wherever the bot gives up.

The handover flow (:mod:`flows.handover`) does the talking; this module holds what
the rest of the conversation core needs to offer it without importing that flow: the
choice's label and action, the typed words that ask for it, when to offer it to a
customer the bot keeps not understanding, and which events a closed account's
member may still use to reach a person.
"""

from __future__ import annotations

from flows.context import FlowContext, Option
from flows.i18n import N_, _
from flows.routing import Screen, StartFlow, route
from flows.tokens import standing
from flows.types import Choice, ConversationRecord, Inbound

HANDOVER = "handover"
"""The flow's name, as conversation records store it."""
TALK_TO_A_PERSON = N_("🙋 Talk to a person")
ACTION = f"start.{HANDOVER}"
STUCK_AFTER = 3
"""Not understood this many times in a row: offer a person."""
STUCK_KEY = "misunderstood"  # the count, kept in the conversation record's data
ASK_HERE = N_("Or press “Talk to a person” to reach our support team right here.")
"""Said wherever the bot sends the user to support; the menu shown with it has the button."""
OFFER = N_("I'm sorry I keep missing what you mean. Would you like to talk to a person?")


def option() -> Option:
    """The choice, as flows write choices, for a screen of the current menu."""
    return (_(TALK_TO_A_PERSON), ACTION)


def standing_choice() -> Choice:
    """The choice for a reply that belongs to no menu (the closed-account notice)."""
    return Choice(_(TALK_TO_A_PERSON), standing(ACTION))


def misunderstandings(record: ConversationRecord) -> int:
    """How many times in a row the user was not understood."""
    return int(record.data.get(STUCK_KEY, 0))


def misunderstood(record: ConversationRecord, ctx: FlowContext) -> bool:
    """Count one more "not understood" in a row; True (with a note said) when it is time
    to offer a person. Any understood action resets the count (:func:`understood`)."""
    count = misunderstandings(record) + 1
    record.data[STUCK_KEY] = count
    if count < STUCK_AFTER:
        return False
    ctx.note(_(OFFER))
    return True


def understood(record: ConversationRecord) -> None:
    """The user's action meant something: the count of misunderstandings starts again."""
    record.data.pop(STUCK_KEY, None)


def offer(ctx: FlowContext) -> None:
    """Add the choice to the last screen shown, unless it is there already."""
    for reply in reversed(ctx.replies):
        if reply.choices:
            if all(choice.token != ACTION for choice in reply.choices):
                reply.choices.append(Choice(_(TALK_TO_A_PERSON), ACTION))
            return


def reaches_person(record: ConversationRecord, inbound: Inbound | None) -> bool:
    """Whether this event belongs to talking to a person: the conversation is with one
    already, or the user asks for one (typed words, the choice pressed).

    A closed account's members may do this and nothing else."""
    if record.flow == HANDOVER:
        return True
    if inbound is None:
        return False
    action = route(inbound, Screen(record.menu_token), in_flow=False)
    return isinstance(action, StartFlow) and action.flow == HANDOVER
