"""Shared wording: how money, dates, usage lines and the standard notices read."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flows.i18n import N_, _
from flows.ports import MeterUsage, UserContext


class UsageStatus(StrEnum):
    """How much of a meter's allowance is used; the text and the chart share the colours.

    A meter used exactly up to its allowance (1 of 1 seat) is ``FULL``: nothing is
    owed and nothing is wrong, so it is not a warning; only ``OVER`` costs extra.
    """

    WITHIN = "within"
    NEAR = "near"  # 80 % or more, still under the allowance
    FULL = "full"  # exactly the allowance
    OVER = "over"


NEARLY_USED = 80  # percent from which a meter is "nearly used up"

STATUS_MARKS = {
    UsageStatus.WITHIN: "🟢",
    UsageStatus.NEAR: "🟡",
    UsageStatus.FULL: "🔵",
    UsageStatus.OVER: "🔴",
}
"""The coloured mark of each status in text; ``bot.charts`` draws the same colours."""

STATUS_NAMES = {
    UsageStatus.WITHIN: N_("within the allowance"),
    UsageStatus.NEAR: N_("nearly used up (≥ 80 %)"),
    UsageStatus.FULL: N_("all used, nothing over"),
    UsageStatus.OVER: N_("over the allowance"),
}
"""What each status means in words (the chart's legend)."""


def when(moment: datetime) -> str:
    """A timestamp as people read it, always in UTC so every member sees the same."""
    return f"{moment:%d %b %Y at %H:%M} UTC"


def day(value: date) -> str:
    """A date as people read it (``01 Nov 2026``)."""
    return f"{value:%d %b %Y}"


def percent(used: int, included: int) -> int:
    """Used as a whole percentage of included (0 included counts as 0% unless used)."""
    if included <= 0:
        return 100 if used > 0 else 0
    return round(used * 100 / included)


def usage_status(used: int, included: int) -> UsageStatus:
    """Where ``used`` stands against ``included``: exact amounts, never rounded shares,
    so 999 of 1,000 is nearly used up and only more than included is over."""
    if used > included:
        return UsageStatus.OVER
    if used == included and included > 0:
        return UsageStatus.FULL
    if used * 100 >= NEARLY_USED * included and included > 0:
        return UsageStatus.NEAR
    return UsageStatus.WITHIN


def period_day(period_start: date, period_end: date, today: date) -> tuple[int, int]:
    """Which day of the billing period ``today`` is, and how many days it has."""
    days = (period_end - period_start).days + 1
    return min(max((today - period_start).days + 1, 1), days), days


def meter_line(usage: MeterUsage) -> str:
    """One meter on one short line: a coloured mark, label, used / included, share, and
    in words what a colour alone would say (nearly used up, all used, how much over)."""
    status = usage_status(usage.used, usage.included)
    mark = STATUS_MARKS[status]
    label = usage.meter.label
    if usage.included <= 0:
        return _("{mark} {label}: {used:,} used, none included").format(
            mark=mark, label=label, used=usage.used
        )
    line = _("{mark} {label}: {used:,} / {included:,} ({share:,}%)").format(
        mark=mark, label=label, used=usage.used, included=usage.included,
        share=percent(usage.used, usage.included),
    )
    if status is UsageStatus.NEAR:
        line += _(", nearly used up")
    elif status is UsageStatus.FULL:
        line += _(", all used")
    elif status is UsageStatus.OVER:
        line += _(", {over:,} over").format(over=usage.used - usage.included)
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
