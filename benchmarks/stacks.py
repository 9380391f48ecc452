"""The two stacks the throughput benchmark compares, and how simulated users drive them."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.types import Message

from benchmarks.memory import PeakMemory
from bot.charts import render_usage_chart
from bot.chat_isolation import ChatIsolation
from bot.telegram.chat import CHANNEL
from flows.engine import Engine
from storage.identities import ensure_identity
from storage.sandbox import FreshDatabase
from testkit.telegram.emulator import FakeTelegram
from testkit.telegram.harness import TelegramHarness
from testkit.telegram.session import EmulatedSession

FIRST_CHAT = 10_000_000
Feed = Callable[[dict[str, object]], Awaitable[None]]


@dataclass
class Result:
    name: str
    updates: int
    seconds: float
    latencies: list[float]
    peak_mib: float

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    def line(self) -> str:
        cuts = statistics.quantiles(self.latencies, n=100)
        return (f"{self.name:<38} {self.rate:>8.0f} updates/s   p50 {cuts[49] * 1e3:6.2f} ms   "
                f"p99 {cuts[98] * 1e3:6.2f} ms   peak RSS {self.peak_mib:6.1f} MiB")


async def drive(name: str, telegram: FakeTelegram, feed: Feed, chats: int, total: int,
                act: Callable[[FakeTelegram, int, int], dict[str, object]]) -> Result:
    """``chats`` users act ``total`` times in all; each waits for its previous reply."""
    latencies: list[float] = []

    async def user(chat_id: int, turns: int) -> None:
        for turn in range(turns):
            update = act(telegram, chat_id, turn)
            started = time.perf_counter()
            await feed(update)
            latencies.append(time.perf_counter() - started)

    share, extra = divmod(total, chats)
    with PeakMemory() as memory:
        started = time.perf_counter()
        await asyncio.gather(*(user(FIRST_CHAT + n, share + (n < extra)) for n in range(chats)))
        seconds = time.perf_counter() - started
    return Result(name, len(latencies), seconds, latencies, memory.peak_mib)


def say_hi(telegram: FakeTelegram, chat_id: int, turn: int) -> dict[str, object]:
    return telegram.send_text(chat_id, f"hi {turn}")


WORKLOADS = {
    # Only the conversation record changes: type "menu", press Help (an edit in place).
    "menu": ("menu", "Help"),
    # Every screen a viewer-like user visits: details and usage read the account too.
    "mixed": ("menu", "Account details", "Menu", "Package"),
}


def workload(name: str) -> Callable[[FakeTelegram, int, int], dict[str, object]]:
    cycle = WORKLOADS[name]

    def act(telegram: FakeTelegram, chat_id: int, turn: int) -> dict[str, object]:
        step = cycle[turn % len(cycle)]
        if step == "menu":
            return telegram.send_text(chat_id, step)
        return telegram.press_button(chat_id, step)

    return act


def bare_stack() -> tuple[FakeTelegram, Feed]:
    """A default aiogram ``Dispatcher`` whose one handler answers every message."""
    telegram = FakeTelegram(history_limit=8)
    bot = Bot(telegram.token, session=EmulatedSession(telegram, record=False))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def answer(message: Message) -> None:
        await message.answer("ok")

    async def feed(update: dict[str, object]) -> None:
        telegram.confirm(int(str(update["update_id"])) + 1)
        await dispatcher.feed_raw_update(bot, update)

    telegram.record_calls = False
    return telegram, feed


async def bare(chats: int, total: int) -> Result:
    telegram, feed = bare_stack()
    label = f"bare aiogram, {chats} chat{'s' * (chats > 1)}"
    return await drive(label, telegram, feed, chats, total, say_hi)


async def full_stack(
    db: FreshDatabase, chats: int, isolation: ChatIsolation | None = None
) -> TelegramHarness:
    """Our dispatcher, engine and database, with ``chats`` chats linked to the Acme owner;
    ``isolation``: the cross-process chat lock a webhook service takes (``CHAT_LOCK``)."""
    engine = Engine(db.stores, charts={"telegram": render_usage_chart})
    telegram = FakeTelegram(history_limit=8)
    telegram.record_calls = False
    harness = TelegramHarness(engine, db.database, telegram=telegram, record=False,
                              isolation=isolation)
    async with db.database.transaction() as connection:
        for n in range(chats):
            await ensure_identity(connection, CHANNEL, str(FIRST_CHAT + n), "owner@acme.example")
    return harness


async def full(db: FreshDatabase, chats: int, total: int, work: str = "menu") -> Result:
    harness = await full_stack(db, chats)
    label = f"full stack, {db.kind}, {work}, {chats} chat{'s' * (chats > 1)}"
    result = await drive(label, harness.telegram, harness.feed, chats, total, workload(work))
    if harness.errors:
        raise RuntimeError(f"the full stack failed: {harness.errors[:3]}")
    return result
