"""What a turn did, for whoever counts turns (metrics, logs): the engine's observer.

The engine reports each turn it handled to an optional :class:`TurnObserver` once the
turn's unit of work is over (committed, or rolled back on failure). Flows know
nothing of metrics or logging libraries; the channel side implements the observer.
A report describes the attempt that counted: a turn re-run after a version conflict
reports once, with the flow events of the run that was committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol

from flows.types import ConversationKey

__all__ = ["FlowEvent", "FlowEventKind", "TurnObserver", "TurnOutcome", "TurnReport"]

FlowEventKind = Literal["started", "finished", "left", "expired"]
"""``finished``: the flow reached one of its end states (``state`` says which);
``left``: it ended before that (cancel, menu, another flow, a reset);
``expired``: it was left idle too long and ended at the user's next message."""


class TurnOutcome(StrEnum):
    OK = "ok"
    FAILED = "failed"  # rolled back: an error, or a record that kept changing
    UNLINKED = "unlinked"  # the chat belongs to no platform user
    CLOSED_ACCOUNT = "closed_account"  # a member of a closed account wrote


@dataclass(frozen=True, slots=True)
class FlowEvent:
    """A flow starting or ending in a turn; ``state`` is its state at that moment."""

    flow: str
    event: FlowEventKind
    state: str | None = None


@dataclass(frozen=True, slots=True)
class TurnReport:
    """One handled turn.

    ``flow_before`` is the flow the conversation was in when the turn began, ``flow``
    and ``state`` where it is now (None: at the menu). ``account_closed``: this turn
    closed the account (committed). ``conflicts`` counts the runs
    thrown away because the record changed meanwhile. ``error`` is the exception that
    failed the turn, if one did (the observer decides whether it was the database's).
    Never carries what the user typed.
    """

    key: ConversationKey
    outcome: TurnOutcome
    flow_before: str | None = None
    flow: str | None = None
    state: str | None = None
    flow_events: tuple[FlowEvent, ...] = ()
    account_closed: bool = False
    conflicts: int = 0
    error: BaseException | None = None


class TurnObserver(Protocol):
    """Told about every turn after its unit of work; must be quick and must not raise
    (an error in it is logged and ignored: the turn is already decided)."""

    def turn_done(self, report: TurnReport) -> None: ...
