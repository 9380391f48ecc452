"""A page of the account's history: what storage answers, and how it reads to people.

Each audit row becomes a time (in the account's time zone, named in the heading) and
one plain sentence: who did it (the member's name; "Support" or "The platform" for
rows written without a member), then what. Field changes read as the edit flow shows
them ("Contact e-mail: a → b"); a closure gives its reference; a stopped closure says
why. Rows of an action with no wording here are summarised by their action's name
(the audit keeps their details); rows about no account (refused link codes) never
reach an account's history at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from flows.fields import FIELDS_BY_NAME
from flows.i18n import _, current_locale

SUPPORT_CHANNELS = frozenset({"support", "cli"})
"""Channels of rows written by our staff (the support inbox, the command line)."""


@dataclass(frozen=True, slots=True)
class HistoryCursor:
    """A place in the history's order: newest first by time, then by id."""

    created_at: datetime
    entry_id: int


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One audit row of the account, with the name of the member who wrote it."""

    entry_id: int
    created_at: datetime
    action: str
    changes: Mapping[str, Any]
    user_name: str | None
    channel: str

    @property
    def cursor(self) -> HistoryCursor:
        return HistoryCursor(self.created_at, self.entry_id)


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """Up to a page of entries, newest first, and whether there is more either way.

    ``older_than`` is the cursor that shows this page again (None: the newest page);
    ``timezone`` is the account's (IANA), None when there are no entries.
    """

    entries: tuple[HistoryEntry, ...]
    has_older: bool
    has_newer: bool
    older_than: HistoryCursor | None
    timezone: str | None


def history_text(account_name: str, page: HistoryPage) -> str:
    """The screen: a heading with the time zone, then each entry's time and sentence."""
    if not page.entries:
        return _("🕘 {account}: history\n\nNo changes have been recorded yet.").format(
            account=account_name
        )
    zone = _zone(page.timezone)
    lines = [
        _("🕘 {account}: history, newest first").format(account=account_name),
        _("Times are in {zone}.").format(zone=zone.key),
    ]
    for entry in page.entries:
        # One line an entry (time, then what happened): five fit a phone's screen, so an
        # entry of several lines (several fields changed at once) is run into one.
        local = entry.created_at.astimezone(zone)
        shown = format_datetime(local, "dd MMM y, HH:mm", locale=current_locale())
        sentence = " ".join(entry_sentence(entry).splitlines())
        lines.append(f"{shown} · {sentence}")
    return "\n".join(lines)


def who(entry: HistoryEntry) -> str:
    """The member's name, or who else wrote the row."""
    if entry.user_name:
        return entry.user_name
    return _("Support") if entry.channel in SUPPORT_CHANNELS else _("The platform")


def entry_sentence(entry: HistoryEntry) -> str:
    """What happened, in plain words (more than one line for several fields)."""
    wording = WORDINGS.get(entry.action)
    if wording is None:
        plain = entry.action.replace(".", " ").replace("_", " ")
        return _("{who}: {what}").format(who=who(entry), what=plain)
    return wording(who(entry), entry.changes)


def _details_updated(name: str, changes: Mapping[str, Any]) -> str:
    lines = [_field_change(field, change) for field, change in changes.items()]
    if len(lines) == 1:
        return _("{who} changed {change}").format(who=name, change=lines[0])
    return "\n".join([_("{who} changed:").format(who=name), *(f"• {line}" for line in lines)])


def _field_change(name: str, change: Any) -> str:
    field = FIELDS_BY_NAME.get(name)
    if field is None or not isinstance(change, Mapping):
        return name.replace("_", " ")
    old, new = (_text(change.get(side)) for side in ("from", "to"))
    return f"{field.label}: {field.display(old)} → {field.display(new)}"


def _account_closed(name: str, changes: Mapping[str, Any]) -> str:
    lines = [_("{who} closed the account.").format(who=name)]
    if changes.get("reference"):
        lines.append(_("Closure reference: {reference}").format(reference=changes["reference"]))
    cancelled = changes.get("cancelled_subscriptions") or []
    if cancelled:
        lines.append(_("Cancelled: {names}").format(names=", ".join(map(str, cancelled))))
    if changes.get("forfeited_balance"):
        lines.append(_("Forfeited balance: {amount}").format(amount=changes["forfeited_balance"]))
    return "\n".join(lines)


def _closure_stopped(name: str, changes: Mapping[str, Any]) -> str:
    return _(
        "{who} started closing the account; it was stopped after {attempts} names "
        "that did not match. Nothing was changed."
    ).format(who=name, attempts=changes.get("attempts", "several"))


WORDINGS: dict[str, Callable[[str, Mapping[str, Any]], str]] = {
    "details.updated": _details_updated,
    "account.closed": _account_closed,
    "closure.name_mismatch": _closure_stopped,
}
"""How each audited action reads; another flow that audits adds its action here."""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):  # never stored invalid, but a page must still show
        return ZoneInfo("UTC")
