"""``/metrics`` after real updates through the real dispatcher, over HTTP both ways.

Counters are process-wide, so every assertion is on the difference between a scrape
before and one after.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from aiohttp import ClientSession
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.ops.http import start_ops_server
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from tests.telegram.stack import LiveBot

OWNER_CHAT, STRANGER = 8_880_001, 8_880_002
Sample = tuple[str, tuple[tuple[str, str], ...]]


async def scrape(url: str) -> Counter[Sample]:
    """Every sample of ``url``, by name and labels."""
    async with ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        body = await response.text()
    values: Counter[Sample] = Counter()
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            values[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return values


def delta(before: Counter[Sample], after: Counter[Sample]) -> Callable[..., float]:
    def change(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after[key] - before[key]
    return change


@asynccontextmanager
async def metrics_of(live: LiveBot) -> AsyncIterator[str]:
    """The /metrics URL: the webhook server's, or in polling mode the side server's."""
    if live.webhook is not None:
        parts = urlsplit(live.webhook.url)
        yield f"{parts.scheme}://{parts.netloc}/metrics"
        return
    runner = await start_ops_server(live.db.database, "127.0.0.1", 0)
    try:
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}/metrics"
    finally:
        await runner.cleanup()


async def test_updates_flows_a_closure_and_links_are_counted(live: LiveBot) -> None:
    async with metrics_of(live) as url:
        before = await scrape(url)
        await live.send(OWNER_CHAT, "/start NoSuchCode")  # wrong code
        await live.link(OWNER_CHAT, "owner@acme.example")
        await live.send(OWNER_CHAT, "close my account")
        await live.click(OWNER_CHAT, "Continue to close")
        await live.send(OWNER_CHAT, "Acme Trading Ltd")
        closed = await live.click(OWNER_CHAT, "permanently")
        assert "is now closed" in closed[0].text
        await live.send(STRANGER, "hello")  # unlinked
        change = delta(before, await scrape(url))

    assert change("bot_updates_total", kind="message", outcome="ok") == 4
    assert change("bot_updates_total", kind="callback_query", outcome="ok") == 2
    assert change("bot_updates_total", kind="message", outcome="unlinked") == 1
    assert change("bot_updates_total", kind="message", outcome="failed") == 0
    assert change("bot_turn_seconds_count") == 7
    assert change("bot_turn_seconds_sum") > 0
    assert change("bot_flows_total", flow="close", event="started") == 1
    assert change("bot_flows_total", flow="close", event="finished") == 1
    assert change("bot_account_closures_total") == 1
    assert change("bot_link_attempts_total", method="code", outcome="wrong") == 1
    assert change("bot_link_attempts_total", method="code", outcome="linked") == 1
    assert change("bot_link_lockouts_total") == 0
    assert change("bot_database_errors_total") == 0


async def test_lockouts_and_flooded_updates_are_counted(
    botapi: BotApiServer, sqlite_db: FreshDatabase
) -> None:
    settings = Settings(database_url=sqlite_db.url, flood_limit_per_minute=3,
                        link_attempts_per_chat=2)
    live = await LiveBot(botapi, sqlite_db, "webhook", settings).start()
    try:
        async with metrics_of(live) as url:
            before = await scrape(url)
            for _ in range(3):  # wrong, wrong (locks the chat out), refused unchecked
                await live.send(STRANGER, "/start Guess")
            await live.send(STRANGER, "hello")  # the fourth message this minute: dropped
            change = delta(before, await scrape(url))
    finally:
        await live.stop()
    assert change("bot_link_attempts_total", method="code", outcome="wrong") == 2
    assert change("bot_link_lockouts_total") == 1
    assert change("bot_link_attempts_total", method="code", outcome="locked_out") == 1
    assert change("bot_updates_total", kind="message", outcome="ok") == 3
    assert change("bot_updates_total", kind="message", outcome="flooded") == 1
    assert change("bot_turn_seconds_count") == 3  # a dropped update is not timed


async def test_contact_links_are_counted(live: LiveBot) -> None:
    async with metrics_of(live) as url:
        before = await scrape(url)
        await live.step(OWNER_CHAT, lambda: live.telegram.share_contact(
            OWNER_CHAT, "+442079460123", contact_user_id=STRANGER))  # not one's own
        await live.step(OWNER_CHAT, lambda: live.telegram.share_contact(
            OWNER_CHAT, "442079460456", contact_user_id=OWNER_CHAT))
        change = delta(before, await scrape(url))
    assert change("bot_link_attempts_total", method="contact", outcome="wrong") == 1
    assert change("bot_link_attempts_total", method="contact", outcome="linked") == 1
