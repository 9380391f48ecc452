"""Drawing the usage chart: one bar per meter, sized for a phone.

Each meter is a row: its name and numbers written above a grey track that stands for
what the package includes (0-100 %), the used share drawn over the track in the
colour of its status (the same four as the text's marks, see
``flows.wording.UsageStatus``). Two short vertical ticks cross each bar: the end of the
allowance (100 %) and how far through the billing period we are ("Day 27 of 30"), so
87 % on day 27 reads differently from 87 % on day 5. The ticks span the bars only and
the text sits between the bars, so no label ever crosses the 100 % line.

Object API on the Agg canvas (no pyplot, no global state): safe in worker threads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from flows.i18n import _
from flows.wording import STATUS_NAMES, UsageStatus, number, percent, usage_status

COLOURS = {
    UsageStatus.WITHIN: "#2e7d32",
    UsageStatus.NEAR: "#f9a825",
    UsageStatus.FULL: "#1565c0",
    UsageStatus.OVER: "#c62828",
}
TRACK = "#e3e3e3"  # what the package includes, 0-100 %
LIMIT_TICK = "#212121"
DAY_TICK = "#7b1fa2"
AXIS_LIMIT = 150  # % shown at most; a longer bar is cut there and its label says how far

BAR = 0.34  # bar height in row units (one row per meter)
TICK = 0.25  # half the height of the 100 % and day ticks: a little beyond the bar
TEXT_GAP = 0.3  # from a bar's centre to the bottom of its label: above the ticks
FONT = 15  # points on a 6.4 in wide figure: about 3 % of its width, readable on a phone

Row = tuple[str, int, int]  # meter label, used, included
Marker = tuple[int, int]  # day of the billing period, days in it


def draw_chart(rows: Sequence[Row], title: str, marker: Marker | None) -> bytes:
    """The chart of ``rows`` as PNG bytes, with the day ``marker`` when it is known."""
    buffer = io.BytesIO()
    chart_figure(rows, title, marker).savefig(buffer, format="png")
    return buffer.getvalue()


def chart_figure(rows: Sequence[Row], title: str, marker: Marker | None) -> Figure:
    """The chart as a matplotlib figure (on an Agg canvas). Its artists are named for
    tests with ``gid``: ``used-bar``, ``value-label``, ``limit-tick``, ``day-tick``,
    ``day-label``."""
    figure = Figure(figsize=(6.4, 2.5 + 0.9 * max(len(rows), 1)), dpi=125, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    shares = [percent(used, included) for _label, used, included in rows]
    right = max(100, min(max(shares, default=0), AXIS_LIMIT)) + 8
    for index, ((label, used, included), share) in enumerate(zip(rows, shares, strict=True)):
        y = len(rows) - 1 - index  # the first meter on top
        status = usage_status(used, included)
        axes.barh(y, 100, height=BAR, color=TRACK)
        axes.barh(y, min(share, AXIS_LIMIT), height=BAR, color=COLOURS[status], gid="used-bar")
        axes.text(0, y + TEXT_GAP, value_label(label, used, included, share),
                  fontsize=FONT, va="bottom", ha="left", gid="value-label")
        axes.vlines(100, y - TICK, y + TICK, color=LIMIT_TICK, linewidth=2.5, gid="limit-tick")
        if marker is not None:
            axes.vlines(elapsed(marker), y - TICK, y + TICK, color=DAY_TICK, linewidth=2.5,
                        linestyles=(0, (1.5, 1)), gid="day-tick")
    top = len(rows) - 1 + 0.95
    if marker is not None:
        axes.text(elapsed(marker), top, _("Day {day} of {days}").format(day=marker[0],
                  days=marker[1]), fontsize=FONT - 2, color=DAY_TICK, va="top",
                  ha="center" if 12 < elapsed(marker) < 88 else "left" if elapsed(marker) <= 12
                  else "right", gid="day-label")
    axes.set_ylim(-0.6, top)
    axes.set_xlim(0, right)
    ticks = [t for t in (0, 25, 50, 75, 100, 125, 150) if t <= right]
    axes.set_xticks(ticks, [f"{t} %" for t in ticks], fontsize=FONT - 3)
    axes.set_xlabel(_("Used, as % of what your package includes"), fontsize=FONT - 2)
    axes.set_yticks([])
    axes.spines[["top", "right", "left"]].set_visible(False)
    axes.set_title(title, fontsize=FONT + 1, loc="left")
    figure.legend(handles=legend_handles(marker), loc="outside lower center", ncols=2,
                  fontsize=FONT - 3, frameon=False)
    return figure


def value_label(label: str, used: int, included: int, share: int) -> str:
    """``Conversations: 870 of 1,000 (87 %)``; a meter not included says so."""
    if included <= 0:
        return _("{label}: {used} used, none included").format(label=label, used=number(used))
    return _("{label}: {used} of {included} ({share} %)").format(
        label=label, used=number(used), included=number(included), share=number(share)
    )


def elapsed(marker: Marker) -> float:
    """How far through the period the end of today is, in % (day 27 of 30: 90 %)."""
    today, days = marker
    return 100 * today / days


def legend_handles(marker: Marker | None) -> list[Patch | Line2D]:
    """The four colours, the 100 % tick and the day tick, each named."""
    handles: list[Patch | Line2D] = [
        Patch(color=COLOURS[status], label=_(STATUS_NAMES[status])) for status in UsageStatus
    ]
    handles.append(Line2D([], [], color=LIMIT_TICK, linewidth=2.5,
                          label=_("100 %: the allowance")))
    if marker is not None:
        label = _("today: day {day} of {days}").format(day=marker[0], days=marker[1])
        handles.append(Line2D([], [], color=DAY_TICK, linewidth=2.5, linestyle=(0, (1.5, 1)),
                              label=label))
    return handles
