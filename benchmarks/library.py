"""How long the conversation-script library takes, script by script: figures, no verdict.

    .venv/bin/python benchmarks/library.py                 # tests/conversations, 3 runs
    .venv/bin/python benchmarks/library.py --repeat 1 PATH...

Runs the library the way ``python -m bot script run`` does (``run_paths``: each script
on a fresh demo database), after importing aiogram once, which a run pays up front
whatever the library's size. Prints the number of conversations, wall and CPU time per
run, the median per conversation and the slowest ones. ``make test`` runs every
conversation once as a test of its own and asserts nothing about time: a machine that
is busy with other work must not fail it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.scripts.library import run_paths
from bot.scripts.results import ScriptResult
from bot.scripts.telegram_channel import load_telegram

LIBRARY = Path(__file__).resolve().parent.parent / "tests" / "conversations"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/library.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, default=[LIBRARY],
                        help="script files or folders (default: tests/conversations)")
    parser.add_argument("--repeat", type=int, default=3, help="runs (default: %(default)s)")
    parser.add_argument("--slowest", type=int, default=5,
                        help="conversations to list by time (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    started = time.perf_counter()
    load_telegram()
    print(f"importing aiogram and the harness: {time.perf_counter() - started:.1f} s")
    per_script: dict[str, list[float]] = {}  # "file: name" -> seconds of each run
    failed: set[str] = set()
    for run in range(1, options.repeat + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        results: list[ScriptResult] = asyncio.run(run_paths(options.paths))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        for result in results:
            name = f"{result.path.name}: {result.name}"
            per_script.setdefault(name, []).append(result.seconds)
            if not result.passed:
                failed.add(name)
        print(f"run {run}: {len(results)} conversations in {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"({wall / max(len(results), 1) * 1000:.0f} ms each)")
    medians = {name: statistics.median(times) for name, times in per_script.items()}
    print(f"median per conversation: {statistics.median(medians.values()) * 1000:.0f} ms")
    print("slowest:")
    for name, seconds in sorted(medians.items(), key=lambda item: -item[1])[:options.slowest]:
        print(f"  {seconds * 1000:6.0f} ms  {name}")
    if failed:
        print(f"{len(failed)} did not pass (run python -m bot script run for the report): "
              + ", ".join(sorted(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
