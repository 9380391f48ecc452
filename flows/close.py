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
from flows.i18n import N_, _, ngettext
from flows.intents import ACCOUNT_WORDS, IntentRule, words
from flows.menu import MenuEntry
from flows.ports import AUDIT, CLOSING, CloseOutcome, CloseResult
from flows.refusals import role_refusal
from flows.types import Role
from flows.wording import at_most, closed_notice, contact_support, money, priced, when

SUPPORT_PACKAGES = ("connect",)
MAX_LISTED = 3  # subscriptions listed on the warning and the result; the rest are counted


class CloseFlow(FlowMachine):
    """warning → naming → confirming → closing → closed, with a way out at every step."""

    flow_name = "close"
    menu_entry = MenuEntry(N_("🛑 Close account"), position=40, least_role=Role.OWNER)
    intent_rule = IntentRule(
        precedence=40,  # the most: "close and change my account" must not start an edit
        # A verb *and* the word account: a stray "close" never starts this flow.
        all_of=(
            words(
                "close delete terminate cancel remove shut deactivate"
                " cerrar eliminar borrar cancelar baja"  # Spanish ("dar de baja la cuenta")
            ),
            ACCOUNT_WORDS,
        ),
    )
    changes_things = True
    commits: ClassVar[Mapping[str, str]] = {"confirm": N_("close the account")}
    help_text = N_(
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
                " ".join(
                    [
                        _(
                            "Accounts on the {package} package are closed by our "
                            "support team, not in chat."
                        ).format(package=user.package_code.title()),
                        contact_support(ctx.settings.support_contact),
                        _("Nothing has been changed."),
                    ]
                )
                + "\n"
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
            _("⚠️ That does not match the account name. You typed “{typed}”.").format(
                typed=value.strip()
            )
            + " "
            + ngettext("{count} attempt left.", "{count} attempts left.", left).format(count=left)
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
            _(
                "The name did not match {count} times, so I stopped "
                "the closure for your safety. Nothing was changed and the account stays open."
            ).format(count=ctx.settings.max_name_attempts)
            + "\n"
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
                _(
                    "Nothing was closed: only the account owner can close the account, "
                    "and you are no longer its owner."
                )
            )
        else:
            ctx.note(self.refusal(ctx) or _("Nothing was closed."))

    def explain_expired(self) -> None:
        self.ctx.note(
            _(
                "⏱ That confirmation button has expired, so nothing was closed. "
                "Please review what closing means once more."
            )
        )

    def on_keep(self) -> None:
        self.ctx.note(
            _("👍 Good, {account} stays open. Nothing was changed.").format(
                account=self.ctx.user.account_name
            )
        )

    # -- screens --------------------------------------------------------------
    async def render_warning(self) -> None:
        ctx = self.ctx
        preview = await ctx.store.get(CLOSING).closure_preview(ctx.user.account_id)
        lines = [
            _("⚠️ Closing {account} is permanent. If you close it:").format(
                account=preview.account_name
            )
        ]
        if preview.subscriptions:
            lines.append(_("• these subscriptions are cancelled:"))
            lines += at_most([f"   – {priced(s)}" for s in preview.subscriptions],
                             MAX_LISTED)
        else:
            lines.append(_("• there are no active subscriptions to cancel"))
        members = preview.members_losing_access
        lines += [
            _("• the prepaid balance of {balance} is forfeited (not refunded)").format(
                balance=money(preview.balance)
            ),
            ngettext(
                "• {count} member loses access, you included",
                "• {count} members lose access, you included",
                members,
            ).format(count=members),
            _("• the account cannot be reopened"),
            _("Do you want to continue?"),
        ]
        ctx.screen(
            "\n".join(lines),
            [(_("Continue to close"), "proceed"), (_("Keep my account"), "keep")],
        )

    async def render_naming(self) -> None:
        name = self.ctx.user.account_name
        self.ctx.screen(
            _(
                "To confirm, type the account name as shown (capital letters and extra spaces "
                "don't matter):\n{name}"
            ).format(name=name),
            [(_("⬅️ Back"), "back"), (_("Keep my account"), "keep")],
        )

    async def render_confirming(self) -> None:
        name = self.ctx.user.account_name
        minutes = max(1, self.ctx.settings.close_confirm_seconds // 60)
        self.ctx.screen(
            _("Last step. Pressing the button below closes {name} permanently, right away.")
            .format(name=name)
            + " "
            + ngettext(
                "The button works for {count} minute.",
                "The button works for {count} minutes.",
                minutes,
            ).format(count=minutes),
            [
                (_("Close {name} permanently").format(name=name), "confirm"),
                (_("Keep my account"), "keep"),
            ],
        )


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _closed_text(name: str, result: CloseResult) -> str:
    lines = [_("✅ {name} is now closed.").format(name=name)]
    if result.reference:
        lines.append(_("Closure reference: {reference}").format(reference=result.reference))
    if result.closed_at:
        lines.append(_("Closed on {when}.").format(when=when(result.closed_at)))
    if result.cancelled_subscriptions:
        lines.append(_("Cancelled subscriptions:"))
        lines += at_most([f"• {priced(s)}" for s in result.cancelled_subscriptions], MAX_LISTED)
    if result.forfeited is not None:
        lines.append(
            _("Forfeited prepaid balance: {amount}").format(amount=money(result.forfeited))
        )
    lines.append(_("Every member has lost access. The account cannot be reopened."))
    return "\n".join(lines)
