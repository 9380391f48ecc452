"""What a flow sees while it handles one event, and how it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from flows.ports import TurnStore, UsageReport, UserContext
from flows.settings import EngineSettings
from flows.trail import Trail
from flows.types import Choice, ConversationKey, Reply


class ChartRenderer(Protocol):
    """Draws the usage chart for channels that can show images (PNG bytes)."""

    def __call__(self, report: UsageReport) -> bytes: ...


@runtime_checkable
class CachedChartRenderer(ChartRenderer, Protocol):
    """A renderer that keeps what it drew: ``cached`` answers without drawing (None when
    the chart is not drawn yet), so the engine need not go to a thread for it."""

    def cached(self, report: UsageReport) -> bytes | None: ...


def cached_chart(renderer: ChartRenderer, report: UsageReport) -> bytes | None:
    """The chart ``renderer`` already has for ``report``, if it keeps charts and has it."""
    return renderer.cached(report) if isinstance(renderer, CachedChartRenderer) else None


Option = tuple[str, str]
"""A choice as flows write it: (label, action). The engine turns actions into tokens."""


@dataclass(slots=True)
class FlowContext:
    """One update's worth of everything a flow may use.

    ``data`` is the flow's persisted scratch space. ``notes`` are short remarks
    (a validation error, a refusal) that the engine puts in front of the next
    screen, so the user sees why and the question again in one message.
    """

    store: TurnStore
    user: UserContext
    data: dict[str, Any]
    now: datetime
    channel: str
    settings: EngineSettings
    charts: ChartRenderer | None = None
    key: ConversationKey | None = None  # the conversation this update is for
    replies: list[Reply] = field(default_factory=list)
    charts_to_draw: list[tuple[Reply, UsageReport]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    switch_to: tuple[str, dict[str, Any]] | None = None
    menu_after: bool = True  # False when nothing is left to choose (the account was closed)
    account_closed: bool = False  # this update closed the account (for the engine's observer)
    trail: Trail = field(default_factory=Trail)  # where the user was, what they last typed

    def note(self, text: str) -> None:
        """Say ``text`` in front of whatever screen comes next."""
        self.notes.append(text)

    def say(self, text: str, *, keep: bool = False) -> None:
        """Send ``text`` as its own message (``keep`` for results worth keeping)."""
        self.replies.append(Reply(text=self._with_notes(text), keep=keep))

    def screen(self, text: str, options: list[Option], *, chart: UsageReport | None = None) -> None:
        """Show a screen: text with choices; notes gathered so far go in front.

        ``chart`` asks for a usage chart on channels that draw one; the engine draws
        it after the update is committed, so drawing never holds the transaction.
        """
        choices = [Choice(label=label, token=action) for label, action in options]
        reply = Reply(text=self._with_notes(text), choices=choices)
        self.replies.append(reply)
        if chart is not None and self.charts is not None:
            self.charts_to_draw.append((reply, chart))

    def switch(self, flow: str, **args: Any) -> None:
        """End this flow and start ``flow`` with ``args`` once the event is handled."""
        self.switch_to = (flow, args)

    def flush_notes(self) -> None:
        """Send pending notes as a message of their own (when no screen follows)."""
        if self.notes:
            self.replies.append(Reply(text="\n\n".join(self.notes)))
            self.notes.clear()

    def _with_notes(self, text: str) -> str:
        if not self.notes:
            return text
        joined = "\n\n".join([*self.notes, text])
        self.notes.clear()
        return joined
