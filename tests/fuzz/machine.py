"""The Hypothesis state machine: five people typing and pressing, time passing.

Each example gets a fresh :class:`~tests.fuzz.world.World` (its own demo database and
bot) on its own event loop; every rule is one user action (or the clock moving), run
to completion through the real dispatcher, then every invariant is checked. A broken
invariant fails the step with what broke and the steps that led there.

The rules:

- ``type_text``: anything a person might type (see :mod:`tests.fuzz.strategies`).
- ``press_current``: a button of the chat's newest menu; most often the one that leads
  deeper (the final close, Save), so those steps are reached in most examples.
- ``advance``: one step along the way to closing the account or saving a detail,
  typing what that step asks for (the account name, a valid value) when it asks.
- ``press_old``: a button the chat was shown at any time before.
- ``press_forged``: callback data no menu handed out (or a copy of the current one).
- ``wait``: the clock moves on (across the 3-minute close window, the 10-minute timeout).
- ``relink``: a chat is linked again after someone typed ``/logout`` (only then).
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from flows.fields import FIELDS, FIELDS_BY_NAME
from flows.validation import InvalidValue, ValidationContext
from tests.fuzz.invariants import Facts, violations
from tests.fuzz.stats import Stats
from tests.fuzz.strategies import (
    Forged,
    FromScreen,
    Goal,
    Long,
    TypedText,
    advancing_users,
    button_picks,
    forged_data,
    goals,
    mangled,
    typed_texts,
    users,
    wait_seconds,
)
from tests.fuzz.world import CLOSE_LABEL, EMAILS, Step, World

# Buttons that lead deeper, most wanted first: the final close and Save above all.
PROGRESS = ("permanently", "Continue to close", "Save", "Review changes", "Close account",
            "Edit details")
# Valid new values per editable detail, three each so one differs from what is stored.
NEW_VALUES: dict[str, tuple[str, ...]] = {
    "name": ("Acme Trading Europe", "Northwind Traders", "Initech Payments"),
    "legal_name": ("Acme Trading Europe Limited", "Northwind Traders LLC", "Initech AG"),
    "registration_number": ("12345678", "HRB 999 B", "SC123456"),
    "address": ("1 High Street, London EC1A 1AA", "Unter den Linden 1, 10117 Berlin",
                "5 Rue de Rivoli, 75001 Paris"),
    "contact_name": ("Mx Test Person", "Olivia Owner", "José Álvarez"),
    "contact_email": ("billing@example.com", "accounts@acme.example", "fin@initech.example"),
    "contact_phone": ("+44 20 7946 0018", "+1 217 555 0134", "+49 30 901820"),
    "country": ("Germany", "FR", "uk"),
    "timezone": ("Europe/Paris", "America/New_York", "asia/tokyo"),
    "billing_currency": ("EUR", "GBP", "USD"),
}
FIELD_BY_LABEL = {f.label: f.name for f in FIELDS}


class ChatbotFuzz(RuleBasedStateMachine):
    """Five demo users on one bot; see the module docstring for the rules."""

    stats: ClassVar[Stats] = Stats()

    def __init__(self) -> None:
        super().__init__()
        self._loop = asyncio.Runner()
        self.world = self._loop.run(World.open())
        assert self.world.initial is not None
        self.facts = Facts(self.world.members, self.world.initial)
        self.stats.examples += 1
        for email in EMAILS:  # every chat starts at its menu, so presses have a target
            self._do(Step("setup", "setup", email=email, text="/start"))

    def teardown(self) -> None:
        self._loop.run(self.world.close())
        self._loop.close()

    # -- rules ----------------------------------------------------------------------
    @rule(user=users(), text=typed_texts())
    def type_text(self, user: str, text: TypedText) -> None:
        self._do(self.world.typing(user, self._render(user, text), "type_text"))

    @rule(user=users(), pick=button_picks())
    def press_current(self, user: str, pick: int | None) -> None:
        buttons = self.world.buttons(user)
        menu = self.world.menu(user)
        if menu is None or not buttons:
            self._do(self.world.typing(user, "menu", "press_current (no menu)"))
            return
        if pick is None:
            _, data = _progress(buttons)
        else:
            _, data = buttons[pick % len(buttons)]
        self._do(self.world.pressing(user, menu.message_id, data, "press_current"))

    @rule(user=advancing_users(), goal=goals(), variant=st.integers(0, 20))
    def advance(self, user: str, goal: Goal, variant: int) -> None:
        self._do(self._next_step(user, goal, variant))

    # Hypothesis picks evenly among the rules an example enables (and enables a random
    # subset per example), while a closure needs several advances of one user in a
    # row: these copies give advancing, pressing and typing a larger share of steps.
    @rule(user=advancing_users(), goal=goals(), variant=st.integers(0, 20))
    def advance_again(self, user: str, goal: Goal, variant: int) -> None:
        self.advance(user, goal, variant)

    @rule(user=advancing_users(), goal=goals(), variant=st.integers(0, 20))
    def advance_once_more(self, user: str, goal: Goal, variant: int) -> None:
        self.advance(user, goal, variant)

    @rule(user=users(), pick=button_picks())
    def press_current_again(self, user: str, pick: int | None) -> None:
        self.press_current(user, pick)

    @rule(user=users(), text=typed_texts())
    def type_text_again(self, user: str, text: TypedText) -> None:
        self.type_text(user, text)

    @rule(user=users(), pick=st.integers(0, 10_000))
    def press_old(self, user: str, pick: int) -> None:
        seen = self.world.seen[self.world.member(user).chat_id]
        if not seen:
            self._do(self.world.typing(user, "menu", "press_old (nothing seen)"))
            return
        message_id, data, _ = seen[pick % len(seen)]
        self._do(self.world.pressing(user, message_id, data, "press_old"))

    @rule(user=users(), forged=forged_data())
    def press_forged(self, user: str, forged: Forged) -> None:
        client = self.world.clients[user]
        messages = client.bot_messages
        if not messages:
            self._do(self.world.typing(user, "menu", "press_forged (no message)"))
            return
        others = [self.world.token(e) for e in EMAILS if e != user]
        seen = self.world.seen[client.chat_id]
        older = seen[0][1].split(":")[1] if seen and seen[0][1].count(":") == 2 else None
        data = forged.resolve(self.world.token(user), next(filter(None, others), None), older)
        self._do(self.world.pressing(user, messages[-1].message_id, data, "press_forged"))

    @rule(seconds=wait_seconds())
    def wait(self, seconds: int) -> None:
        self._do(Step("wait", "wait", seconds=seconds))

    @precondition(lambda self: bool(self.world.unlinked()))
    @rule(pick=st.integers(0, 4))
    def relink(self, pick: int) -> None:
        unlinked = self.world.unlinked()
        self._do(Step("relink", "relink", email=unlinked[pick % len(unlinked)]))

    # -- helpers --------------------------------------------------------------------
    def _do(self, step: Step) -> None:
        result = self._loop.run(self.world.run(step))
        chat = self.world.member(step.email).chat_id if step.email else None
        self.stats.record(result, chat)
        problems = violations(result, self.facts)
        if problems:
            if self.stats.first_violation_at is None:
                self.stats.first_violation_at = self.stats.steps
            error = problems[0][0]
            raise error(
                "\n".join([f"{error.__name__} after this step:", f"  {step.describe()}",
                           *(f"  - {problem}" for _, problem in problems), "",
                           "the last steps (what the acting chat was sent under each):",
                           *self.world.history])
            )

    def _render(self, user: str, text: TypedText) -> str:
        if isinstance(text, Long):
            return text.render()
        if isinstance(text, FromScreen):
            labels = [label for label, _ in self.world.buttons(user)]
            return text.resolve(labels, self.world.account_name(user),
                                self.world.other_account_names(user))
        return text

    def _next_step(self, user: str, goal: Goal, variant: int) -> Step:
        """The action that brings ``user`` one step closer to closing or saving."""
        world = self.world
        flow, state = world.state(user)
        buttons = world.buttons(user)
        menu = world.menu(user)

        def press(*wanted: str) -> Step | None:
            for want in wanted:
                for label, data in buttons:
                    if want in label and menu is not None:
                        return world.pressing(user, menu.message_id, data, "advance")
            return None

        def typing(text: str) -> Step:
            return world.typing(user, text, "advance")

        step: Step | None = None
        if flow is None:
            step = press("Close account" if goal == "close" else "Edit details")
            if step is None and menu is not None and "❓ Help" in [b for b, _ in buttons]:
                # A member who lacks the option asks in words, and should be refused.
                return typing("close my account" if goal == "close" else "change my email")
        elif (flow, state) == ("close", "warning"):
            step = press("Continue to close")
        elif (flow, state) == ("close", "naming"):
            # Case and spacing may differ; now and then a typo, which must not match.
            name = world.account_name(user)
            return typing(mangled(name, variant % 4 if variant < 18 else 5, variant))
        elif (flow, state) == ("close", "confirming"):
            step = next((world.pressing(user, menu.message_id, data, "advance")
                         for label, data in buttons if CLOSE_LABEL.match(label)
                         and menu is not None), None)
        elif (flow, state) == ("edit", "choosing"):
            fields = [(label, data) for label, data in buttons
                      if "pick." in data and not label.startswith("🔒")]
            if goal == "save" or not fields:
                step = press("Review changes")
            if step is None and fields and menu is not None:
                _, data = fields[variant % len(fields)]
                step = world.pressing(user, menu.message_id, data, "advance")
        elif (flow, state) == ("edit", "entering"):
            return typing(self._new_value(user, variant))
        elif (flow, state) == ("edit", "reviewing"):
            step = press("Change another") if variant % 6 == 5 else press("Save")
        elif (flow, state) == ("edit", "conflict"):
            step = press("Save my changes")
        return step or typing("menu")

    def _new_value(self, user: str, variant: int) -> str:
        """A valid value, different from the stored one, for the field being entered."""
        menu = self.world.menu(user)
        # The entering screen names the field on a line of its own, after any notes.
        lines = reversed(menu.text.splitlines()) if menu is not None else iter(())
        name = next((FIELD_BY_LABEL[line] for line in lines if line in FIELD_BY_LABEL), None)
        if name is None:
            return "menu"
        assert self.world.snapshot is not None
        account = self.world.snapshot.accounts[self.world.member(user).account_id]
        context = ValidationContext(country=account.details.get("country"))
        candidates = NEW_VALUES[name]
        for offset in range(len(candidates)):
            value = candidates[(variant + offset) % len(candidates)]
            try:
                if FIELDS_BY_NAME[name].validate(value, context) != account.details[name]:
                    return value
            except InvalidValue:
                continue
        return candidates[0]


def _progress(buttons: list[tuple[str, str]]) -> tuple[str, str]:
    """The button that leads deepest (see PROGRESS), else the first."""
    for want in PROGRESS:
        for label, data in buttons:
            if want in label:
                return label, data
    return buttons[0]
