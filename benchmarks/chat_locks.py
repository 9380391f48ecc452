"""Which cross-process chat lock: PostgreSQL advisory locks or aiogram's RedisEventIsolation.

    .venv/bin/python benchmarks/chat_locks.py            # 50 chats, 3,000 updates, median of 3

The full stack on PostgreSQL (``menu`` workload: only the conversation record
changes, so the lock is a large share of each update), measured in one run with:

- ``process``: the in-process lock alone (one worker; what a single process needs);
- ``postgres``: ``storage.chat_locks.AdvisoryChatLocks`` (``CHAT_LOCK=postgres``);
- ``redis``: aiogram's ``RedisEventIsolation`` at ``REDIS_URL`` (``CHAT_LOCK=redis``).

Two scenarios:

- one worker, ``--chats`` users each waiting for its reply (the lock's cost);
- two workers (two dispatchers, engines and lock clients in this process, as two
  processes would have), and every user sends two messages at once, one to each
  worker: the lock is contended on every update, and how a waiter learns that the
  lock is free decides the latency (PostgreSQL wakes the next waiter when the lock
  is released; a Redis lock is polled every 100 ms).

Bare aiogram (one handler answering every message) runs in the same run as the
baseline for the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.memory import PeakMemory
from benchmarks.peers import REDIS_URL
from benchmarks.stacks import FIRST_CHAT, Result, bare, drive, workload
from bot.charts import render_usage_chart
from bot.chat_isolation import ChatIsolation, open_chat_isolation
from bot.gc_tuning import tune_for_serving
from bot.telegram.chat import CHANNEL
from flows.engine import Engine
from storage.identities import ensure_identity
from storage.sandbox import FreshDatabase, fresh_demo_database
from storage.store import SqlStoreFactory
from storage.unit_of_work import Database
from testkit.telegram.emulator import FakeTelegram
from testkit.telegram.harness import TelegramHarness

LOCKS = ("process", "postgres", "redis")


class Worker:
    """One would-be worker process: its own database pools, engine, lock and dispatcher."""

    def __init__(self, url: str, lock: str, telegram: FakeTelegram) -> None:
        self.database = Database(url)
        self.isolation: ChatIsolation | None = open_chat_isolation(lock, url, REDIS_URL)
        engine = Engine(SqlStoreFactory(self.database), charts={"telegram": render_usage_chart})
        self.harness = TelegramHarness(engine, self.database, telegram=telegram, record=False,
                                       isolation=self.isolation)

    async def close(self) -> None:
        if self.harness.errors:
            raise RuntimeError(f"the full stack failed: {self.harness.errors[:3]}")
        if self.isolation is not None:
            await self.isolation.close()
        await self.database.dispose()


async def one_worker(db: FreshDatabase, lock: str, chats: int, total: int) -> Result:
    telegram = FakeTelegram(history_limit=8)
    telegram.record_calls = False
    worker = Worker(db.url, lock, telegram)
    try:
        return await drive(f"one worker, lock {lock}", telegram, worker.harness.feed, chats,
                           total, workload("menu"))
    finally:
        await worker.close()


async def two_workers(db: FreshDatabase, lock: str, chats: int, total: int) -> Result:
    """Each user sends two messages at once, one to each worker, and waits for both."""
    telegram = FakeTelegram(history_limit=8)
    telegram.record_calls = False
    workers = [Worker(db.url, lock, telegram) for _ in range(2)]
    latencies: list[float] = []

    async def timed(worker: Worker, update: dict[str, object]) -> None:
        started = time.perf_counter()
        await worker.harness.feed(update)
        latencies.append(time.perf_counter() - started)

    async def user(chat_id: int, pairs: int) -> None:
        for _ in range(pairs):
            first, second = (telegram.send_text(chat_id, "menu") for _ in range(2))
            await asyncio.gather(timed(workers[0], first), timed(workers[1], second))

    share, extra = divmod(total // 2, chats)
    try:
        with PeakMemory() as memory:
            started = time.perf_counter()
            await asyncio.gather(*(user(FIRST_CHAT + n, share + (n < extra))
                                   for n in range(chats)))
            seconds = time.perf_counter() - started
    finally:
        for worker in workers:
            await worker.close()
    return Result(f"two workers, contended, lock {lock}", len(latencies), seconds, latencies,
                  memory.peak_mib)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tune_for_serving()
    db = await fresh_demo_database("postgresql")
    runs: dict[str, list[Result]] = {}
    ratios: dict[str, list[float]] = {}
    try:
        async with db.database.transaction() as connection:
            for n in range(args.chats):
                await ensure_identity(connection, CHANNEL, str(FIRST_CHAT + n),
                                      "owner@acme.example")
        await one_worker(db, "postgres", 4, 40)  # warm-up
        for _ in range(args.repeat):  # interleaved: a noisy moment hits every variant alike
            baseline = await bare(args.chats, args.updates)
            runs.setdefault("bare", []).append(baseline)
            for lock in LOCKS:
                for scenario in (one_worker, two_workers):
                    result = await scenario(db, lock, args.chats, args.updates)
                    runs.setdefault(result.name, []).append(result)
                    ratios.setdefault(result.name, []).append(result.rate / baseline.rate)
    finally:
        await db.dispose()
    print(f"PostgreSQL, menu workload, {args.chats} chats, {args.updates} updates a run, "
          f"median of {args.repeat}")
    for name, results in runs.items():
        median = sorted(results, key=lambda run: run.rate)[len(results) // 2]
        ratio = f"   {statistics.median(ratios[name]):.2f} x bare" if name in ratios else ""
        print(f"  {median.line()}{ratio}")


if __name__ == "__main__":
    asyncio.run(main())
