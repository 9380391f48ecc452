"""Updates per second through the whole Telegram stack, against bare aiogram, in one run.

    .venv/bin/python benchmarks/throughput.py                  # SQLite and PostgreSQL
    .venv/bin/python benchmarks/throughput.py --backends sqlite --updates 10000 --chats 100
    .venv/bin/python benchmarks/throughput.py --profile menu   # where the full stack's time goes

No network: both stacks talk to an in-memory Telegram (``testkit.telegram.session``'s
``EmulatedSession``), which prepares and checks every call as aiogram's HTTP session
would. ``--chats`` users act at once, each as soon as it has seen the reply to its
last action (so updates of different chats run concurrently, as polling hands them
over); the sequential figures are one chat alone.

- bare aiogram: a default ``Dispatcher`` whose one handler answers every message.
- peers (``benchmarks/peers.py``, ``menu`` workload, with ``--chats``): what an aiogram
  user would build instead, aiogram's FSM on ``MemoryStorage`` and on ``RedisStorage``
  with ``RedisEventIsolation`` (Redis at ``REDIS_URL``, default db 15 on localhost).
- full stack: our dispatcher (chat order, flood guard, linking, conversation), the
  engine and the database. Workloads: ``menu`` types "menu" and presses Help (an edit
  in place): only the conversation record changes. ``mixed`` types "menu", presses
  "Account details", "Menu" and "Package & usage" (usage read, chart, photo + text).
  Every update saves the conversation and commits before its reply is sent.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.peers import aiogram_fsm
from benchmarks.profiling import by_package
from benchmarks.stacks import WORKLOADS, Result, bare, full
from bot.gc_tuning import tune_for_serving
from storage.sandbox import FreshDatabase, fresh_demo_database

SEQUENTIAL_UPDATES = 2000


def median_run(runs: list[Result]) -> Result:
    return sorted(runs, key=lambda run: run.rate)[len(runs) // 2]


async def backend(kind: str, args: argparse.Namespace, works: list[str]) -> None:
    try:
        db = await fresh_demo_database(kind)  # type: ignore[arg-type]
    except Exception as error:
        print(f"  ({kind}: skipped, no database: {type(error).__name__}: {error})")
        return
    chats, total = args.chats, args.updates
    one_total = min(total, SEQUENTIAL_UPDATES)
    runs: dict[str, list[Result]] = {}
    ratios: dict[str, list[float]] = {}
    try:
        await full(db, 4, 40, "mixed")  # warm-up: caches, the chart, connections
        for _ in range(args.repeat):
            # Interleaved, so a noisy moment on the machine hits every scenario alike.
            done = {"bare many": await bare(chats, total), "bare one": await bare(1, one_total)}
            if "menu" in works and args.peers:
                for peer in ("memory", "redis"):
                    done[f"fsm-{peer} many"] = await aiogram_fsm(peer, chats, total)
                    ratio = done[f"fsm-{peer} many"].rate / done["bare many"].rate
                    ratios.setdefault(f"fsm-{peer} many", []).append(ratio)
            for work in works:
                done[f"{work} many"] = await full(db, chats, total, work)
                done[f"{work} one"] = await full(db, 1, one_total, work)
                for size in ("many", "one"):
                    ratio = done[f"{work} {size}"].rate / done[f"bare {size}"].rate
                    ratios.setdefault(f"{work} {size}", []).append(ratio)
            for name, result in done.items():
                runs.setdefault(name, []).append(result)
        for name in runs:
            spread = "/".join(f"{run.rate:.0f}" for run in runs[name])
            print(f"  {median_run(runs[name]).line()}   (runs: {spread})")
            if name.startswith("fsm-"):
                print(f"    peer: aiogram FSM / bare aiogram = "
                      f"{statistics.median(ratios[name]):.2f} with {chats} chats")
            if name.endswith("one") and not name.startswith("bare"):
                work = name.split()[0]
                many, one = (statistics.median(ratios[f"{work} {s}"]) for s in ("many", "one"))
                print(f"    {work}: full stack / bare aiogram = {many:.2f} with {chats} chats, "
                      f"{one:.2f} sequential")
        if args.profile:
            await profiled(db, kind, chats, total, args.profile)
    finally:
        await db.dispose()


async def profiled(db: FreshDatabase, kind: str, chats: int, total: int, work: str) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    await full(db, chats, total, work)
    profiler.disable()
    path = Path(tempfile.gettempdir()) / f"full-stack-{kind}-{work}.prof"
    profiler.dump_stats(path)
    print(by_package(pstats.Stats(profiler)))
    print(f"  (raw profile: {path})")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=3000, help="per concurrent run")
    parser.add_argument("--chats", type=int, default=50, help="users acting at once")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workloads", default="menu,mixed", help=f"of {sorted(WORKLOADS)}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (median shown)")
    parser.add_argument("--profile", metavar="WORKLOAD", help="cProfile one more concurrent run")
    parser.add_argument("--no-peers", dest="peers", action="store_false",
                        help="skip aiogram's FSM on MemoryStorage and RedisStorage")
    args = parser.parse_args()
    works = [w.strip() for w in args.workloads.split(",")]
    tune_for_serving()  # as `python -m bot telegram` does; both stacks run under it
    print(f"{args.updates} updates per concurrent run ({args.chats} chats), "
          f"{min(args.updates, SEQUENTIAL_UPDATES)} per sequential run (1 chat); "
          f"median of {args.repeat}; python {sys.version.split()[0]}")
    for kind in args.backends.split(","):
        print(f"\n{kind}:")
        await backend(kind.strip(), args, works)


if __name__ == "__main__":
    asyncio.run(main())
