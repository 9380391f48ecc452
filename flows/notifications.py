"""Notifications: whether this user gets usage alerts, and a button to switch them.

Usage alerts (``flows.usage_alerts``) go to the owners and admins of an account when a
meter reaches 80 % and 100 % of what the package includes. Each of them can switch the
alerts off and on here; the choice is theirs alone (stored per user, on by default).
Viewers are never alerted, so the flow is not theirs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from flows.base import FlowMachine, State
from flows.context import FlowContext
from flows.i18n import N_, _
from flows.intents import IntentRule, words
from flows.menu import MenuEntry
from flows.ports import Capability
from flows.types import Role


class NotificationSettings(Protocol):
    """A user's notification choices."""

    async def usage_alerts_on(self, user_id: int) -> bool:
        """Whether the user gets usage alerts (True unless switched off)."""

    async def set_usage_alerts(self, *, user_id: int, on: bool, now: datetime) -> None:
        """Switch the user's usage alerts on or off, committed with the update."""


NOTIFICATIONS = Capability[NotificationSettings]("notifications")


class NotificationsFlow(FlowMachine):
    """One screen: usage alerts on or off, and the button that switches them."""

    flow_name = "notifications"
    menu_entry = MenuEntry(N_("🔔 Notifications"), position=45, least_role=Role.ADMIN)
    intent_rule = IntentRule(
        precedence=25,  # above package's 20: "usage alerts" is about the alerts
        all_of=(words("notifications notification notify alerts alert warnings"),),
    )
    help_text = N_(
        "Usage alerts tell you when a meter reaches 80% and 100% of what your package "
        "includes this billing period, on every chat you have linked. Press the button to "
        "switch them off or on; it changes only your own alerts."
    )

    showing = State(initial=True)

    turn_off = showing.to.itself(on="switch_off")
    turn_on = showing.to.itself(on="switch_on")

    @classmethod
    def refusal(cls, ctx: FlowContext) -> str | None:
        if ctx.user.role.reaches(Role.ADMIN):
            return None
        return _(
            "Usage alerts go to the owner and admins of {account}, so there is nothing to "
            "switch for you as a viewer. You can still see usage any time under Package & "
            "usage."
        ).format(account=ctx.user.account_name)

    async def switch_off(self) -> None:
        await self._store().set_usage_alerts(
            user_id=self.ctx.user.user_id, on=False, now=self.ctx.now
        )
        self.ctx.note(_("🔕 Done: you will get no usage alerts."))

    async def switch_on(self) -> None:
        await self._store().set_usage_alerts(
            user_id=self.ctx.user.user_id, on=True, now=self.ctx.now
        )
        self.ctx.note(_("🔔 Done: usage alerts are on again."))

    async def render_showing(self) -> None:
        on = await self._store().usage_alerts_on(self.ctx.user.user_id)
        account = self.ctx.user.account_name
        if on:
            text = _(
                "🔔 Usage alerts are on.\nYou get a message when a meter of {account} reaches "
                "80% and 100% of what the package includes, on every chat you have linked."
            )
            switch = (_("🔕 Turn usage alerts off"), "turn_off")
        else:
            text = _(
                "🔕 Usage alerts are off.\nYou get no message when a meter of {account} "
                "nears or passes what the package includes."
            )
            switch = (_("🔔 Turn usage alerts on"), "turn_on")
        self.ctx.screen(text.format(account=account), [switch, (_("🏠 Menu"), "menu")])

    def _store(self) -> NotificationSettings:
        return self.ctx.store.get(NOTIFICATIONS)
