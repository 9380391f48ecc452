"""The common shape of every flow: a python-statemachine machine that renders its states.

A flow is a short declarative class: states, transitions (events), small named
guards, and one ``render_<state>`` coroutine per non-final state that shows that
step. The engine restores the machine from the stored state name, sends it one
event, then asks it to render whatever state it is in now.

Guards only ask questions; actions do things. An event that writes (closing the
account, saving details) leads to a state the machine never rests in, through an
action that does the write and keeps the store's answer on the machine; eventless
transitions out of that state then ask about the answer (``was_closed``,
``had_conflict``) and pick the step that follows, all within the one event.

A flow is registered by declaring ``flow_name`` (see :mod:`flows.registry`); its menu
entry and the words that ask for it are declared beside it, on the class.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any, ClassVar

from statemachine import State, StateMachine

from flows.context import FlowContext
from flows.intents import IntentRule
from flows.menu import MenuEntry
from flows.registry import FLOWS


class FlowModel:
    """The object python-statemachine keeps the current state name on."""

    def __init__(self, state: str | None) -> None:
        self.state = state


class FlowMachine(StateMachine):
    """Base of every flow. Subclasses declare states, events and ``render_<state>``."""

    flow_name: ClassVar[str] = ""
    """The name conversation records store; a class that declares one is registered."""
    menu_entry: ClassVar[MenuEntry | None] = None
    """Its option in the main menu: label, position, the least role that sees it."""
    intent_rule: ClassVar[IntentRule | None] = None
    """The typed words that ask for it ("change my e-mail"), and how."""
    help_text: ClassVar[str] = ""
    changes_things: ClassVar[bool] = False  # leaving it early says "nothing was changed"
    holds_conversation: ClassVar[bool] = False
    """True: every typed text goes to the flow as it is (keywords and typed requests do
    not apply) and only its own choices may be pressed; talking to a person is one."""
    held_press_text: ClassVar[str] = ""
    """With ``holds_conversation``: what a standing button pressed meanwhile (an alert's
    "See usage") answers, with the step's buttons; empty: the menu has expired."""
    expires: ClassVar[bool] = True  # False: it stays open however long the user is away
    reaches_people: ClassVar[bool] = False
    """True for the flow that puts the user in touch with a person (``flows.person``):
    offered where the bot gives up, and open to a closed account's members."""
    commits: ClassVar[Mapping[str, str]] = {}
    """Events that write stored data, each with what it does ("close the account").

    Their choices count only when pressed: a button, or in the terminal the
    option's number or complete label. Typed words never trigger them, however
    close to the label (typo-tolerant matching is for navigation only).
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Only a class that names itself is a flow; a shared base between flows is not.
        if "flow_name" in vars(cls):
            FLOWS.record(cls)

    def __init__(self, ctx: FlowContext, state: str) -> None:
        self.ctx = ctx
        self.flow_model = FlowModel(state)
        super().__init__(model=self.flow_model)

    @classmethod
    def initial_state_id(cls) -> str:
        return next(str(s.id) for s in cls.states if s.initial)

    @classmethod
    def state_ids(cls) -> set[str]:
        return {s.id for s in cls.states}

    @classmethod
    def refusal(cls, ctx: FlowContext) -> str | None:
        """Why this user may not use this flow right now, or None. Checked on every event."""
        return None

    @classmethod
    async def entry(cls, ctx: FlowContext, args: dict[str, Any]) -> str:
        """Prepare ``ctx.data`` for a new flow and name the state it starts in.

        ``args`` come from a typed request ("change my e-mail" -> field=contact_email).
        """
        return cls.initial_state_id()

    async def activate(self) -> None:
        """Enter the stored state (python-statemachine runs sync machines eagerly)."""
        result = self.activate_initial_state()
        if inspect.isawaitable(result):
            await result

    async def fire(self, event: str, **kwargs: Any) -> None:
        """Send ``event``; works whether or not this machine has async callbacks."""
        result = self.send(event, **kwargs)
        if inspect.isawaitable(result):
            await result

    @property
    def state_id(self) -> str:
        return str(self.flow_model.state)

    @property
    def finished(self) -> bool:
        return bool(self.is_terminated)

    def accepts(self, event: str) -> bool:
        """True when ``event`` leads somewhere from the current state."""
        return any(e.id == event for e in self.allowed_events)

    async def render(self) -> None:
        """Show the current step again (after an event, a stale press or ``help``)."""
        renderer = getattr(self, f"render_{self.state_id}", None)
        if renderer is not None:
            await renderer()


__all__ = ["FlowMachine", "FlowModel", "State"]
