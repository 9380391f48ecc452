"""The trail: where a customer was and what they last typed, for a person taking over.

When a customer asks for a person, the agent's first question is "what were you
trying to do?". The trail answers it: the flow and step the customer was last in
and their last few typed messages. It is kept in the conversation record's data,
which every turn loads and saves anyway, so keeping it costs no statement of its
own (a table would cost an INSERT per message); it is bounded to
:data:`KEPT_TEXTS` short texts and goes when the record is reset (a chat unlinked,
an account closed). Presses are not kept: the flow and step say what they chose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.types import ConversationRecord, Inbound

KEPT_TEXTS = 5
KEPT_LENGTH = 200  # characters of each text: enough to read, not a place to store essays
TRAIL_KEY = "trail"


@dataclass(frozen=True, slots=True)
class Trail:
    """Where the customer was (``flow``/``state``, None: never in a flow) and, oldest
    first, what they last typed; ``in_flow`` when they were still in it."""

    flow: str | None = None
    state: str | None = None
    in_flow: bool = False
    texts: tuple[str, ...] = ()


def note(record: ConversationRecord, inbound: Inbound, *, held: bool = False) -> Trail:
    """Add this event to the record's trail; the trail as it was before the event, with
    the event's text included. ``held``: the open flow holds the conversation (a person
    is talking), and what is said there is kept elsewhere (the ticket), not here."""
    kept: dict[str, Any] = record.data.get(TRAIL_KEY) or {}
    texts = [str(text) for text in kept.get("texts", [])]
    flow, state = kept.get("flow"), kept.get("state")
    if held:
        return Trail(flow, state, False, tuple(texts))
    if record.flow is not None:
        flow, state = record.flow, record.state
    if inbound.text is not None and inbound.text.strip():
        texts = [*texts, inbound.text.strip()[:KEPT_LENGTH]][-KEPT_TEXTS:]
    record.data[TRAIL_KEY] = {"flow": flow, "state": state, "texts": texts}
    return Trail(flow, state, record.flow is not None, tuple(texts))


def refused(record: ConversationRecord, flow: str) -> None:
    """The user asked for ``flow`` and was refused: that is what they were doing."""
    kept: dict[str, Any] = record.data.setdefault(TRAIL_KEY, {})
    kept.update(flow=flow, state="refused")
