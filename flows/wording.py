"""Shared wording: how money, dates, usage bars and the standard notices read.

Money, numbers and dates are formatted for the turn's language with Babel (CLDR data):
``1,125.40 USD`` and ``05 Mar 2026`` in English, ``1.125,40 USD`` and ``05 mar 2026``
in Spanish.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal

from flows.i18n import N_, _, current_locale
from flows.ports import MeterUsage, Money, Subscription, UserContext

BAR_WIDTH = 10
MONEY_PATTERN = "#,##0.00 ¤¤"  # the ISO code after the amount: "125.40 USD", "125,40 USD"
DAY_PATTERN = "dd MMM y"


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
    utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment
    locale = current_locale()
    return _("{date} at {time} UTC").format(
        date=format_date(utc, DAY_PATTERN, locale=locale),
        time=format_time(utc, "HH:mm", locale=locale),
    )


def day(value: date) -> str:
    """A calendar day, like ``05 Mar 2026`` (``05 mar 2026`` in Spanish)."""
    return format_date(value, DAY_PATTERN, locale=current_locale())


def short_day(value: date) -> str:
    """A day without its year, like ``05 Mar`` (``05 mar`` in Spanish)."""
    return format_date(value, "dd MMM", locale=current_locale())


def money(value: Money) -> str:
    """An amount with its currency code, grouped and with the decimal mark of the turn's
    language (``1,125.40 USD``; ``1.125,40 USD`` in Spanish)."""
    return format_currency(
        value.amount, value.currency, format=MONEY_PATTERN, locale=current_locale()
    )


def number(value: int | Decimal) -> str:
    """A number grouped for the turn's language (``12,345``; ``12.345`` in Spanish)."""
    return format_decimal(value, locale=current_locale())


def priced(subscription: Subscription) -> str:
    """``WhatsApp Business number (49.00 USD per month)``, in the turn's language."""
    return _("{name} ({price} per {interval})").format(
        name=subscription.name,
        price=money(subscription.price),
        interval=interval_name(subscription.interval),
    )


INTERVALS = {"month": N_("month"), "year": N_("year")}
"""Billing intervals as stored, and how they read (translated where shown)."""


def interval_name(interval: str) -> str:
    """A billing interval ("month") in the turn's language; unknown ones as stored."""
    return _(INTERVALS[interval]) if interval in INTERVALS else interval


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
        return _("{mark} {label}: {used} used, none included").format(
            mark=mark, label=label, used=number(usage.used)
        )
    line = _("{mark} {label}: {used} / {included} ({share}%)").format(
        mark=mark, label=label, used=number(usage.used), included=number(usage.included),
        share=number(percent(usage.used, usage.included)),
    )
    if status is UsageStatus.NEAR:
        line += _(", nearly used up")
    elif status is UsageStatus.FULL:
        line += _(", all used")
    elif status is UsageStatus.OVER:
        line += _(", {over} over").format(over=number(usage.used - usage.included))
    return line


def closed_notice(user: UserContext, support_contact: str) -> str:
    """What every member of a closed account is told, whatever they write, with the
    configured support contact (``EngineSettings.support_contact``)."""
    if user.closed_at:
        closed = _("The account {name} was closed on {when}").format(
            name=user.account_name, when=when(user.closed_at)
        )
    else:
        closed = _("The account {name} was closed").format(name=user.account_name)
    if user.closure_reference:
        closed += " " + _("(reference {reference})").format(reference=user.closure_reference)
    return (
        closed
        + ". "
        + _("A closed account cannot be reopened and nothing in it can be changed.")
        + " "
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


GLOBAL_HELP = N_(
    "You can type these words at any time:\n"
    "• menu: back to the main menu\n"
    "• back: one step back\n"
    "• cancel: stop what you are doing (nothing is saved)\n"
    "• help: this help\n"
    "You can also type what you want, like “show my usage” or “change my e-mail”."
)
"""Translated where shown (``_(GLOBAL_HELP)``)."""


def at_most(lines: list[str], limit: int) -> list[str]:
    """``lines`` up to ``limit``, the rest counted (“… and 3 more”), so a list cannot push
    a screen past what a phone shows."""
    if len(lines) <= limit:
        return lines
    rest = len(lines) - (limit - 1)
    return [*lines[: limit - 1], _("… and {count} more").format(count=rest)]
