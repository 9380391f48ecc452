"""The usage chart: one bar per meter, used as a share of what the package includes.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no GUI, no global
state), so it is safe inside the bot's event loop and in worker threads. A chart costs
tens of milliseconds of CPU (holding the GIL most of that time) while usage changes
far less often than people look at it, so :class:`UsageCharts` draws each distinct
chart once and hands out the same PNG bytes until the usage it shows changes.

``render_usage_chart`` is the process's one :class:`UsageCharts`; it implements
``flows.context.CachedChartRenderer``: pass ``charts={"telegram": render_usage_chart}``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from bot.usage_chart import Marker, Row, draw_chart
from flows.i18n import _, current_language, use_language
from flows.ports import UsageReport
from flows.wording import day, period_day, short_day

# (label, used, included) per meter, the title, the day of the period (if known) and
# the language of its words: all a chart depends on.
ChartKey = tuple[tuple[Row, ...], str, Marker | None, str]

MAX_CHARTS = 512  # a chart is about 20-30 kB: at most about 15 MiB kept
MAX_BYTES = 32 * 2**20


def chart_key(report: UsageReport) -> ChartKey:
    """Everything the picture shows: each meter's label, use and allowance, the title
    (package and period) and the day of the period. A usage change, another package, a
    new period or a new day gives a new key; two accounts whose charts would be identical
    share one picture."""
    rows = tuple(
        (usage.meter.label, usage.used, usage.included)
        for usage in report.meters
        if usage.included > 0 or usage.used > 0
    )
    start, end = report.period_start, report.period_end
    title = _("{package}: usage {start} – {end}").format(
        package=report.package.name,
        start=short_day(start) if start.year == end.year else day(start),
        end=day(end),
    )
    marker = None
    if report.as_of is not None:
        marker = period_day(report.period_start, report.period_end, report.as_of)
    return rows, title, marker, current_language()


class UsageCharts:
    """Usage charts drawn once per distinct content and kept (least recently used out).

    ``cached(report)`` answers from memory without drawing (None when not drawn yet), so
    the engine need not go to a thread; calling the object draws what is missing. Two
    threads asking for the same missing chart draw it once: drawing is serialized, which
    costs nothing (matplotlib holds the GIL anyway) and keeps a crowd of first views from
    drawing the same picture side by side. ``draws`` counts the pictures drawn.
    """

    def __init__(
        self,
        draw: Callable[[ChartKey], bytes] | None = None,
        *,
        max_charts: int = MAX_CHARTS,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self._draw = draw or draw_usage_chart
        self._max_charts = max_charts
        self._max_bytes = max_bytes
        self._kept: OrderedDict[ChartKey, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # the dict, from the loop and from drawing threads
        self._drawing = threading.Lock()  # one drawing at a time
        self.draws = 0

    def cached(self, report: UsageReport) -> bytes | None:
        """The chart for ``report`` if it was drawn already, else None (cheap, no drawing)."""
        return self._get(chart_key(report))

    def __call__(self, report: UsageReport) -> bytes:
        """PNG bytes of this period's usage per meter (meters the package does not include
        and that were not used are left out); drawn only if not kept already."""
        key = chart_key(report)
        found = self._get(key)
        if found is not None:
            return found
        with self._drawing:
            found = self._get(key)  # drawn by the thread we waited for
            if found is None:
                found = self._draw(key)
                self.draws += 1
                self._keep(key, found)
        return found

    def __len__(self) -> int:
        return len(self._kept)

    def _get(self, key: ChartKey) -> bytes | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def _keep(self, key: ChartKey, image: bytes) -> None:
        with self._lock:
            self._kept[key] = image
            self._size += len(image)
            while len(self._kept) > self._max_charts or (
                self._size > self._max_bytes and len(self._kept) > 1
            ):
                _, dropped = self._kept.popitem(last=False)
                self._size -= len(dropped)


def draw_usage_chart(key: ChartKey) -> bytes:
    """Draw the chart for ``key`` (see :func:`chart_key`) as PNG bytes."""
    rows, title, marker, language = key
    with use_language(language):  # the axis and legend in the key's language, on any thread
        return draw_chart(rows, title, marker)


render_usage_chart = UsageCharts()
"""The process's usage charts (``charts={"telegram": render_usage_chart}``)."""
