"""One update being handled: keywords, stale buttons, menus and the flow's machine.

The engine makes a :class:`Turn` per inbound event, inside the update's
transaction, with the conversation record and the user already loaded.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from statemachine.exceptions import TransitionNotAllowed

from flows.base import FlowMachine
from flows.context import FlowContext
from flows.intents import recognise
from flows.matching import match_label
from flows.menu import show_menu
from flows.ports import AccountStore, UserContext
from flows.registry import FLOWS
from flows.types import Choice, ConversationRecord, Inbound, Reply
from flows.wording import GLOBAL_HELP

if TYPE_CHECKING:
    from flows.engine import Engine

log = logging.getLogger(__name__)

KEYWORDS: dict[str, str] = {
    **dict.fromkeys(("menu", "/menu", "/start", "main menu", "home"), "menu"),
    **dict.fromkeys(("back", "/back"), "back"),
    **dict.fromkeys(("cancel", "/cancel", "stop", "quit", "exit"), "cancel"),
    **dict.fromkeys(("help", "/help", "?"), "help"),
}

EXPIRED = (
    "⏱ You were away for more than {minutes} minutes, so I stopped what we were doing. "
    "Nothing was changed."
)
RESUMED = "Welcome back. We were in the middle of this; here is where we left off."
STALE = "That menu has expired, so I did not act on it. Here is the current one."
LOST = "Sorry, I lost track of where we were (the bot was updated). Nothing was changed."
NOT_HERE = "That option is not available at this step. Please choose one below."
NOT_UNDERSTOOD = "Sorry, I didn't understand “{text}”. Please choose an option, or type help."
PRESS_TO_COMMIT = "Typing doesn't {what}: press “{label}” below, or type cancel to stop."


class Turn:
    """One update being handled: the record, the user, and the replies gathered so far."""

    def __init__(
        self,
        engine: Engine,
        store: AccountStore,
        user: UserContext,
        record: ConversationRecord,
        now: datetime,
        channel: str,
    ) -> None:
        self.engine = engine
        self.record = record
        self.now = now
        self.ctx = FlowContext(
            store=store,
            user=user,
            data=record.data.setdefault("flow", {}),
            now=now,
            channel=channel,
            settings=engine.settings,
            charts=engine.charts.get(channel),
        )
        self._same_menu = False  # True when this turn re-offers the menu already on screen

    # -- routing ----------------------------------------------------------------
    async def route(self, inbound: Inbound) -> None:
        """Decide what the user's action means and act on it."""
        record = self.record
        if self._expire():
            return
        if inbound.token is not None:
            menu_token, _, action = inbound.token.partition(":")
            if not record.menu_token or menu_token != record.menu_token or not action:
                self.ctx.note(STALE)
                await self._render_current()
                return
            await self._act(action)
            return
        text = (inbound.text or "").strip()
        keyword = KEYWORDS.get(" ".join(text.casefold().split()))
        if keyword is not None:
            await self._act(keyword)
        elif record.flow is None:
            await self._menu_text(text)
        else:
            await self._flow_text(text)

    async def resume(self) -> None:
        """Show where the conversation is: the open flow's step, else the menu."""
        if self._expire():
            return
        if self.record.flow is None:
            show_menu(self.ctx)
            return
        self.ctx.note(RESUMED)
        await self._render_current()

    def _expire(self) -> bool:
        """End a flow left idle too long, say so and show the menu; True if it did."""
        record = self.record
        if not (
            record.flow
            and record.expires_at is not None
            and self.now.timestamp() > record.expires_at
        ):
            return False
        self._end_flow()
        minutes = max(1, self.engine.settings.flow_timeout_seconds // 60)
        self.ctx.note(EXPIRED.format(minutes=minutes))
        show_menu(self.ctx, greet=False)
        return True

    async def _menu_text(self, text: str) -> None:
        action = match_label(text, self._choices())
        if action is not None:
            await self._act(action)
            return
        intent = recognise(text)
        if intent is not None:
            await self._start(intent.flow, intent.args)
            return
        self.ctx.note(NOT_UNDERSTOOD.format(text=text[:60]))
        show_menu(self.ctx, greet=False)

    async def _flow_text(self, text: str) -> None:
        machine = self._restore()
        if machine is None:
            return
        choices = self._choices()
        # Typed words may name a navigation choice (typos forgiven), never one that writes.
        committing = [(label, act) for label, act in choices if _event(act) in machine.commits]
        navigation = [choice for choice in choices if choice not in committing]
        action = match_label(text, navigation, exact=machine.accepts("text"))
        if action is not None:
            await self._act(action)
        elif machine.accepts("text"):
            await self._send(machine, "text", value=text)
        elif committing:
            # A step that writes stays put whatever is typed: one line, the same buttons.
            label, act = committing[0]
            hint = PRESS_TO_COMMIT.format(what=machine.commits[_event(act)], label=label)
            self.ctx.screen(hint, choices)
            self._same_menu = True
        else:
            intent = recognise(text)
            field = intent.args.get("field") if intent is not None else None
            if intent is not None and intent.flow != self.record.flow:
                if machine.changes_things:  # e.g. "show my usage" half-way through an edit
                    self.ctx.note("Nothing was changed.")
                self._end_flow()
                await self._start(intent.flow, intent.args)
                return
            if field and machine.accepts("pick"):  # "change my phone" while picking a field
                await self._send(machine, "pick", arg=field)
                return
            self.ctx.note(NOT_UNDERSTOOD.format(text=text[:60]))
            await machine.render()

    async def _act(self, action: str) -> None:
        if action == "menu":
            flow = FLOWS.get(self.record.flow or "")
            if flow is not None and flow.changes_things:
                self.ctx.note("Nothing was changed.")
            if self.record.flow is not None:
                self._end_flow()
            show_menu(self.ctx)
        elif action == "cancel":
            self.ctx.note(
                "Cancelled. Nothing was changed." if self.record.flow else "Nothing to cancel."
            )
            self._end_flow()
            show_menu(self.ctx, greet=False)
        elif action == "help":
            flow = FLOWS.get(self.record.flow or "")
            self.ctx.note("\n\n".join(filter(None, [flow.help_text if flow else "", GLOBAL_HELP])))
            await self._render_current()
        elif action.startswith("start."):
            self._end_flow()
            await self._start(action.removeprefix("start."), {})
        elif self.record.flow is None:
            # "back" at the menu, or a flow action after the flow ended.
            show_menu(self.ctx, greet=False)
        else:
            machine = self._restore()
            if machine is None:
                return
            event, _, arg = action.partition(".")
            if event == "back" and not machine.accepts("back"):
                if machine.changes_things:  # leaving the flow: say nothing was kept
                    self.ctx.note("Nothing was changed.")
                self._end_flow()
                show_menu(self.ctx, greet=False)
            elif machine.accepts(event):
                await self._send(machine, event, arg=arg)
            else:
                self.ctx.note(NOT_HERE)
                await machine.render()

    # -- flows --------------------------------------------------------------------
    async def _start(self, name: str, args: dict[str, Any]) -> None:
        flow = FLOWS.get(name)
        if flow is None:
            show_menu(self.ctx, greet=False)
            return
        refusal = flow.refusal(self.ctx)
        if refusal is not None:
            self.ctx.note(refusal)
            show_menu(self.ctx, greet=False)
            return
        self.record.flow = name
        self.ctx.data.clear()
        state = await flow.entry(self.ctx, args)
        machine = flow(self.ctx, state)
        await machine.activate()
        self.record.state = machine.state_id
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
            self.ctx.note(LOST)
            show_menu(self.ctx, greet=False)
            return None
        refusal = flow.refusal(self.ctx)
        if refusal is not None:
            self._end_flow()
            self.ctx.note(refusal)
            show_menu(self.ctx, greet=False)
            return None
        return flow(self.ctx, str(self.record.state))

    async def _send(self, machine: FlowMachine, event: str, **kwargs: Any) -> None:
        await machine.activate()
        try:
            await machine.fire(event, **kwargs)
        except TransitionNotAllowed:
            # Every guard said no and no fallback exists (a forged "review" with nothing
            # to review): the machine did not move; say so and show the step again.
            self.ctx.note(NOT_HERE)
            await machine.render()
            return
        if self.ctx.switch_to is not None:
            name, args = self.ctx.switch_to
            self.ctx.switch_to = None
            self._end_flow()
            await self._start(name, args)
        elif machine.finished:
            self._end_flow()
            if self.ctx.menu_after:
                show_menu(self.ctx, greet=False)
            else:
                self.ctx.flush_notes()
        else:
            self.record.state = machine.state_id
            await machine.render()

    async def _render_current(self) -> None:
        if self.record.flow is None:
            show_menu(self.ctx, greet=False)
            return
        machine = self._restore()
        if machine is not None:
            await machine.activate()
            await machine.render()

    def _end_flow(self) -> None:
        self.record.flow = None
        self.record.state = None
        self.ctx.data.clear()

    def _choices(self) -> list[tuple[str, str]]:
        stored = self.record.data.get("choices") or []
        return [(str(label), str(action)) for label, action in stored]

    # -- closing the turn -----------------------------------------------------------
    def finish(self) -> list[Reply]:
        """Hand out a fresh menu token, remember the live choices, set the expiry."""
        self.ctx.flush_notes()
        replies = self.ctx.replies
        record = self.record
        with_choices = [reply for reply in replies if reply.choices]
        if with_choices:
            # Re-offering the same menu keeps its token, so the buttons on screen still work.
            token = record.menu_token if self._same_menu else None
            token = token or secrets.token_urlsafe(6)[:8].replace(":", "_")
            record.menu_token = token
            record.data["choices"] = [[c.label, c.token] for c in with_choices[-1].choices]
            for reply in with_choices:
                reply.choices = [Choice(c.label, f"{token}:{c.token}") for c in reply.choices]
        else:
            record.menu_token = None
            record.data["choices"] = []
        timeout = self.engine.settings.flow_timeout_seconds
        record.expires_at = self.now.timestamp() + timeout if record.flow else None
        record.updated_at = self.now.timestamp()
        return replies


def _event(action: str) -> str:
    """The machine event an action sends (``pick.email`` -> ``pick``)."""
    return action.partition(".")[0]
