"""How a usage alert reads: the message owners and admins get when a meter of their
account reaches 80 % or 100 % of what the package includes this billing period.

Pure wording (no I/O): storage decides when an alert is due and queues it in the
outbox with these words and the standing "See usage" button.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flows.i18n import _
from flows.tokens import standing
from flows.types import Choice
from flows.wording import day, percent

THRESHOLDS = (80, 100)
"""Percentages of the included quantity that alert, once each per billing period."""


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """What an alert says: one meter of one account, in one billing period."""

    account_name: str
    meter_label: str
    unit: str
    used: int
    included: int
    threshold: int  # 80 or 100: the highest threshold reached now
    period_end: date  # the last day of the billing period (inclusive)


def usage_alert_text(facts: AlertFacts) -> str:
    """The alert: meter, used / included, the percentage, the period's end, and what
    happens beyond the included quantity."""
    numbers = {
        "account": facts.account_name,
        "meter": facts.meter_label,
        "used": f"{facts.used:,}",
        "included": f"{facts.included:,}",
        "unit": facts.unit,
        "percent": percent(facts.used, facts.included),
        "end": day(facts.period_end),
    }
    if facts.threshold >= 100:
        head = _("⛔ Usage alert for {account}: {meter} used up").format(**numbers)
        after = _(
            "Anything more this period is charged as overage on your next invoice; the "
            "included {unit} start again after {end}."
        ).format(**numbers)
    else:
        head = _("⚠️ Usage alert for {account}: {meter} nearly used up").format(**numbers)
        after = _(
            "Anything beyond {included} {unit} is charged as overage on your next invoice."
        ).format(**numbers)
    used = _(
        "{used} / {included} {unit} used ({percent}%) this billing period, which ends on {end}."
    ).format(**numbers)
    return "\n".join((head, used, after))


def see_usage_choice() -> Choice:
    """The alert's button: opens the package and usage screen, whatever screen is on."""
    return Choice(_("📊 See usage"), standing("start.package"))
