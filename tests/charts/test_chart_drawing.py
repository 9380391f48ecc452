"""What the usage chart shows, read from the figure's artists (matplotlib's public API):
labels clear of the 100 % line, the day marker where the period is, a legend, colours."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bot.usage_chart import COLOURS, FONT, Row, chart_figure
from flows.wording import UsageStatus

# Every kind of meter: unused, low, nearly used, just under, exactly full, over, far over
# (cut at the axis), and used without being included. Long labels and big numbers too.
ROWS: list[Row] = [
    ("Conversations", 0, 1000),
    ("Agent seats", 3, 5),
    ("Campaign messages", 870, 1000),
    ("Chatbot sessions", 1999, 2000),
    ("Seats", 1, 1),
    ("Broadcast recipients", 2340, 2000),
    ("Payments processed", 9_999_999, 1000),
    ("Extra numbers", 4, 0),
]


def axes_of(figure: Figure) -> Axes:
    figure.draw_without_rendering()  # lay out, so extents are final
    return figure.axes[0]


def named(axes: Axes, gid: str) -> list[Text]:
    return [text for text in axes.texts if text.get_gid() == gid]


def ticks(axes: Axes, gid: str) -> list[LineCollection]:
    return [c for c in axes.collections if isinstance(c, LineCollection) and c.get_gid() == gid]


def extent(line: LineCollection) -> Bbox:
    """Where ``line`` is drawn, in pixels, its width included."""
    points = line.get_transform().transform(np.vstack(line.get_segments()))
    half = max(line.get_linewidths()) / 2 * line.figure.dpi / 72  # type: ignore[union-attr]
    (left, bottom), (right, top) = points.min(axis=0), points.max(axis=0)
    return Bbox.from_extents(left - half, bottom - half, right + half, top + half)


@pytest.mark.parametrize("marker", [(1, 30), (27, 30), (30, 30), None])
def test_no_value_label_crosses_the_100_percent_line(marker: tuple[int, int] | None) -> None:
    axes = axes_of(chart_figure(ROWS, "Interact: usage", marker))
    labels = named(axes, "value-label")
    limit_lines = ticks(axes, "limit-tick")
    assert len(labels) == len(ROWS) == len(limit_lines)
    lines = [extent(line) for line in limit_lines]
    day_lines = [extent(line) for line in ticks(axes, "day-tick")]
    for label in labels:
        box = label.get_window_extent()
        for line in lines:
            assert not box.overlaps(line), (label.get_text(), box, line)
        for line in day_lines:  # nor the day marker
            assert not box.overlaps(line), (label.get_text(), box, line)


def test_each_label_says_the_numbers_and_a_far_over_bar_is_cut_but_labelled() -> None:
    axes = axes_of(chart_figure(ROWS, "Interact: usage", (27, 30)))
    texts = [label.get_text() for label in named(axes, "value-label")]
    assert texts[2] == "Campaign messages: 870 of 1,000 (87 %)"
    assert texts[6] == "Payments processed: 9,999,999 of 1,000 (1,000,000 %)"
    assert texts[7] == "Extra numbers: 4 used, none included"
    widths = [bar.get_width() for bar in axes.patches if bar.get_gid() == "used-bar"]
    assert max(widths) <= axes.get_xlim()[1]  # cut at the axis, not off the picture


@pytest.mark.parametrize(("day", "days", "x"), [(27, 30, 90.0), (5, 30, 100 * 5 / 30),
                                                 (1, 28, 100 / 28), (31, 31, 100.0)])
def test_the_day_marker_stands_where_the_period_is(day: int, days: int, x: float) -> None:
    axes = axes_of(chart_figure(ROWS[:3], "Interact: usage", (day, days)))
    markers = ticks(axes, "day-tick")
    assert len(markers) == 3
    for marker in markers:
        assert all(segment[:, 0] == pytest.approx([x, x]) for segment in marker.get_segments())
    (label,) = named(axes, "day-label")
    assert label.get_text() == f"Day {day} of {days}"
    assert label.get_position()[0] == pytest.approx(x)


def test_without_a_day_there_is_no_marker() -> None:
    axes = axes_of(chart_figure(ROWS[:2], "Interact: usage", None))
    assert not ticks(axes, "day-tick") and not named(axes, "day-label")


def test_the_limit_line_is_at_100_percent_and_the_axis_is_labelled() -> None:
    axes = axes_of(chart_figure(ROWS[:2], "Interact: usage", (3, 30)))
    for line in ticks(axes, "limit-tick"):
        assert all(segment[:, 0] == pytest.approx([100, 100]) for segment in line.get_segments())
    assert "%" in axes.get_xlabel()
    assert "100 %" in [tick.get_text() for tick in axes.get_xticklabels()]


def test_the_legend_names_every_colour_and_both_lines() -> None:
    figure = chart_figure(ROWS[:2], "Interact: usage", (27, 30))
    (legend,) = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "within the allowance",
        "nearly used up (≥ 80 %)",
        "all used, nothing over",
        "over the allowance",
        "100 %: the allowance",
        "today: day 27 of 30",
    ]


def test_a_full_quota_is_its_own_calm_colour_not_a_warning() -> None:
    axes = axes_of(chart_figure(ROWS, "Interact: usage", (27, 30)))
    bars: list[Rectangle] = [bar for bar in axes.patches if bar.get_gid() == "used-bar"]
    colours = [to_hex(bar.get_facecolor()) for bar in bars]
    assert colours == [
        COLOURS[UsageStatus.WITHIN],  # 0 of 1,000
        COLOURS[UsageStatus.WITHIN],  # 3 of 5
        COLOURS[UsageStatus.NEAR],  # 87 %
        COLOURS[UsageStatus.NEAR],  # 1,999 of 2,000: rounds to 100 %, still not full
        COLOURS[UsageStatus.FULL],  # 1 of 1 seat: all used, nothing over
        COLOURS[UsageStatus.OVER],
        COLOURS[UsageStatus.OVER],
        COLOURS[UsageStatus.OVER],  # used, none included
    ]


def test_type_is_large_enough_for_a_phone() -> None:
    """Shown about 360 points wide on a phone, text must keep about 10 points: each text's
    size is at least 2.5 % of the picture's width."""
    figure = chart_figure(ROWS[:3], "Interact: usage", (27, 30))
    axes = axes_of(figure)
    width_points = figure.get_figwidth() * 72
    sizes = [text.get_fontsize() for text in axes.texts]
    sizes += [label.get_fontsize() for label in axes.get_xticklabels()]
    sizes += [text.get_fontsize() for text in figure.legends[0].get_texts()]
    assert min(sizes) / width_points >= 0.025, (min(sizes), width_points)
    assert FONT / width_points >= 0.03
