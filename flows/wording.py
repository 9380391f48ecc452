"""Shared wording: how money, dates, usage bars and the standard notices read."""

from __future__ import annotations

from datetime import date, datetime

from flows.i18n import _
from flows.ports import MeterUsage, UserContext

BAR_WIDTH = 10


def when(moment: datetime) -> str:
    """A timestamp as people read it, always in UTC so every member sees the same."""
    return f"{moment:%d %b %Y at %H:%M} UTC"


def day(value: date) -> str:
    return f"{value:%d %b %Y}"


def percent(used: int, included: int) -> int:
    """Used as a whole percentage of included (0 included counts as 0% unless used)."""
    if included <= 0:
        return 100 if used > 0 else 0
    return round(used * 100 / included)


def bar(used: int, included: int) -> str:
    """A text bar like ``▓▓▓▓▓▓▓▓░░``; full (and marked) beyond 100%."""
    share = percent(used, included)
    filled = min(BAR_WIDTH, round(share * BAR_WIDTH / 100))
    return "▓" * filled + "░" * (BAR_WIDTH - filled)


def meter_line(usage: MeterUsage) -> str:
    """One meter: label, bar, used / included, percentage, and a warning mark when high."""
    share = percent(usage.used, usage.included)
    amounts = f"{usage.used:,} / {usage.included:,} {usage.meter.unit}"
    line = f"{usage.meter.label}\n{bar(usage.used, usage.included)} {amounts} ({share}%)"
    if usage.used > usage.included:
        over = usage.used - usage.included
        line += f"\n⛔ OVERAGE: {over:,} {usage.meter.unit} over the included amount"
    elif share >= 80:
        line += "\n⚠️ Nearly used up"
    return line


def closed_notice(user: UserContext, support_contact: str) -> str:
    """What every member of a closed account is told, whatever they write, with the
    configured support contact (``EngineSettings.support_contact``)."""
    closed = f" on {when(user.closed_at)}" if user.closed_at else ""
    reference = f" (reference {user.closure_reference})" if user.closure_reference else ""
    return (
        f"The account {user.account_name} was closed{closed}{reference}. "
        "A closed account cannot be reopened and nothing in it can be changed. "
        + contact_support(support_contact, _("If you need a new account"))
    )


def contact_support(support_contact: str, reason: str | None = None) -> str:
    """"Please contact support: <the configured contact>." with an optional reason in
    front ("If you need a new account, please contact support: …")."""
    if reason:
        return _("{reason}, please contact support: {contact}.").format(
            reason=reason, contact=support_contact
        )
    return _("Please contact support: {contact}.").format(contact=support_contact)


GLOBAL_HELP = (
    "You can type these words at any time:\n"
    "• menu: back to the main menu\n"
    "• back: one step back\n"
    "• cancel: stop what you are doing (nothing is saved)\n"
    "• help: this help\n"
    "You can also type what you want, like “show my usage” or “change my e-mail”."
)
