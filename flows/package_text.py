"""The package screens' text, each short enough for a phone (at most eight lines with
the demo catalogue, so a one-line note in front still fits in ten)."""

from __future__ import annotations

from flows.i18n import _
from flows.ports import Catalogue, Meter, PackageInfo, UsageReport
from flows.wording import (
    at_most,
    day,
    interval_name,
    meter_line,
    money,
    number,
    period_day,
    short_day,
)

MAX_SUBSCRIPTIONS = 5  # lines of subscriptions at most; the rest are counted


def usage_text(report: UsageReport) -> str:
    """The overview: package and price, where we are in the period, one line per meter."""
    package = report.package
    lines = [
        _("📦 Your package: {name} ({price} per month)").format(
            name=package.name, price=money(package.monthly_price)
        ),
        period_text(report),
    ]
    lines += [meter_line(usage) for usage in report.meters]
    if not report.meters:
        lines.append(_("Nothing was used yet this period."))
    return "\n".join(lines)


def period_text(report: UsageReport) -> str:
    """``Billing period 01 Nov – 30 Nov 2026: day 27 of 30`` (without the day when the
    report does not say which day it is)."""
    period = _("Billing period {start} – {end}").format(
        start=short_day(report.period_start), end=day(report.period_end)
    )
    if report.as_of is None:
        return period
    today, days = period_day(report.period_start, report.period_end, report.as_of)
    return _("{period}: day {day} of {days}").format(period=period, day=today, days=days)


def inclusions_text(package: PackageInfo, meters: tuple[Meter, ...]) -> str:
    """What the package includes: its features, then its monthly allowances on one line."""
    lines = [_("📦 {name} includes:").format(name=package.name)]
    lines += [f"• {feature}" for feature in package.features]
    lines.append(allowances_line(package, meters))
    return "\n".join(lines)


def allowances_line(package: PackageInfo, meters: tuple[Meter, ...]) -> str:
    """``Each month: 1,000 conversations · 5 seats · …`` (meters it does not include left out)."""
    amounts = [
        f"{number(package.allowances[meter.code])} {meter.unit}"
        for meter in meters
        if package.allowances.get(meter.code, 0) > 0
    ]
    return _("Each month: {amounts}").format(amounts=" · ".join(amounts))


def balance_text(report: UsageReport) -> str:
    """The prepaid balance and the active subscriptions (the first few, then a count)."""
    lines = [_("💰 Prepaid balance: {balance}").format(balance=money(report.balance))]
    subscriptions = report.subscriptions
    if not subscriptions:
        lines.append(_("No active subscriptions."))
        return "\n".join(lines)
    lines.append(_("Active subscriptions:"))
    lines += at_most([
        _("• {name}: {price} per {interval}").format(
            name=s.name, price=money(s.price), interval=interval_name(s.interval)
        )
        for s in subscriptions
    ], MAX_SUBSCRIPTIONS)
    return "\n".join(lines)


def comparison_page(catalogue: Catalogue, shown: str, current: str) -> str:
    """One package of the comparison: price, what it adds to the one below, allowances.

    Packages are cumulative ("Everything in Connect"), so each page lists only what
    the package adds, after the line naming the one it builds on.
    """
    package = next((p for p in catalogue.packages if p.code == shown), catalogue.packages[0])
    position = catalogue.packages.index(package) + 1
    title = _("📊 {name} ({position} of {count}): {price} per month").format(
        name=package.name, position=position, count=len(catalogue.packages),
        price=money(package.monthly_price),
    )
    if package.code == current:
        title += _(", your package")
    lines = [title]
    for feature in package.features:
        if feature.startswith("Everything in"):
            lines.append(_("{feature}, plus:").format(feature=feature))
        else:
            lines.append(f"• {feature}")
    lines.append(allowances_line(package, catalogue.meters))
    return "\n".join(lines)
