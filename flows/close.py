"""Close the account: see what is lost, type the name, confirm once, close in one transaction.

Owners only, and only on packages with self-service closure. The role is checked
on every event and again inside the transaction that closes, so an owner demoted
half-way is refused at the last step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from flows import person
from flows.base import FlowMachine, State
from flows.context import FlowContext
from flows.i18n import _
from flows.intents import ACCOUNT_WORDS, IntentRule, words
from flows.menu import MenuEntry
from flows.ports import AUDIT, CLOSING, CloseOutcome, CloseResult
from flows.refusals import role_refusal
from flows.types import Role
from flows.wording import closed_notice, contact_support, when

SUPPORT_PACKAGES = ("connect",)


class CloseFlow(FlowMachine):
    """warning → naming → confirming → closing → closed, with a way out at every step."""

    flow_name = "close"
    menu_entry = MenuEntry("🛑 Close account", position=40, least_role=Role.OWNER)
    intent_rule = IntentRule(
        precedence=40,  # the most: "close and change my account" must not start an edit
        # A verb *and* the word account: a stray "close" never starts this flow.
        all_of=(words("close delete terminate cancel remove shut deactivate"), ACCOUNT_WORDS),
    )
    changes_things = True
    commits: ClassVar[Mapping[str, str]] = {"confirm": "close the account"}
    help_text = (
        "Closing is permanent: subscriptions are cancelled and the prepaid balance is "
        "forfeited. Type cancel or press Keep my account to stop; nothing changes until the "
        "last button."
    )

    warning = State(initial=True)
    naming = State()
    confirming = State()
    closing = State()  # never rested in: the closing transaction's answer picks the way on
    closed = State(final=True)
    kept = State(final=True)
    stopped = State(final=True)

    proceed = warning.to(naming, on="reset_attempts")
    text = (
        naming.to(confirming, cond="name_matches", on="start_countdown")
        | naming.to(stopped, cond="attempts_exhausted", on="stop_after_mismatches")
        | naming.to.itself(internal=True, on="explain_mismatch")
    )
    confirm = (
        confirming.to(warning, cond="confirmation_expired", on="explain_expired")
        | confirming.to(closing, on="close_account")
    )
    # Eventless: taken at once, in the same event, by what the transaction answered.
    closing.to(closed, cond="was_closed", on="report_closure")
    closing.to(stopped, on="explain_not_closed")
    keep = warning.to(kept) | naming.to(kept) | confirming.to(kept)
    back = naming.to(warning) | confirming.to(naming, on="reset_attempts")

    closure: CloseResult | None = None
    """What the closing transaction answered, once ``close_account`` has run."""

    @classmethod
    def refusal(cls, ctx: FlowContext) -> str | None:
        user = ctx.user
        if not user.role.can_close:
            return role_refusal(user, _("close the account"), Role.OWNER)
        if user.package_code in SUPPORT_PACKAGES:
            return (
                f"Accounts on the {user.package_code.title()} package are closed by our "
                "support team, not in chat. "
                f"{contact_support(ctx.settings.support_contact)} Nothing has been changed.\n"
                + _(person.ASK_HERE)
            )
        return None

    # -- guards -------------------------------------------------------------
    def name_matches(self, value: str = "") -> bool:
        return _folded(value) == _folded(self.ctx.user.account_name)

    def attempts_exhausted(self) -> bool:
        used = int(self.ctx.data.get("attempts", 0)) + 1
        return used >= self.ctx.settings.max_name_attempts

    def confirmation_expired(self) -> bool:
        return self.ctx.now.timestamp() > float(self.ctx.data.get("deadline", 0))

    def was_closed(self) -> bool:
        return self.closure is not None and self.closure.outcome is CloseOutcome.CLOSED

    # -- actions ------------------------------------------------------------
    def reset_attempts(self) -> None:
        self.ctx.data["attempts"] = 0

    def start_countdown(self) -> None:
        self.ctx.data["deadline"] = (
            self.ctx.now.timestamp() + self.ctx.settings.close_confirm_seconds
        )

    def explain_mismatch(self, value: str = "") -> None:
        attempts = int(self.ctx.data.get("attempts", 0)) + 1
        self.ctx.data["attempts"] = attempts
        left = self.ctx.settings.max_name_attempts - attempts
        self.ctx.note(
            f"⚠️ That does not match the account name. You typed “{value.strip()}”. "
            f"{left} attempt{'s' if left != 1 else ''} left."
        )

    async def stop_after_mismatches(self, value: str = "") -> None:
        ctx = self.ctx
        await ctx.store.get(AUDIT).record_audit(
            account_id=ctx.user.account_id,
            user_id=ctx.user.user_id,
            channel=ctx.channel,
            action="closure.name_mismatch",
            changes={"attempts": ctx.settings.max_name_attempts, "last_typed": value.strip()[:80]},
            now=ctx.now,
        )
        ctx.note(
            f"The name did not match {ctx.settings.max_name_attempts} times, so I stopped "
            "the closure for your safety. Nothing was changed and the account stays open.\n"
            + _(person.ASK_HERE)
        )

    async def close_account(self) -> None:
        """Run the closing transaction; what it answered is for the guards to read."""
        ctx = self.ctx
        self.closure = await ctx.store.get(CLOSING).close_account(
            account_id=ctx.user.account_id,
            user_id=ctx.user.user_id,
            channel=ctx.channel,
            now=ctx.now,
        )

    def report_closure(self) -> None:
        assert self.closure is not None  # close_account ran before any way out of closing
        self.ctx.say(_closed_text(self.ctx.user.account_name, self.closure), keep=True)
        self.ctx.menu_after = False  # nothing is left to choose
        self.ctx.account_closed = True

    def explain_not_closed(self) -> None:
        ctx = self.ctx
        outcome = self.closure.outcome if self.closure is not None else None
        if outcome is CloseOutcome.ALREADY_CLOSED:  # a double press, or another member
            ctx.note(closed_notice(ctx.user, ctx.settings.support_contact))
            ctx.menu_after = False
        elif outcome is CloseOutcome.FORBIDDEN:
            ctx.note(
                "Nothing was closed: only the account owner can close the account, "
                "and you are no longer its owner."
            )
        else:
            ctx.note(self.refusal(ctx) or "Nothing was closed.")

    def explain_expired(self) -> None:
        self.ctx.note(
            "⏱ That confirmation button has expired, so nothing was closed. "
            "Please review what closing means once more."
        )

    def on_keep(self) -> None:
        self.ctx.note(f"👍 Good, {self.ctx.user.account_name} stays open. Nothing was changed.")

    # -- screens --------------------------------------------------------------
    async def render_warning(self) -> None:
        ctx = self.ctx
        preview = await ctx.store.get(CLOSING).closure_preview(ctx.user.account_id)
        lines = [f"⚠️ Closing {preview.account_name} is permanent. If you close it:"]
        if preview.subscriptions:
            lines.append("• these subscriptions are cancelled:")
            lines += [f"   – {s.name} ({s.price} per {s.interval})" for s in preview.subscriptions]
        else:
            lines.append("• there are no active subscriptions to cancel")
        lines += [
            f"• the prepaid balance of {preview.balance} is forfeited (not refunded)",
            f"• {preview.members_losing_access} member"
            f"{'s' if preview.members_losing_access != 1 else ''} lose access, you included",
            "• the account cannot be reopened",
            "Do you want to continue?",
        ]
        ctx.screen(
            "\n".join(lines), [("Continue to close", "proceed"), ("Keep my account", "keep")]
        )

    async def render_naming(self) -> None:
        name = self.ctx.user.account_name
        self.ctx.screen(
            "To confirm, type the account name as shown (capital letters and extra spaces "
            f"don't matter):\n{name}",
            [("⬅️ Back", "back"), ("Keep my account", "keep")],
        )

    async def render_confirming(self) -> None:
        name = self.ctx.user.account_name
        minutes = max(1, self.ctx.settings.close_confirm_seconds // 60)
        self.ctx.screen(
            f"Last step. Pressing the button below closes {name} permanently, right away. "
            f"The button works for {minutes} minute{'s' if minutes != 1 else ''}.",
            [(f"Close {name} permanently", "confirm"), ("Keep my account", "keep")],
        )


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _closed_text(name: str, result: CloseResult) -> str:
    lines = [f"✅ {name} is now closed."]
    if result.reference:
        lines.append(f"Closure reference: {result.reference}")
    if result.closed_at:
        lines.append(f"Closed on {when(result.closed_at)}.")
    if result.cancelled_subscriptions:
        lines.append("Cancelled subscriptions:")
        lines += [
            f"• {s.name} ({s.price} per {s.interval})" for s in result.cancelled_subscriptions
        ]
    if result.forfeited is not None:
        lines.append(f"Forfeited prepaid balance: {result.forfeited}")
    lines.append("Every member has lost access. The account cannot be reopened.")
    return "\n".join(lines)
