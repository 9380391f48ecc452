"""What operations cost per update: the metrics middleware and the engine's observer.

    .venv/bin/python benchmarks/ops_overhead.py              # about 2 minutes
    .venv/bin/python benchmarks/ops_overhead.py --rounds 1   # quicker, noisier

1. In isolation, best of 5: ``UpdateMetricsMiddleware`` around a handler that does
   nothing, beside a middleware that only passes the update on; ``MetricsObserver``
   counting one turn's report.
2. The full stack (``benchmarks/stacks.py``'s SQLite ``menu`` workload), three variants
   run in turn, round after round, so a busy machine slows all alike: ``base`` without
   the metrics middleware and without an observer (the stack before operations),
   ``mw`` with the middleware (what ``make bench`` measures), ``prod`` with the
   middleware and the observer (what ``python -m bot telegram`` runs). Shown as CPU
   time per update (all threads), steadier than updates/s on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram.types import Update

from benchmarks.stacks import FIRST_CHAT, drive, workload
from bot.charts import render_usage_chart
from bot.ops.turns import MetricsObserver
from bot.telegram.chat import CHANNEL
from bot.telegram.middlewares import UpdateMetricsMiddleware
from flows.engine import Engine
from flows.observing import FlowEvent, TurnOutcome, TurnReport
from flows.types import ConversationKey
from storage.identities import ensure_identity
from storage.sandbox import fresh_demo_database
from testkit.telegram.emulator import FakeTelegram
from testkit.telegram.harness import TelegramHarness

CALLS = 200_000
UPDATE = Update.model_validate({
    "update_id": 1,
    "message": {"message_id": 1, "date": 0, "text": "menu",
                "chat": {"id": 42, "type": "private"},
                "from": {"id": 42, "is_bot": False, "first_name": "A"}},
})


async def _handler(_event: Any, data: dict[str, Any]) -> None:
    data["progress"] = True  # as UpdateProgressMiddleware does: the update was handled


async def _pass_on(event: Any, data: dict[str, Any]) -> None:
    return await _handler(event, data)


async def _best_of(call: Any, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        for _ in range(CALLS):
            await call(UPDATE, {})
        best = min(best, (time.perf_counter() - started) / CALLS)
    return best * 1e6


async def isolated() -> None:
    middleware = UpdateMetricsMiddleware()
    base = await _best_of(_pass_on)
    with_metrics = await _best_of(lambda event, data: middleware(_handler, event, data))
    print(f"  a middleware that passes the update on   {base:6.2f} µs per update")
    print(f"  UpdateMetricsMiddleware                  {with_metrics:6.2f} µs per update")
    observer = MetricsObserver()
    key = ConversationKey(CHANNEL, "42")
    for label, events in (("a turn", ()), ("a turn starting a flow",
                                           (FlowEvent("details", "started", "viewing"),))):
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(CALLS):
                observer.turn_done(TurnReport(key, TurnOutcome.OK, None, "details", "viewing",
                                              events))
            best = min(best, (time.perf_counter() - started) / CALLS)
        print(f"  MetricsObserver, {label:<23} {best * 1e6:6.2f} µs per turn")


async def full_stack(variant: str, chats: int, total: int) -> float:
    """CPU µs per update of one run of the SQLite ``menu`` workload."""
    async with await fresh_demo_database("sqlite") as db:
        observer = MetricsObserver() if variant == "prod" else None
        engine = Engine(db.stores, charts={"telegram": render_usage_chart}, observer=observer)
        telegram = FakeTelegram(history_limit=8)
        telegram.record_calls = False
        harness = TelegramHarness(engine, db.database, telegram=telegram, record=False)
        if variant == "base":
            manager = harness.dispatcher.update.outer_middleware
            for middleware in [m for m in manager if isinstance(m, UpdateMetricsMiddleware)]:
                manager.unregister(middleware)
        async with db.database.transaction() as connection:
            for n in range(chats):
                await ensure_identity(connection, CHANNEL, str(FIRST_CHAT + n),
                                      "owner@acme.example")
        cpu = time.process_time()
        result = await drive(variant, telegram, harness.feed, chats, total, workload("menu"))
        cpu = time.process_time() - cpu
        await harness.close()
        return cpu / result.updates * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs per variant (median shown)")
    args = parser.parse_args()
    print("In isolation (best of 5):")
    await isolated()
    print(f"Full stack, SQLite, menu, CPU per update (median of {args.rounds}, interleaved):")
    for chats, total in ((50, 3000), (1, 2000)):
        runs: dict[str, list[float]] = {"base": [], "mw": [], "prod": []}
        order = list(runs)
        for _ in range(args.rounds):
            for variant in order:
                runs[variant].append(await full_stack(variant, chats, total))
            order = order[1:] + order[:1]  # each variant goes first in turn: no order bias
        base = statistics.median(runs["base"])
        for variant, figures in runs.items():
            median = statistics.median(figures)
            print(f"  {chats:>2} chat{'s' if chats > 1 else ' '} {variant:<4} {median:7.0f} µs "
                  f"({median / base:4.2f} × base)   runs "
                  + "/".join(f"{figure:.0f}" for figure in figures))


if __name__ == "__main__":
    asyncio.run(main())
