"""Carrying out a routed action: restore the flow's machine, fire, render, close the record.

The engine makes an :class:`ActionRunner` per update, inside the update's
transaction, with the conversation record loaded and a :class:`FlowContext`
for the user. :mod:`flows.routing` decides what the user's action means; this
module makes it happen and, at the end, hands out the menu token of the screen
it showed.
"""

from __future__ import annotations

import logging
from typing import Any, assert_never

from statemachine.exceptions import TransitionNotAllowed

from flows import person, trail
from flows.base import FlowMachine
from flows.context import FlowContext
from flows.i18n import N_, _, switch_language
from flows.menu import show_menu
from flows.observing import FlowEvent, FlowEventKind
from flows.registry import FLOWS
from flows.routing import (
    Action,
    Cancel,
    Fire,
    FlowChoice,
    ForStep,
    GoToMenu,
    Help,
    LeaveFlow,
    MustPress,
    NotHere,
    NotUnderstood,
    Screen,
    ShowMenu,
    Stale,
    StartFlow,
    Step,
    SwitchFlow,
    in_step,
    route,
    route_typed,
)
from flows.tokens import STANDING_MENU, decode, encode, new_menu_token
from flows.types import Choice, ConversationRecord, Inbound, Reply
from flows.wording import GLOBAL_HELP

log = logging.getLogger(__name__)

EXPIRED = N_(
    "⏱ You were away for more than {minutes} minutes, so I stopped what we were doing. "
    "Nothing was changed."
)
RESUMED = N_("Welcome back. We were in the middle of this; here is where we left off.")
STALE = N_("That menu has expired, so I did not act on it. Here is the current one.")
LOST = N_("Sorry, I lost track of where we were (the bot was updated). Nothing was changed.")
NOT_HERE = N_("That option is not available at this step. Please choose one below.")
NOT_UNDERSTOOD = N_("Sorry, I didn't understand “{text}”. Please choose an option, or type help.")
PRESS_TO_COMMIT = N_("Typing doesn't {what}: press “{label}” below, or type cancel to stop.")
NOTHING_CHANGED = N_("Nothing was changed.")
CANCELLED = N_("Cancelled. Nothing was changed.")
NOTHING_TO_CANCEL = N_("Nothing to cancel.")


class ActionRunner:
    """One update's work on one conversation: the record, the flow's context, the replies."""

    def __init__(self, record: ConversationRecord, ctx: FlowContext) -> None:
        self.record = record
        self.ctx = ctx
        self._same_menu = False  # True when this update re-offers the menu already on screen
        self.flow_events: list[FlowEvent] = []  # flows started and ended, for the observer

    async def handle(self, inbound: Inbound) -> None:
        """Route what the user did and carry it out; a flow left idle too long ends first."""
        flow = FLOWS.get(self.record.flow or "")
        held = flow is not None and flow.holds_conversation
        self.ctx.trail = trail.note(self.record, inbound, held=held)
        if self._expire():
            return
        standing = _standing_action(inbound)
        if held and flow is not None and standing is not None:
            if standing == f"start.{flow.flow_name}":  # asking for this very flow again
                await self._render_current()
                return
            if flow.held_press_text:  # an alert's button meanwhile: the talk goes on, and says so
                await self._reoffer(_(flow.held_press_text))
                return
        if held:
            action = self._held(inbound)
        else:
            action = route(inbound, self._screen(), in_flow=self.record.flow is not None)
        misunderstood = person.misunderstandings(self.record)
        await self.run(action)
        if person.misunderstandings(self.record) == misunderstood:  # this one was understood
            person.understood(self.record)

    def _held(self, inbound: Inbound) -> Action:
        """What the user's action means in a flow that holds the conversation: typed text
        is the flow's whatever it says; a press counts only as one of the flow's own
        choices on the current screen, anything else (an old menu, a standing button)
        is stale and leaves the flow as it is."""
        if inbound.text is not None:
            return ForStep(inbound.text)
        action = route(inbound, self._screen(), in_flow=True)
        return action if isinstance(action, FlowChoice) else Stale()

    async def resume(self) -> None:
        """Show where the conversation is: the open flow's step, else the menu."""
        if self._expire():
            return
        if self.record.flow is None:
            show_menu(self.ctx)
            return
        self.ctx.note(_(RESUMED))
        await self._render_current()

    async def run(self, action: Action) -> None:
        """Carry out ``action``; those that depend on the flow's step restore it first."""
        ctx = self.ctx
        match action:
            case Stale():
                ctx.note(_(STALE))
                await self._render_current()
            case GoToMenu():
                flow = FLOWS.get(self.record.flow or "")
                if flow is not None and flow.changes_things:
                    ctx.note(_(NOTHING_CHANGED))
                if self.record.flow is not None:
                    self._end_flow()
                show_menu(ctx)
            case Cancel():
                ctx.note(_(CANCELLED) if self.record.flow else _(NOTHING_TO_CANCEL))
                self._end_flow()
                show_menu(ctx, greet=False)
            case Help():
                flow = FLOWS.get(self.record.flow or "")
                own = _(flow.help_text) if flow and flow.help_text else ""
                await self._reoffer("\n\n".join(filter(None, [own, _(GLOBAL_HELP)])))
            case ShowMenu():
                show_menu(ctx, greet=False)
            case StartFlow(flow=name, args=args):
                open_flow = FLOWS.get(self.record.flow or "")
                if open_flow is not None and open_flow.changes_things:  # a standing button
                    ctx.note(_(NOTHING_CHANGED))
                self._end_flow()
                await self._start(name, dict(args))
            case SwitchFlow(flow=name, args=args, nothing_changed=nothing_changed):
                if nothing_changed:
                    ctx.note(_(NOTHING_CHANGED))
                self._end_flow()
                await self._start(name, dict(args))
            case LeaveFlow(nothing_changed=nothing_changed):
                if nothing_changed:
                    ctx.note(_(NOTHING_CHANGED))
                self._end_flow()
                show_menu(ctx, greet=False)
            case MustPress(label=label, what=what):
                # A step that writes stays put whatever is typed: one line, the same buttons.
                hint = _(PRESS_TO_COMMIT).format(what=_(what), label=label)
                ctx.screen(hint, list(self._screen().choices))
                self._same_menu = True
            case NotUnderstood(text=text):  # at the menu; inside a flow see _on_step
                ctx.note(_(NOT_UNDERSTOOD).format(text=text[:60]))
                person.misunderstood(self.record, ctx)  # the menu offers a person already
                show_menu(ctx, greet=False)
            case FlowChoice():
                machine = self._restore()
                if machine is not None:
                    await self._on_step(in_step(action, step_of(machine)), machine)
            case ForStep(text=text):
                machine = self._restore()
                if machine is not None:
                    meaning = route_typed(text, self._screen(), step_of(machine))
                    await self._on_step(meaning, machine)
            case Fire() | NotHere():
                machine = self._restore()
                if machine is not None:
                    await self._on_step(action, machine)
            case _:
                assert_never(action)

    async def _on_step(self, action: Action, machine: FlowMachine) -> None:
        """Carry out ``action`` on the restored ``machine`` of the open flow."""
        match action:
            case Fire(event=event):
                await self._send(machine, event, action.kwargs())
            case NotHere():
                await self._reoffer(_(NOT_HERE))
            case NotUnderstood(text=text):
                self.ctx.note(_(NOT_UNDERSTOOD).format(text=text[:60]))
                stuck = person.misunderstood(self.record, self.ctx)  # may note an offer
                said = "\n\n".join(self.ctx.notes)
                self.ctx.notes.clear()
                await self._reoffer(said)
                if stuck:
                    person.offer(self.ctx)
            case _:  # leaving, switching, keywords: the step plays no part
                await self.run(action)

    # -- flows --------------------------------------------------------------------
    def _expire(self) -> bool:
        """End a flow left idle too long, say so and show the menu; True if it did."""
        record = self.record
        if not (
            record.flow
            and record.expires_at is not None
            and self.ctx.now.timestamp() > record.expires_at
        ):
            return False
        self._end_flow("expired")
        minutes = max(1, self.ctx.settings.flow_timeout_seconds // 60)
        self.ctx.note(_(EXPIRED).format(minutes=minutes))
        show_menu(self.ctx, greet=False)
        return True

    async def _start(self, name: str, args: dict[str, Any]) -> None:
        flow = FLOWS.get(name)
        if flow is None:
            show_menu(self.ctx, greet=False)
            return
        refusal = flow.refusal(self.ctx)
        if refusal is not None:
            trail.refused(self.record, name)  # for a person taking over: what was refused
            self.ctx.note(refusal)
            show_menu(self.ctx, greet=False)
            return
        self.record.flow = name
        self.ctx.data.clear()
        state = await flow.entry(self.ctx, args)
        machine = flow(self.ctx, state)
        await machine.activate()
        self.record.state = machine.state_id
        self.flow_events.append(FlowEvent(name, "started", machine.state_id))
        await machine.render()

    def _restore(self) -> FlowMachine | None:
        """The current flow's machine in its stored state, or None after a reset."""
        flow = FLOWS.get(self.record.flow or "")
        if flow is None or self.record.state not in flow.state_ids():
            log.warning(
                "reset %s: unknown flow/state %s/%s",
                self.record.key,
                self.record.flow,
                self.record.state,
            )
            self._end_flow()
            self.ctx.note(_(LOST))
            show_menu(self.ctx, greet=False)
            return None
        refusal = flow.refusal(self.ctx)
        if refusal is not None:
            self._end_flow()
            self.ctx.note(refusal)
            show_menu(self.ctx, greet=False)
            return None
        return flow(self.ctx, str(self.record.state))

    async def _send(self, machine: FlowMachine, event: str, kwargs: dict[str, str]) -> None:
        await machine.activate()
        try:
            await machine.fire(event, **kwargs)
            if self.ctx.language is not None:  # chosen just now: the rest of the turn says it
                switch_language(self.ctx.language)
        except TransitionNotAllowed:
            # Every guard said no and no fallback exists (a forged "review" with nothing
            # to review): the machine did not move; say so and offer the step's buttons.
            await self._reoffer(_(NOT_HERE))
            return
        if self.ctx.switch_to is not None:
            name, args = self.ctx.switch_to
            self.ctx.switch_to = None
            self._end_flow()
            await self._start(name, args)
        elif machine.finished:
            self._end_flow("finished", machine.state_id)
            if self.ctx.menu_after:
                show_menu(self.ctx, greet=False)
            else:
                self.ctx.flush_notes()
        else:
            self.record.state = machine.state_id
            await machine.render()

    async def _reoffer(self, text: str) -> None:
        """Say ``text`` with the buttons already on screen (same token, so those keep
        working) instead of sending the whole screen again: a phone shows the short
        answer, and the step's text is still just above it. With no buttons on record
        (at the menu), the current screen is shown after it."""
        choices = list(self._screen().choices)
        if self.record.flow is None or not choices:
            self.ctx.note(text)
            await self._render_current()
            return
        self.ctx.screen(text, choices)
        self._same_menu = True

    async def _render_current(self) -> None:
        if self.record.flow is None:
            show_menu(self.ctx, greet=False)
            return
        machine = self._restore()
        if machine is not None:
            await machine.activate()
            await machine.render()

    def _end_flow(self, how: FlowEventKind = "left", state: str | None = None) -> None:
        """Back to the menu; an open flow's end is noted as ``how`` (in ``state``)."""
        if self.record.flow is not None:
            self.flow_events.append(FlowEvent(self.record.flow, how, state or self.record.state))
        self.record.flow = None
        self.record.state = None
        self.ctx.data.clear()

    def _screen(self) -> Screen:
        stored = self.record.data.get("choices") or []
        choices = tuple((str(label), str(action)) for label, action in stored)
        return Screen(menu_token=self.record.menu_token, choices=choices)

    # -- closing the update -----------------------------------------------------------
    def finish(self) -> list[Reply]:
        """Hand out a fresh menu token, remember the live choices, set the expiry."""
        self.ctx.flush_notes()
        replies = self.ctx.replies
        record = self.record
        with_choices = [reply for reply in replies if reply.choices]
        if not replies:
            pass  # nothing was said (a message relayed to a person): the screen stays as it is
        elif with_choices:
            # Re-offering the same menu keeps its token, so the buttons on screen still work.
            token = (record.menu_token if self._same_menu else None) or new_menu_token()
            record.menu_token = token
            record.data["choices"] = [[c.label, c.token] for c in with_choices[-1].choices]
            for reply in with_choices:
                reply.choices = [Choice(c.label, encode(token, c.token)) for c in reply.choices]
        else:
            record.menu_token = None
            record.data["choices"] = []
        timeout = self.ctx.settings.flow_timeout_seconds
        flow = FLOWS.get(record.flow or "")
        expires = flow is not None and flow.expires
        record.expires_at = self.ctx.now.timestamp() + timeout if expires else None
        record.updated_at = self.ctx.now.timestamp()
        return replies


def _standing_action(inbound: Inbound) -> str | None:
    """The action of a pressed standing choice (a notice's button, see ``flows.tokens``)."""
    pressed = decode(inbound.token) if inbound.token is not None else None
    return pressed.action if pressed is not None and pressed.menu == STANDING_MENU else None


def step_of(machine: FlowMachine) -> Step:
    """What routing needs to know about the step ``machine`` is in."""
    return Step(
        flow=machine.flow_name,
        accepts=frozenset(event.id for event in machine.allowed_events),
        commits=machine.commits,
        changes_things=machine.changes_things,
    )
