"""The usage chart is drawn once per distinct usage and reused; a change draws it again."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import update

from bot.charts import ChartKey, UsageCharts, chart_key, draw_usage_chart
from flows.engine import Engine
from flows.ports import Meter, MeterUsage, Money, PackageInfo, UsageReport
from storage import models as m
from storage.sandbox import FreshDatabase
from tests.flows.talk import Talk
from tests.storage.helpers import account_id


class CountingCharts(UsageCharts):
    """Counts the calls that went to a thread (the engine calls the object only there)."""

    def __init__(self, **options: int) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.threaded_calls = 0

    def __call__(self, report: UsageReport) -> bytes:
        self.threaded_calls += 1
        return super().__call__(report)


async def view_package(talk: Talk) -> bytes | None:
    """Open the package screen afresh (from the menu): the chart comes with the first look."""
    await talk.say("menu")
    await talk.say("package")
    return talk.replies[0].image


async def test_a_chart_is_drawn_once_and_reused_until_usage_changes(db: FreshDatabase) -> None:
    charts = CountingCharts()
    engine = Engine(db.stores, charts={"test": charts})
    owner = await Talk.open(engine, db, "owner@acme.example")
    viewer = await Talk.open(engine, db, "viewer@acme.example")

    first = await view_package(owner)
    assert first is not None and first.startswith(b"\x89PNG")
    again, other_member = await view_package(owner), await view_package(viewer)
    assert again is first and other_member is first  # the same bytes object, not redrawn
    assert (charts.draws, charts.threaded_calls) == (1, 1)  # later views: no thread

    acme = await account_id(db, "Acme Trading Ltd")
    async with db.database.transaction() as connection:
        await connection.execute(
            update(m.UsageRecord)
            .where(m.UsageRecord.account_id == acme)
            .values(used=m.UsageRecord.used + 1)
        )
    changed = await view_package(owner)
    assert changed is not None and changed != first
    assert charts.draws == 2
    assert await view_package(viewer) is changed and charts.draws == 2


async def test_another_account_gets_its_own_chart(db: FreshDatabase) -> None:
    charts = UsageCharts()
    engine = Engine(db.stores, charts={"test": charts})
    acme = await view_package(await Talk.open(engine, db, "owner@acme.example"))
    initech = await view_package(await Talk.open(engine, db, "owner@initech.example"))
    assert acme is not None and initech is not None and acme != initech
    assert charts.draws == 2 and len(charts) == 2


def a_report(used: int) -> UsageReport:
    """A report for the chart alone (no database): one meter, ``used`` of 1,000."""
    package = PackageInfo(code="interact", name="Interact", monthly_price=Money(Decimal(99), "USD"),
                          features=(), allowances={"m": 1000}, self_service_closure=True)
    today = datetime.now(UTC).date()
    return UsageReport(package=package, period_start=today.replace(day=1), period_end=today,
                       meters=(MeterUsage(Meter("m", "Messages", "messages"), used, 1000),),
                       balance=Money(Decimal(0), "USD"), subscriptions=())


def test_the_cache_is_bounded_least_recently_used_out() -> None:
    drawn: list[ChartKey] = []

    def draw(key: ChartKey) -> bytes:
        drawn.append(key)
        return b"\x89PNG" + repr(key).encode()

    charts = UsageCharts(draw, max_charts=2)
    one, two, three = a_report(1), a_report(2), a_report(3)
    charts(one), charts(two)
    charts(one)  # used again: now the most recent
    charts(three)  # over the bound: two goes
    assert len(charts) == 2 and charts.cached(two) is None
    assert charts.cached(one) is not None and charts.cached(three) is not None
    charts(two)
    assert drawn == [chart_key(r) for r in (one, two, three, two)]


def test_a_bound_in_bytes_keeps_memory_flat() -> None:
    charts = UsageCharts(lambda key: b"x" * 1000, max_bytes=2500)
    for used in range(10):
        charts(a_report(used))
    assert len(charts) == 2


def test_a_crowd_of_first_views_draws_the_chart_once() -> None:
    started = threading.Event()
    calls: list[int] = []

    def slow_draw(key: ChartKey) -> bytes:
        calls.append(1)
        started.wait(timeout=5)  # hold the others back until every thread asked
        return draw_usage_chart(key)

    charts = UsageCharts(slow_draw)
    report = a_report(500)
    images: list[bytes] = []
    together = threading.Barrier(8)

    def view() -> None:
        together.wait(timeout=5)
        images.append(charts(report))

    threads = [threading.Thread(target=view) for _ in range(8)]
    for thread in threads:
        thread.start()
    started.set()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and charts.draws == 1
    assert len(images) == 8 and all(image is images[0] for image in images)


def test_a_change_in_what_the_chart_shows_is_a_new_key() -> None:
    report = a_report(10)
    assert chart_key(report) == chart_key(replace(report))
    assert chart_key(report) != chart_key(a_report(11))
    later = replace(report, period_start=report.period_start.replace(year=2020))
    assert chart_key(report) != chart_key(later)
    day_one = replace(report, as_of=report.period_start)
    assert chart_key(day_one) != chart_key(report)  # the day marker moves: a new picture
    assert chart_key(day_one)[2] == (1, (report.period_end - report.period_start).days + 1)
