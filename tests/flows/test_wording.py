"""How a meter reads: four statuses on exact amounts, one short line each, and the day of
the billing period."""

from __future__ import annotations

from datetime import date

import pytest

from flows.ports import Meter, MeterUsage
from flows.wording import UsageStatus, meter_line, period_day, usage_status

SEATS = Meter("agent_seats", "Agent seats", "seats")


@pytest.mark.parametrize(
    ("used", "included", "status"),
    [
        (0, 1000, UsageStatus.WITHIN),
        (799, 1000, UsageStatus.WITHIN),
        (800, 1000, UsageStatus.NEAR),
        (999, 1000, UsageStatus.NEAR),  # rounds to 100 %, yet one is left
        (1, 1, UsageStatus.FULL),  # 1 of 1 seat: all used, nothing owed
        (1000, 1000, UsageStatus.FULL),
        (1001, 1000, UsageStatus.OVER),
        (3, 0, UsageStatus.OVER),  # used without being included
        (0, 0, UsageStatus.WITHIN),
    ],
)
def test_the_status_comes_from_exact_amounts(
    used: int, included: int, status: UsageStatus
) -> None:
    assert usage_status(used, included) is status


@pytest.mark.parametrize(
    ("used", "included", "line"),
    [
        (3, 5, "🟢 Agent seats: 3 / 5 (60%)"),
        (4, 5, "🟡 Agent seats: 4 / 5 (80%), nearly used up"),
        (1, 1, "🔵 Agent seats: 1 / 1 (100%), all used"),
        (7, 5, "🔴 Agent seats: 7 / 5 (140%), 2 over"),
        (2, 0, "🔴 Agent seats: 2 used, none included"),
    ],
)
def test_one_short_line_a_meter(used: int, included: int, line: str) -> None:
    assert meter_line(MeterUsage(SEATS, used, included)) == line
    assert "\n" not in line


def test_a_full_allowance_is_not_called_an_overage_or_a_warning() -> None:
    line = meter_line(MeterUsage(SEATS, 1, 1))
    assert "over" not in line and "nearly" not in line and "⚠" not in line


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2026, 11, 1), (1, 30)), (date(2026, 11, 27), (27, 30)), (date(2026, 11, 30), (30, 30))],
)
def test_the_day_of_the_period(today: date, expected: tuple[int, int]) -> None:
    assert period_day(date(2026, 11, 1), date(2026, 11, 30), today) == expected
