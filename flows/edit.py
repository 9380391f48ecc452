"""Edit details: pick fields, type new values, review old → new, then save or discard.

Nothing is stored before Save. Pending changes live in the conversation record,
so they survive a restart; the save itself is one transaction with an
optimistic version check, and a conflict keeps the user's changes for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from flows.base import FlowMachine, State
from flows.context import FlowContext, Option
from flows.fields import FIELDS, FIELDS_BY_NAME, is_locked
from flows.i18n import N_, _
from flows.intents import IntentRule, field_argument, words
from flows.menu import MenuEntry
from flows.ports import ACCOUNT_DETAILS, DETAILS_EDITING, AccountDetails, SaveOutcome, SaveResult
from flows.refusals import role_refusal
from flows.types import Role
from flows.validation import InvalidValue, ValidationContext
from flows.wording import at_most, closed_notice


class EditFlow(FlowMachine):
    """Owner and admin only; every event re-checks the role, and so does the save."""

    flow_name = "edit"
    menu_entry = MenuEntry(N_("✏️ Edit details"), position=20, least_role=Role.ADMIN)
    intent_rule = IntentRule(
        precedence=30,  # "change my plan" is an edit: the verb outweighs the subject
        all_of=(
            words(
                "change edit update modify set correct fix"
                " cambiar modificar editar actualizar corregir"  # Spanish
            ),
        ),
        arguments=field_argument,  # "change my e-mail" starts at the e-mail
    )
    changes_things = True
    commits: ClassVar[Mapping[str, str]] = {"save": N_("save your changes")}
    help_text = N_(
        "Pick a detail, type its new value, and review your changes. "
        "Nothing is saved until you press Save."
    )

    choosing = State(initial=True)
    entering = State()
    reviewing = State()
    saving = State()  # never rested in: the save's answer picks the way on
    conflict = State()
    done = State(final=True)
    not_saved = State(final=True)  # the store refused: no longer allowed, closed, invalid

    pick = choosing.to(entering, cond="field_open", on="remember_field") | choosing.to.itself(
        internal=True, on="explain_locked"
    )
    text = entering.to(reviewing, cond="value_valid", on="keep_value") | entering.to.itself(
        internal=True, on="explain_invalid"
    )
    # A "Did you mean …?" button: the suggestion, by its index, as if typed correctly.
    accept = entering.to(
        reviewing, cond="suggestion_valid", on="keep_suggestion"
    ) | entering.to.itself(internal=True, on="explain_invalid")
    review = choosing.to(reviewing, cond="has_pending")
    more = reviewing.to(choosing) | conflict.to(choosing)
    save = reviewing.to(saving, on="save_changes") | conflict.to(saving, on="save_changes")
    # Eventless: taken at once, in the same event, by what the save answered.
    saving.to(done, cond="was_saved", on="report_saved")
    saving.to(conflict, cond="had_conflict", on="take_their_values")
    saving.to(not_saved, on="explain_not_saved")
    discard = choosing.to(done) | entering.to(done) | reviewing.to(done) | conflict.to(done)
    back = entering.to(choosing) | reviewing.to(choosing) | conflict.to(reviewing)

    saved: SaveResult | None = None
    """What the store answered to the save, once ``save_changes`` has run."""

    @classmethod
    def refusal(cls, ctx: FlowContext) -> str | None:
        if ctx.user.role.can_edit:
            return None
        return role_refusal(ctx.user, _("edit the account details"), Role.ADMIN)

    @classmethod
    async def entry(cls, ctx: FlowContext, args: dict[str, Any]) -> str:
        details = await ctx.store.get(ACCOUNT_DETAILS).account_details(ctx.user.account_id)
        ctx.data.update(
            base_version=details.version, pending={}, originals={}, country=details.country
        )
        field = FIELDS_BY_NAME.get(str(args.get("field", "")))
        if field is None:
            return cls.initial_state_id()
        if is_locked(field, details):
            ctx.note(_locked_text(field.label, details.value(field.name)))
            return cls.initial_state_id()
        ctx.data["field"] = field.name
        ctx.data["originals"][field.name] = details.value(field.name)
        return "entering"

    # -- guards -------------------------------------------------------------
    async def field_open(self, arg: str = "") -> bool:
        field = FIELDS_BY_NAME.get(arg)
        if field is None:
            return False
        return not is_locked(field, await self._details())

    def value_valid(self, value: str = "") -> bool:
        try:
            self._validated(value)
        except InvalidValue:
            return False
        return True

    def suggestion_valid(self, arg: str = "") -> bool:
        return self.value_valid(self._suggestion(arg))

    def has_pending(self) -> bool:
        return bool(self.ctx.data.get("pending"))

    def was_saved(self) -> bool:
        return self._save_outcome() is SaveOutcome.SAVED

    def had_conflict(self) -> bool:
        return self._save_outcome() is SaveOutcome.CONFLICT

    # -- actions ------------------------------------------------------------
    async def remember_field(self, arg: str = "") -> None:
        self.ctx.data["field"] = arg
        self.ctx.data["suggestions"] = []
        originals: dict[str, str] = self.ctx.data.setdefault("originals", {})
        if arg not in self.ctx.data.get("pending", {}):  # "old" is what is stored now
            originals[arg] = (await self._details()).value(arg)

    async def explain_locked(self, arg: str = "") -> None:
        field = FIELDS_BY_NAME.get(arg)
        if field is None:
            self.ctx.note(_("That is not a detail you can change here. Please pick one below."))
            return
        details = await self._details()
        self.ctx.note(_locked_text(field.label, details.value(field.name)))

    def keep_value(self, value: str = "") -> None:
        name = self.ctx.data["field"]
        self.ctx.data["pending"][name] = self._validated(value)
        self.ctx.data["suggestions"] = []

    def keep_suggestion(self, arg: str = "") -> None:
        self.keep_value(self._suggestion(arg))

    def explain_invalid(self, value: str = "", arg: str | None = None) -> None:
        try:
            self._validated(self._suggestion(arg) if arg is not None else value)
        except InvalidValue as problem:
            self.ctx.data["suggestions"] = list(problem.suggestions)
            hint = _(" Press it below to use it.") if problem.suggestions else ""
            self.ctx.note(f"⚠️ {problem}{hint}")

    async def save_changes(self) -> None:
        """Save the pending changes; what the store answered is for the guards to read."""
        ctx = self.ctx
        self.saved = await ctx.store.get(DETAILS_EDITING).save_details(
            account_id=ctx.user.account_id,
            user_id=ctx.user.user_id,
            expected_version=int(ctx.data["base_version"]),
            changes=dict(ctx.data["pending"]),
            channel=ctx.channel,
            now=ctx.now,
        )

    def report_saved(self) -> None:
        ctx = self.ctx
        if self.saved is not None and self.saved.details is not None:
            # A new account name shows from this reply on.
            ctx.user = replace(ctx.user, account_name=self.saved.details.name)
        ctx.say(
            _("✅ Saved. These details of {account} now read:").format(
                account=ctx.user.account_name
            )
            + "\n"
            + "\n".join(self._change_lines()),
            keep=True,
        )

    def take_their_values(self) -> None:
        """Someone saved in between: from now on "old" is what they stored."""
        current = self.saved.details if self.saved is not None else None
        if current is None:
            return
        data = self.ctx.data
        data["base_version"] = current.version
        theirs = {name: current.value(name) for name in data["pending"]}
        data["theirs"] = theirs
        data["originals"].update(theirs)

    def explain_not_saved(self) -> None:
        outcome = self._save_outcome()
        if outcome is SaveOutcome.FORBIDDEN:
            self.ctx.note(
                _("Nothing was saved: your role no longer allows editing the account details.")
            )
        elif outcome is SaveOutcome.CLOSED:
            notice = closed_notice(self.ctx.user, self.ctx.settings.support_contact)
            self.ctx.note(_("Nothing was saved.") + " " + notice)
        else:
            self.ctx.note(
                _("Nothing was saved: the billing currency cannot be changed once set.")
            )

    def on_discard(self) -> None:
        if self.ctx.data.get("pending"):
            self.ctx.note(_("🗑 Discarded. Nothing was changed."))
        else:
            self.ctx.note(_("Nothing was changed."))

    # -- screens --------------------------------------------------------------
    async def render_choosing(self) -> None:
        details = await self._details()
        pending: dict[str, str] = self.ctx.data.get("pending", {})
        options: list[Option] = []
        for field in FIELDS:
            mark = "🔒 " if is_locked(field, details) else ("✏️ " if field.name in pending else "")
            options.append((f"{mark}{field.label}", f"pick.{field.name}"))
        text = _("Which detail do you want to change?")
        if pending:
            options.append(
                (_("📝 Review changes ({count})").format(count=len(pending)), "review")
            )
            text = (
                _("Your changes so far:") + "\n"
                + "\n".join(at_most(self._change_lines(), MAX_LISTED)) + "\n\n" + text
            )
        options.append((_("✖️ Cancel"), "discard"))
        self.ctx.screen(text, options)

    async def render_entering(self) -> None:
        field = FIELDS_BY_NAME[self.ctx.data["field"]]
        current = self.ctx.data["originals"].get(field.name, "")
        typed = self.ctx.data["pending"].get(field.name)
        lines = [
            field.label,
            _("Current value: {value}").format(value=field.display(current)),
        ]
        if typed is not None:
            lines.append(_("Your pending change: {value}").format(value=field.display(typed)))
        lines += [
            _("Format: {hint}").format(hint=field.hint),
            "",
            _("Please type the new value."),
        ]
        options: list[Option] = [
            (_("✅ Yes, {value}").format(value=suggestion), f"accept.{index}")
            for index, suggestion in enumerate(self.ctx.data.get("suggestions") or [])
        ]
        options += [(_("⬅️ Back"), "back"), (_("✖️ Cancel"), "discard")]
        self.ctx.screen("\n".join(lines), options)

    async def render_reviewing(self) -> None:
        # Every change is listed (it is what Save saves), so the reminder shares the
        # heading's line: nine changed fields still fit a phone's ten lines.
        text = (_("Nothing is saved until you press Save.") + " "
                + _("Please review your changes:") + "\n" + "\n".join(self._change_lines()))
        self.ctx.screen(
            text,
            [
                (_("✅ Save"), "save"),
                (_("✏️ Change another field"), "more"),
                (_("🗑 Discard"), "discard"),
            ],
        )

    async def render_conflict(self) -> None:
        theirs: dict[str, str] = self.ctx.data.get("theirs", {})
        lines = [
            _(
                "⚠️ Someone else saved changes to the account details while you were editing, "
                "so nothing of yours was saved yet."
            ),
            "",
            _("Stored now → your change:"),
        ]
        for name, new in self.ctx.data["pending"].items():
            field = FIELDS_BY_NAME[name]
            lines.append(
                f"• {field.label}: {field.display(theirs.get(name, ''))} → {field.display(new)}"
            )
        lines += [
            "",
            _("Save your changes over the current values, change them, or discard them."),
        ]
        self.ctx.screen(
            "\n".join(lines),
            [
                (_("✅ Save my changes"), "save"),
                (_("✏️ Change fields"), "more"),
                (_("🗑 Discard"), "discard"),
            ],
        )

    # -- helpers --------------------------------------------------------------
    def _save_outcome(self) -> SaveOutcome | None:
        return self.saved.outcome if self.saved is not None else None

    async def _details(self) -> AccountDetails:
        return await self.ctx.store.get(ACCOUNT_DETAILS).account_details(self.ctx.user.account_id)

    def _suggestion(self, arg: str | None) -> str:
        """The suggestion offered under index ``arg``, or "" when none is (a forged press)."""
        suggestions: list[str] = self.ctx.data.get("suggestions") or []
        index = int(arg) if arg is not None and arg.isdigit() else len(suggestions)
        return suggestions[index] if index < len(suggestions) else ""

    def _validated(self, value: str) -> str:
        name = self.ctx.data["field"]
        field = FIELDS_BY_NAME[name]
        suggestions: list[str] = self.ctx.data.get("suggestions") or []
        if len(suggestions) == 1 and value.strip().casefold() in YES:
            value = suggestions[0]  # "yes" to the one "Did you mean …?"
        country = self.ctx.data["pending"].get("country") or self.ctx.data.get("country")
        new = field.validate(value, ValidationContext(country=country))
        if new == self.ctx.data["originals"].get(name):
            raise InvalidValue(
                _(
                    "That is already the current {field}. Type a different value, "
                    "or press Back."
                ).format(field=field.label.lower())
            )
        return new

    def _change_lines(self) -> list[str]:
        originals: dict[str, str] = self.ctx.data.get("originals", {})
        lines = []
        for name, new in self.ctx.data.get("pending", {}).items():
            field = FIELDS_BY_NAME[name]
            lines.append(
                f"• {field.label}: {field.display(originals.get(name, ''))} → {field.display(new)}"
            )
        return lines


MAX_LISTED = 5  # pending changes shown above the fields; Review lists them all

YES = frozenset({"yes", "y", "yeah", "yep", "ok", "sure", "yes please"})
"""Typed answers that take the one suggestion offered (with two, the user presses one)."""


def _locked_text(label: str, value: str) -> str:
    return _("🔒 The {field} is {value} and cannot be changed once set.").format(
        field=label.lower(), value=value
    )
