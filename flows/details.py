"""View details: a short card, and the rest of the account's fields behind a button."""

from __future__ import annotations

from flows.base import FlowMachine, State
from flows.context import Option
from flows.fields import FIELDS_BY_NAME
from flows.formatting import local_time
from flows.i18n import N_, _
from flows.intents import ACCOUNT_WORDS, FIELD_WORDS, IntentRule, words
from flows.menu import MenuEntry
from flows.ports import ACCOUNT_DETAILS, AccountDetails
from flows.wording import when

CARD_FIELDS = ("contact_name", "contact_email", "contact_phone")
"""Who to reach, on the card; the company's legal record is behind "More details"."""
MORE_FIELDS = ("legal_name", "registration_number", "address", "country")


class DetailsFlow(FlowMachine):
    """The card; More details; from either, edit (if allowed) or back to the menu."""

    flow_name = "details"
    menu_entry = MenuEntry(N_("📄 Account details"), position=10)
    intent_rule = IntentRule(
        precedence=10,  # the least: whatever else the words ask for wins
        any_of=(
            words(
                "details detail info information profile view show see"
                " datos detalles informacion perfil ver mostrar"  # Spanish
            ),
            ACCOUNT_WORDS,
            frozenset(FIELD_WORDS),  # naming a field alone ("my e-mail") asks to see it
        ),
    )
    help_text = N_(
        "This is your account's card. More details shows the company's legal details, "
        "country, time zone and currency; Edit details changes them."
    )

    viewing = State(initial=True)
    more_details = State()
    left = State(final=True)

    more = viewing.to(more_details)
    back = more_details.to(viewing)
    edit = viewing.to(left, on="go_edit") | more_details.to(left, on="go_edit")

    async def go_edit(self) -> None:
        self.ctx.switch("edit")

    async def render_viewing(self) -> None:
        details = await self._details()
        lines = [
            _("📄 {name}: account details").format(name=details.name),
            _("Package: {package}").format(package=details.package_name),
            _("Owner: {name} ({email})").format(
                name=details.owner_name, email=details.owner_email
            ),
            *(_field_line(details, name) for name in CARD_FIELDS),
        ]
        self.ctx.screen("\n".join(lines), [(_("🔎 More details"), "more"), *self._rest()])

    async def render_more_details(self) -> None:
        details = await self._details()
        lines = [_("📄 {name}: more details").format(name=details.name)]
        lines += [_field_line(details, name) for name in MORE_FIELDS]
        lines.append(
            _("Time zone: {zone}, local time {time}").format(
                zone=details.timezone, time=local_time(details.timezone, self.ctx.now)
            )
        )
        lines.append(_field_line(details, "billing_currency"))
        lines.append(
            _("Account ID: {id}, created {created}").format(
                id=details.account_id, created=when(details.created_at)
            )
        )
        self.ctx.screen("\n".join(lines), [(_("⬅️ Back"), "back"), *self._rest()])

    def _rest(self) -> list[Option]:
        options: list[Option] = []
        if self.ctx.user.role.can_edit:
            options.append((_("✏️ Edit details"), "edit"))
        options.append((_("🏠 Menu"), "menu"))
        return options

    async def _details(self) -> AccountDetails:
        reader = self.ctx.store.get(ACCOUNT_DETAILS)
        return await reader.account_details(self.ctx.user.account_id)


def _field_line(details: AccountDetails, name: str) -> str:
    """``Label: value`` as people read it; a value that can no longer change says so."""
    field = FIELDS_BY_NAME[name]
    value = field.display(details.value(name))
    if field.read_only_once_set and details.value(name):
        value = _("{value} (cannot be changed)").format(value=value)
    return f"{field.label}: {value}"
