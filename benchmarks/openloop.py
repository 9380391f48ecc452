"""Latency at a steady rate: updates injected open-loop, whatever the replies, per rate.

    .venv/bin/python benchmarks/openloop.py                    # both backends, both workloads
    .venv/bin/python benchmarks/openloop.py --seconds 5 --repeat 1 --backends sqlite
    .venv/bin/python benchmarks/openloop.py --rates 200,400 --workloads mixed --profile 200

The saturation benchmark (``benchmarks/throughput.py``) has each user wait for its
reply, so the load backs off as the bot slows down and its latencies are mostly
queueing. Real users do not wait for one another: here an injector schedules update
``i`` at ``t0 + i / rate`` across ``--chats`` linked chats (round robin) and never
waits for replies. Latency is the time from an update's *scheduled* send to the end
of its handling (its replies sent), so a bot that falls behind is charged for the
wait, not only for the work (no coordinated omission).

Per rate it prints the offered and achieved rate (updates finished inside the
window, per second), p50/p95/p99 latency over every update of the run (those still
in flight when the window closes are waited for, and any still unfinished after
``--drain`` seconds count with the time they had waited), the backlog (updates in
flight) when the window closes, and then the knee: the highest rate whose p99 stays
under the target and whose achieved rate is at least 95 % of the offered one. Updates
the load shedder answered "busy" instead of handling them (past the knee) are counted as
``shed`` and left out of the achieved rate (their quick answers still count in latency).

The stacks are those of the throughput benchmark, in the same process and run:

- bare aiogram (``--no-baseline`` to skip): a ``Dispatcher`` whose one handler
  answers every message, at the same rates;
- the full stack: our dispatcher (chat order, flood guard, linking), the engine and
  the database, with the in-memory Telegram. Workloads as in ``throughput.py``:
  ``menu`` (type "menu", press Help) and ``mixed`` (menu, Account details, Menu,
  Package & usage with its chart). A chat presses the button of its newest menu; if
  the reply carrying it has not arrived yet (only past the knee), it types "menu"
  instead, and the run counts those as ``fallbacks``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.peers import REDIS_URL
from benchmarks.profiling import by_package
from benchmarks.stacks import FIRST_CHAT, WORKLOADS, Feed, bare_stack, full_stack
from bot.chat_isolation import open_chat_isolation
from bot.gc_tuning import tune_for_serving
from bot.ops.metrics import SHED
from storage.sandbox import fresh_demo_database
from testkit.telegram.emulator import FakeTelegram

DEFAULT_RATES = "100,200,400,600,800"
# p99 targets of issue 9, per backend (ms): what a chat should feel as instant.
TARGET_MS = {"sqlite": 50.0, "postgresql": 100.0}
ENOUGH = 0.95  # achieved / offered for a rate to count as sustained

MakeUpdate = Callable[[int], dict[str, Any]]


@dataclass
class RateRun:
    """One open-loop run at one offered rate."""

    offered: float
    seconds: float
    finished_in_window: int = 0
    backlog: int = 0  # updates in flight when the window closed
    unfinished: int = 0  # still in flight after the drain: counted with their wait so far
    fallbacks: int = 0
    shed: int = 0  # answered "busy" by the load shedder instead of being handled
    failures: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def achieved(self) -> float:
        """Updates handled inside the window, per second (shed ones not counted)."""
        return max(0, self.finished_in_window - self.shed) / self.seconds

    def cut(self, percent: int) -> float:
        """The ``percent`` percentile of latency, in seconds."""
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[percent - 1]

    def sustained(self, target_ms: float) -> bool:
        return self.cut(99) * 1e3 < target_ms and self.achieved >= ENOUGH * self.offered

    def line(self) -> str:
        extra = []
        if self.unfinished:
            extra.append(f"{self.unfinished} unfinished after the drain")
        if self.fallbacks:
            extra.append(f"{self.fallbacks} fallbacks")
        if self.shed:
            extra.append(f"{self.shed} shed")
        if self.failures:
            extra.append(f"{self.failures} FAILED")
        return (f"{self.offered:>6.0f}/s offered {self.achieved:>6.0f}/s achieved   "
                f"p50 {ms(self.cut(50))}  p95 {ms(self.cut(95))}  p99 {ms(self.cut(99))}   "
                f"backlog {self.backlog:>5}" + (f"   ({', '.join(extra)})" if extra else ""))


def ms(seconds: float) -> str:
    value = seconds * 1e3
    return f"{value:7.1f} ms" if value < 10_000 else f"{value / 1e3:7.1f} s "


async def inject(feed: Feed, make: MakeUpdate, rate: float, seconds: float,
                 drain: float) -> RateRun:
    """Feed update ``i`` at ``t0 + i / rate`` for ``seconds``; never wait for a reply."""
    run = RateRun(offered=rate, seconds=seconds)
    total = round(rate * seconds)
    in_flight: dict[asyncio.Task[None], float] = {}
    t0 = time.perf_counter() + 0.05
    end = t0 + seconds

    async def one(index: int, due: float) -> None:
        try:
            await feed(make(index))
        except Exception:
            run.failures += 1
        finished = time.perf_counter()
        run.latencies.append(finished - due)
        if finished <= end:
            run.finished_in_window += 1

    loop = asyncio.get_running_loop()
    sent = 0
    while sent < total:
        now = time.perf_counter()
        # Everything due by now goes out at once: a busy loop delays the injection but
        # not the schedule latency is measured from.
        while sent < total and t0 + sent / rate <= now:
            due = t0 + sent / rate
            task = loop.create_task(one(sent, due))
            in_flight[task] = due
            task.add_done_callback(lambda done: in_flight.pop(done, None))
            sent += 1
        if sent < total:
            await asyncio.sleep(max(0.0, t0 + sent / rate - time.perf_counter()))
    await asyncio.sleep(max(0.0, end - time.perf_counter()))
    run.backlog = len(in_flight)
    if in_flight:
        await asyncio.wait(list(in_flight), timeout=drain)
    now = time.perf_counter()
    for task, due in list(in_flight.items()):
        task.cancel()
        run.unfinished += 1
        run.latencies.append(now - due)
    if in_flight:
        await asyncio.gather(*in_flight, return_exceptions=True)
    return run


def open_loop_workload(telegram: FakeTelegram, name: str, chats: int,
                       fell_back: Callable[[], None]) -> MakeUpdate:
    """Update ``i``: chat ``i % chats`` takes the next step of the workload's cycle."""
    cycle = WORKLOADS[name]
    turns = [0] * chats

    def make(index: int) -> dict[str, Any]:
        slot = index % chats
        chat_id = FIRST_CHAT + slot
        step = cycle[turns[slot] % len(cycle)]
        turns[slot] += 1
        if step != "menu":
            try:
                return telegram.press_button(chat_id, step)
            except (LookupError, KeyError):  # its menu has not arrived yet: past the knee
                fell_back()
                turns[slot] = 1  # "menu" below, then the cycle goes on from there
        return telegram.send_text(chat_id, "menu")

    return make


def say_hi(telegram: FakeTelegram, chats: int) -> MakeUpdate:
    def make(index: int) -> dict[str, Any]:
        return telegram.send_text(FIRST_CHAT + index % chats, f"hi {index}")

    return make


def shed_so_far() -> float:
    """Updates the load shedder answered "busy" in this process (its Prometheus counter)."""
    return sum(
        sample.value
        for family in SHED.collect()
        for sample in family.samples
        if sample.name.endswith("_total")
    )


def median_run(runs: list[RateRun]) -> RateRun:
    """The run with the median p99."""
    return sorted(runs, key=lambda run: run.cut(99))[len(runs) // 2]


class Stack:
    """A stack under test with its feed and update maker (runs reuse the chats)."""

    def __init__(self, label: str, feed: Feed, make_for: Callable[[Stack], MakeUpdate]) -> None:
        self.label = label
        self.feed = feed
        self.fallbacks = 0
        self.make = make_for(self)

    async def warm_up(self, chats: int, steps: int) -> None:
        """Every chat once through its cycle, each waiting for its replies (closed loop)."""

        async def chat(slot: int) -> None:
            for step in range(steps):
                await self.feed(self.make(slot + step * chats))

        await asyncio.gather(*(chat(slot) for slot in range(chats)))

    def fell_back(self) -> None:
        self.fallbacks += 1

    async def run(self, rate: float, args: argparse.Namespace) -> RateRun:
        before, shed = self.fallbacks, shed_so_far()
        result = await inject(self.feed, self.make, rate, args.seconds, args.drain)
        result.fallbacks = self.fallbacks - before
        result.shed = round(shed_so_far() - shed)
        await asyncio.sleep(0.2)  # let the group commit of the last writes finish
        return result


def knee(runs: dict[float, RateRun], target_ms: float) -> str:
    held = [rate for rate, run in runs.items() if run.sustained(target_ms)]
    return f"{max(held):.0f}/s" if held else "below the lowest rate tried"


async def backend(kind: str, args: argparse.Namespace) -> None:
    try:
        db = await fresh_demo_database(kind)  # type: ignore[arg-type]
    except Exception as error:
        print(f"  ({kind}: skipped, no database: {type(error).__name__}: {error})")
        return
    rates = [float(r) for r in args.rates.split(",")]
    target = args.target_ms or TARGET_MS[kind]
    isolation = open_chat_isolation(args.chat_lock, db.url, REDIS_URL)
    try:
        harness = await full_stack(db, args.chats, isolation)
        stacks: dict[str, Stack] = {}
        if args.baseline:
            telegram, feed = bare_stack()
            for n in range(args.chats):
                telegram.private_chat(FIRST_CHAT + n, "Bench")
            stacks["bare aiogram"] = Stack("bare aiogram", feed,
                                           lambda _: say_hi(telegram, args.chats))
        for work in args.workloads.split(","):
            work = work.strip()
            stacks[work] = Stack(
                f"full stack, {kind}, {work}", harness.feed,
                lambda stack, w=work: open_loop_workload(  # type: ignore[misc]
                    harness.telegram, w, args.chats, stack.fell_back))
        for name, stack in stacks.items():  # warm-up: caches, the chart, connections
            await stack.warm_up(args.chats, len(WORKLOADS.get(name, ("hi",))))
        if harness.errors:
            raise RuntimeError(f"the full stack failed: {harness.errors[:3]}")
        for name, stack in stacks.items():
            print(f"  {stack.label}, {args.chats} chats, {args.seconds:g} s a rate, "
                  f"median of {args.repeat} by p99:")
            runs: dict[float, RateRun] = {}
            for rate in rates:
                tries = [await stack.run(rate, args) for _ in range(args.repeat)]
                runs[rate] = median_run(tries)
                spread = "/".join(f"{t.cut(99) * 1e3:.0f}" for t in tries)
                print(f"    {runs[rate].line()}   (p99 runs: {spread} ms)", flush=True)
            if name != "bare aiogram":
                print(f"    knee (p99 < {target:g} ms, achieved >= {ENOUGH:.0%} of offered): "
                      f"{knee(runs, target)}")
        if harness.errors:
            raise RuntimeError(f"the full stack failed: {harness.errors[:3]}")
        if args.profile:
            work = args.workloads.split(",")[0].strip()
            await profiled(stacks[work], kind, work, float(args.profile), args)
    finally:
        if isolation is not None:
            await isolation.close()
        await db.dispose()


async def profiled(stack: Stack, kind: str, work: str, rate: float,
                   args: argparse.Namespace) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    run = await stack.run(rate, args)
    profiler.disable()
    print(f"\n  profiled ({work} at {rate:g}/s, slower under the profiler): {run.line()}")
    path = Path(tempfile.gettempdir()) / f"openloop-{kind}-{work}.prof"
    profiler.dump_stats(path)
    print(by_package(pstats.Stats(profiler)))
    print(f"  (raw profile: {path})")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default=DEFAULT_RATES, help="updates/s, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="injection time per rate")
    parser.add_argument("--repeat", type=int, default=3, help="runs per rate (median by p99)")
    parser.add_argument("--chats", type=int, default=200, help="linked chats, round robin")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--chat-lock", default="process",
                        choices=["process", "auto", "postgres", "redis"],
                        help="the cross-process chat lock, as CHAT_LOCK (default: none, "
                             "one process; auto: what a webhook service takes)")
    parser.add_argument("--workloads", default="menu,mixed", help=f"of {sorted(WORKLOADS)}")
    parser.add_argument("--target-ms", type=float, default=None,
                        help="p99 target for the knee (default: 50 SQLite, 100 PostgreSQL)")
    parser.add_argument("--drain", type=float, default=30.0,
                        help="seconds to wait for the backlog after a run")
    parser.add_argument("--no-baseline", dest="baseline", action="store_false",
                        help="skip bare aiogram at the same rates")
    parser.add_argument("--profile", metavar="RATE",
                        help="cProfile one more run of the first workload at RATE")
    args = parser.parse_args()
    tune_for_serving()  # as `python -m bot telegram` does; every stack runs under it
    # Past the knee the shedder answers "busy" and says so each second; counted per run.
    logging.getLogger("bot.telegram.middlewares.shedding").setLevel(logging.ERROR)
    print(f"open loop: {args.chats} chats, rates {args.rates}/s, {args.seconds:g} s a rate, "
          f"median of {args.repeat}; python {sys.version.split()[0]}")
    for kind in args.backends.split(","):
        print(f"\n{kind.strip()}:")
        await backend(kind.strip(), args)


if __name__ == "__main__":
    asyncio.run(main())
