"""History: the account's audited changes, newest first, five at a time.

Owners and admins only. Pages are keyset pages on (time, id): "Older" asks for the
entries strictly older than the page's last one, "Newer" for those strictly newer
than its first, so a page never skips or repeats an entry while others are added.
The flow keeps only the cursor that reproduces the page on screen
(``older_than``), so help, a stale press or a restart shows the same page again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flows.base import FlowMachine, State
from flows.context import FlowContext, Option
from flows.history_pages import HistoryCursor, HistoryEntry, HistoryPage, history_text
from flows.i18n import N_, _
from flows.intents import IntentRule, words
from flows.menu import MenuEntry
from flows.ports import Capability
from flows.refusals import role_refusal
from flows.types import Role

PAGE_SIZE = 5

__all__ = [
    "HISTORY",
    "PAGE_SIZE",
    "HistoryCursor",
    "HistoryEntry",
    "HistoryFlow",
    "HistoryPage",
    "HistoryReader",
]


class HistoryReader(Protocol):
    async def history_page(
        self,
        account_id: int,
        *,
        older_than: HistoryCursor | None = None,
        newer_than: HistoryCursor | None = None,
        size: int = PAGE_SIZE,
    ) -> HistoryPage:
        """Up to ``size`` audit entries of the account, newest first: the newest ones,
        those strictly older than ``older_than``, or those strictly newer than
        ``newer_than`` (nearest first), in one statement."""


HISTORY = Capability[HistoryReader]("history")


@dataclass(frozen=True, slots=True)
class _Shown:
    """What the flow remembers of the page on screen (in ``ctx.data``)."""

    older_than: HistoryCursor | None
    first: HistoryCursor | None
    last: HistoryCursor | None


class HistoryFlow(FlowMachine):
    """One screen, a page of five entries, with Older/Newer while there are more."""

    flow_name = "history"
    menu_entry = MenuEntry(N_("🕘 History"), position=35, least_role=Role.ADMIN)
    intent_rule = IntentRule(
        precedence=15,  # above details: "account history" is this flow's, not details'
        all_of=(words("history audit activity"),),
    )
    help_text = N_(
        "This is what changed on the account, newest first, five at a time, with who "
        "changed it and when (in the account's time zone). Press Older or Newer to page."
    )

    browsing = State(initial=True)

    older = browsing.to.itself(cond="has_older", on="load_older")
    newer = browsing.to.itself(cond="has_newer", on="load_newer")

    page: HistoryPage | None = None
    """The page an event just loaded; None when the screen is shown again."""

    @classmethod
    def refusal(cls, ctx: FlowContext) -> str | None:
        if ctx.user.role.can_edit:
            return None
        return role_refusal(ctx.user, _("see the account's history"), Role.ADMIN)

    # -- guards -------------------------------------------------------------
    def has_older(self) -> bool:
        return _shown(self.ctx.data).last is not None and bool(self.ctx.data.get("has_older"))

    def has_newer(self) -> bool:
        return _shown(self.ctx.data).first is not None and bool(self.ctx.data.get("has_newer"))

    # -- actions ------------------------------------------------------------
    async def load_older(self) -> None:
        last = _shown(self.ctx.data).last
        self.page = await self._reader().history_page(self.ctx.user.account_id, older_than=last)

    async def load_newer(self) -> None:
        first = _shown(self.ctx.data).first
        self.page = await self._reader().history_page(self.ctx.user.account_id, newer_than=first)

    # -- screens --------------------------------------------------------------
    async def render_browsing(self) -> None:
        page = self.page
        if page is None:  # shown again (help, restart): the same page, from its cursor
            older_than = _shown(self.ctx.data).older_than
            page = await self._reader().history_page(
                self.ctx.user.account_id, older_than=older_than
            )
        _remember(self.ctx.data, page)
        options: list[Option] = []
        if page.has_newer:
            options.append((_("⬅️ Newer"), "newer"))
        if page.has_older:
            options.append((_("Older ➡️"), "older"))
        options.append((_("🏠 Menu"), "menu"))
        self.ctx.screen(history_text(self.ctx.user.account_name, page), options)

    def _reader(self) -> HistoryReader:
        return self.ctx.store.get(HISTORY)


def _cursor(value: Any) -> HistoryCursor | None:
    if not value:
        return None
    moment, entry_id = value
    return HistoryCursor(datetime.fromisoformat(moment), int(entry_id))


def _stored(cursor: HistoryCursor | None) -> list[Any] | None:
    return None if cursor is None else [cursor.created_at.isoformat(), cursor.entry_id]


def _shown(data: dict[str, Any]) -> _Shown:
    older_than, first, last = (_cursor(data.get(k)) for k in ("older_than", "first", "last"))
    return _Shown(older_than, first, last)


def _remember(data: dict[str, Any], page: HistoryPage) -> None:
    entries = page.entries
    data.update(
        older_than=_stored(page.older_than),
        first=_stored(entries[0].cursor) if entries else None,
        last=_stored(entries[-1].cursor) if entries else None,
        has_older=page.has_older,
        has_newer=page.has_newer,
    )
