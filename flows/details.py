"""View details: every field of the account, formatted for people."""

from __future__ import annotations

from flows.base import FlowMachine, State
from flows.fields import FIELDS
from flows.formatting import local_time
from flows.intents import ACCOUNT_WORDS, FIELD_WORDS, IntentRule, words
from flows.menu import MenuEntry
from flows.ports import ACCOUNT_DETAILS
from flows.wording import when


class DetailsFlow(FlowMachine):
    """One screen with the details; from there, edit (if allowed) or back to the menu."""

    flow_name = "details"
    menu_entry = MenuEntry("📄 Account details", position=10)
    intent_rule = IntentRule(
        precedence=10,  # the least: whatever else the words ask for wins
        any_of=(
            words("details detail info information profile view show see"),
            ACCOUNT_WORDS,
            frozenset(FIELD_WORDS),  # naming a field alone ("my e-mail") asks to see it
        ),
    )
    help_text = "These are your account's details. Choose Edit details to change them."

    viewing = State(initial=True)
    left = State(final=True)

    edit = viewing.to(left, on="go_edit")

    async def go_edit(self) -> None:
        self.ctx.switch("edit")

    async def render_viewing(self) -> None:
        reader = self.ctx.store.get(ACCOUNT_DETAILS)
        details = await reader.account_details(self.ctx.user.account_id)
        lines = [f"📄 {details.name}: account details", ""]
        for field in FIELDS:
            value = field.display(details.value(field.name))
            if field.name == "timezone":
                value += f", local time {local_time(details.timezone, self.ctx.now)}"
            if field.read_only_once_set and details.value(field.name):
                value += " (cannot be changed)"
            lines.append(f"{field.label}: {value}")
        lines += [
            f"Package: {details.package_name}",
            f"Account ID: {details.account_id}",
            f"Created: {when(details.created_at)}",
            f"Owner: {details.owner_name} ({details.owner_email})",
        ]
        options = [("✏️ Edit details", "edit")] if self.ctx.user.role.can_edit else []
        options.append(("🏠 Menu", "menu"))
        self.ctx.screen("\n".join(lines), options)
