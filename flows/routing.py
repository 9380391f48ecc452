"""Routing: what the user's action means, decided before anything runs.

Pure functions, no I/O and no state machine: from what the user did, the screen
they were last shown (its menu token and choices) and, inside a flow, what the
flow's current step takes, to an :data:`Action` value. :mod:`flows.runner`
carries actions out (restores the flow's machine, fires, renders).

Routing takes two looks at typed text inside a flow: :func:`route` sees that a
flow is open and answers :class:`ForStep`; once the runner has restored the
step, :func:`route_typed` decides what the text means there. A pressed choice of
a flow (:class:`FlowChoice`) is checked against the step the same way, by
:func:`in_step`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flows.context import Option
from flows.i18n import fold
from flows.intents import recognise
from flows.matching import match_label
from flows.tokens import STANDING_MENU, decode
from flows.types import Inbound

KEYWORDS: dict[str, str] = {
    **dict.fromkeys(("menu", "/menu", "/start", "main menu", "home"), "menu"),
    **dict.fromkeys(("back", "/back"), "back"),
    **dict.fromkeys(("cancel", "/cancel", "stop", "quit", "exit"), "cancel"),
    **dict.fromkeys(("help", "/help", "?"), "help"),
    # Spanish, in every language (a Spanish speaker may not have switched yet), written
    # without accents: typed text is folded, so "menú" and "menu", "atrás" and "atras" match.
    **dict.fromkeys(("menu principal", "inicio"), "menu"),
    **dict.fromkeys(("atras", "volver"), "back"),
    **dict.fromkeys(("cancelar", "parar", "salir"), "cancel"),
    **dict.fromkeys(("ayuda",), "help"),
    # Reaching a person works from anywhere, like the keywords above (flows.handover).
    **dict.fromkeys(
        ("agent", "/agent", "human", "talk to someone", "talk to a person", "a person",
         "agente", "humano", "una persona", "hablar con una persona", "hablar con alguien"),
        "start.handover",
    ),
    # "end chat" ends a talk with a person (the handover flow reads it there); anywhere
    # else the person is already talking to the bot, so it goes back to the menu.
    **dict.fromkeys(("end chat", "terminar chat", "terminar el chat"), "menu"),
}
"""Typed words that win over any step, and the action each one takes (keys folded)."""


@dataclass(frozen=True, slots=True)
class Screen:
    """The choices the user was last offered, and the menu token they came with."""

    menu_token: str | None
    choices: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class Step:
    """What the open flow's current step takes, as routing needs to know it.

    ``accepts`` are the events that lead somewhere from this step, ``commits``
    those of the flow's events that write (see ``FlowMachine.commits``).
    """

    flow: str
    accepts: frozenset[str]
    commits: Mapping[str, str] = field(default_factory=dict)
    changes_things: bool = False


# -- actions: what the user's action means ------------------------------------------
@dataclass(frozen=True, slots=True)
class Stale:
    """A press of a menu that is no longer the current one (or was never ours)."""


@dataclass(frozen=True, slots=True)
class GoToMenu:
    """``menu``: leave any flow and greet the user with the main menu."""


@dataclass(frozen=True, slots=True)
class Cancel:
    """``cancel``: stop the open flow without saving anything."""


@dataclass(frozen=True, slots=True)
class Help:
    """``help``: explain the open flow and the keywords, then show the step again."""


@dataclass(frozen=True, slots=True)
class ShowMenu:
    """At the menu already: ``back`` there, or a flow's choice after that flow ended."""


@dataclass(frozen=True, slots=True)
class StartFlow:
    """Start ``flow`` (ending any open one): a menu option, or a request typed at the menu."""

    flow: str
    args: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SwitchFlow:
    """A request typed half-way through another flow ("show my usage" while editing)."""

    flow: str
    args: Mapping[str, str] = field(default_factory=dict)
    nothing_changed: bool = False  # the flow being left could have changed things: say not


@dataclass(frozen=True, slots=True)
class FlowChoice:
    """A choice of the open flow (``pick.email``), not yet checked against its step."""

    event: str
    arg: str = ""


@dataclass(frozen=True, slots=True)
class ForStep:
    """Text typed inside a flow: what it means depends on the step (:func:`route_typed`)."""

    text: str


@dataclass(frozen=True, slots=True)
class Fire:
    """Send ``event`` to the flow's machine with a choice's ``arg`` or the typed ``value``."""

    event: str
    arg: str | None = None
    value: str | None = None

    def kwargs(self) -> dict[str, str]:
        """The keyword arguments the machine's guards and actions receive."""
        given = {"arg": self.arg, "value": self.value}
        return {name: value for name, value in given.items() if value is not None}


@dataclass(frozen=True, slots=True)
class LeaveFlow:
    """``back`` from a flow's first step: leave the flow for the menu."""

    nothing_changed: bool = False


@dataclass(frozen=True, slots=True)
class NotHere:
    """A choice the current step does not take (an outdated or forged action)."""


@dataclass(frozen=True, slots=True)
class MustPress:
    """Typed text at a step whose choice writes: only a press confirms ``label``."""

    label: str
    what: str  # what pressing it does, "close the account"


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    """Typed text that means nothing where the user is."""

    text: str


Action = (
    Stale | GoToMenu | Cancel | Help | ShowMenu | StartFlow | SwitchFlow | FlowChoice | ForStep
    | Fire | LeaveFlow | NotHere | MustPress | NotUnderstood
)


# -- routing --------------------------------------------------------------------------
def route(inbound: Inbound, screen: Screen, *, in_flow: bool) -> Action:
    """What the user's press or typed text means, before any flow is looked at.

    A press counts only with the current menu's token. Keywords win over any step.
    At the menu, typed text may name a choice on screen (typos forgiven) or ask for
    a flow; inside a flow it is for the step to interpret (:class:`ForStep`).
    """
    if inbound.token is not None:
        pressed = decode(inbound.token)
        if pressed is not None and pressed.menu == STANDING_MENU:
            return _standing(pressed.action)
        if pressed is None or not screen.menu_token or pressed.menu != screen.menu_token:
            return Stale()
        return choice_meaning(pressed.action, in_flow=in_flow)
    text = (inbound.text or "").strip()
    keyword = KEYWORDS.get(" ".join(fold(text).split()))
    if keyword is not None:
        return choice_meaning(keyword, in_flow=in_flow)
    if in_flow:
        return ForStep(text)
    action = match_label(text, list(screen.choices))
    if action is not None:
        return choice_meaning(action, in_flow=False)
    intent = recognise(text)
    if intent is not None:
        return StartFlow(intent.flow, intent.args)
    return NotUnderstood(text)


def _standing(action: str) -> StartFlow | Stale:
    """A standing choice starts its flow from anywhere (the flow checks who may use it);
    any other action under the standing menu is forged."""
    if action.startswith("start.") and len(action) > len("start."):
        return StartFlow(action.removeprefix("start."))
    return Stale()


def route_typed(text: str, screen: Screen, step: Step) -> Action:
    """What text typed at ``step`` means.

    Typed words may name a navigation choice on screen (typos forgiven, or only
    exactly when the step takes text), never a choice that writes: at a step that
    writes, text the step does not take changes nothing (:class:`MustPress`).
    """
    committing = [(label, act) for label, act in screen.choices if event_of(act) in step.commits]
    navigation = [choice for choice in screen.choices if choice not in committing]
    takes_text = "text" in step.accepts
    action = match_label(text, navigation, exact=takes_text)
    if action is not None:
        meaning = choice_meaning(action, in_flow=True)
        return in_step(meaning, step) if isinstance(meaning, FlowChoice) else meaning
    if takes_text:
        return Fire("text", value=text)
    if committing:
        label, act = committing[0]
        return MustPress(label, step.commits[event_of(act)])
    intent = recognise(text)
    if intent is not None and intent.flow != step.flow:
        return SwitchFlow(intent.flow, intent.args, nothing_changed=step.changes_things)
    field_name = intent.args.get("field") if intent is not None else None
    if field_name and "pick" in step.accepts:  # "change my phone" while picking a field
        return Fire("pick", arg=field_name)
    return NotUnderstood(text)


def in_step(choice: FlowChoice, step: Step) -> Fire | LeaveFlow | NotHere:
    """What a flow's choice does at ``step``: fire it, leave the flow (``back`` from its
    first step), or nothing because the step does not take it."""
    if choice.event == "back" and "back" not in step.accepts:
        return LeaveFlow(nothing_changed=step.changes_things)
    if choice.event in step.accepts:
        return Fire(choice.event, arg=choice.arg)
    return NotHere()


def choice_meaning(action: str, *, in_flow: bool) -> Action:
    """What a choice's action (or a keyword's) means: global ones first, then the flow's."""
    if action == "menu":
        return GoToMenu()
    if action == "cancel":
        return Cancel()
    if action == "help":
        return Help()
    if action.startswith("start."):
        return StartFlow(action.removeprefix("start."))
    if not in_flow:
        return ShowMenu()
    event, _, arg = action.partition(".")
    return FlowChoice(event, arg)


def event_of(action: str) -> str:
    """The machine event an action sends (``pick.email`` -> ``pick``)."""
    return action.partition(".")[0]
