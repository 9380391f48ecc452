"""Shared wording: how money, dates, usage bars and the standard notices read.

Money, numbers and dates are formatted for the turn's language with Babel (CLDR data):
``1,125.40 USD`` and ``05 Mar 2026`` in English, ``1.125,40 USD`` and ``05 mar 2026``
in Spanish.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal

from flows.i18n import N_, _, current_locale
from flows.ports import MeterUsage, Money, Subscription, UserContext

BAR_WIDTH = 10
MONEY_PATTERN = "#,##0.00 ¤¤"  # the ISO code after the amount: "125.40 USD", "125,40 USD"
DAY_PATTERN = "dd MMM y"


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
