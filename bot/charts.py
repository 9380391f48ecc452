"""The usage chart: one bar per meter, used as a share of what the package includes.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no GUI, no global
state), so it is safe inside the bot's event loop and in worker threads. Implements
``flows.context.ChartRenderer``; pass ``charts={"telegram": render_usage_chart}``.
"""

from __future__ import annotations

import io
from functools import lru_cache

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from flows.ports import UsageReport
from flows.wording import day, percent

OK, NEAR, OVER = "#2e7d32", "#f9a825", "#c62828"
AXIS_LIMIT = 150  # % shown; beyond it the bar is clipped and the label says how far

# (label, used, included) per meter, and the title: all a chart depends on.
ChartKey = tuple[tuple[tuple[str, int, int], ...], str]


def render_usage_chart(report: UsageReport) -> bytes:
    """PNG bytes of this period's usage per meter (meters the package does not include
    and that were not used are left out)."""
    rows = tuple(
        (usage.meter.label, usage.used, usage.included)
        for usage in report.meters
        if usage.included > 0 or usage.used > 0
    )
    title = (
        f"{report.package.name}: usage {day(report.period_start)} – {day(report.period_end)}"
    )
    return _draw((rows, title))


@lru_cache(maxsize=256)
def _draw(key: ChartKey) -> bytes:
    # Cached: a chart costs tens of milliseconds and usage changes far less often than
    # people look at it.
    rows, title = key
    figure = Figure(figsize=(6.4, 0.6 + 0.55 * max(len(rows), 1)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [label for label, _, _ in rows][::-1]
    shares = [percent(used, included) for _, used, included in rows][::-1]
    colours = [OVER if s > 100 else NEAR if s >= 80 else OK for s in shares]
    axes.barh(labels, [min(s, AXIS_LIMIT) for s in shares], color=colours, height=0.6)
    axes.axvline(100, color="#555555", linestyle="--", linewidth=1)
    for index, (share, (_, used, included)) in enumerate(zip(shares, rows[::-1], strict=True)):
        axes.text(min(share, AXIS_LIMIT) + 2, index, f"{share}%  ({used:,} / {included:,})",
                  va="center", fontsize=8)
    axes.set_xlim(0, AXIS_LIMIT + 45)
    axes.set_xticks([0, 25, 50, 75, 100, 125, 150])
    axes.set_xticklabels(["0", "25", "50", "75", "100%", "125", "150"])
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
