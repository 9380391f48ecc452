"""Long polling is single-instance: a second poller gives way with a clear message."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.startup.error import StartupError
from bot.telegram.app import make_bot, run_polling
from bot.telegram.dispatcher import build_dispatcher
from bot.telegram.polling import Poller
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from tests.telegram.stack import LiveBot, texts

CHAT = 7_770_001


async def test_a_second_poller_gives_way_and_the_first_keeps_the_updates(
    botapi: BotApiServer, sqlite_db: FreshDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    botapi.telegram.conflict_pause = 0.1  # Telegram's pacing of 409s, shortened
    first = await LiveBot(botapi, sqlite_db, "polling").start()
    try:
        await first.link(CHAT, "owner@acme.example")  # it polls, and has been answered
        newcomer = make_bot(botapi.telegram.token, botapi.url)
        second = Poller(newcomer, build_dispatcher(first.engine, first.settings), timeout=5)
        with caplog.at_level(logging.WARNING, "bot.telegram.polling"), \
                pytest.raises(StartupError) as refused:
            await asyncio.wait_for(run_polling(second, handle_signals=False), 30)
        await newcomer.session.close()
        assert refused.value.lines() == (
            "BOT_TOKEN: another process is already receiving this bot's updates "
            "(Telegram answered 409 Conflict).",
            "Fix: Stop the other instance, or run one webhook service with "
            "--webhook --workers N.",
        )
        # The first one polled again to keep its place, and still gets every update.
        assert "polling again to keep them" in caplog.text
        assert any("What would you like" in text for text in texts(await first.send(CHAT, "menu")))
    finally:
        await first.stop()


async def test_a_webhook_set_meanwhile_stops_polling(
    botapi: BotApiServer, sqlite_db: FreshDatabase
) -> None:
    live = LiveBot(botapi, sqlite_db, "polling")
    polling = asyncio.create_task(run_polling(live.poller, handle_signals=False))
    try:
        async with asyncio.timeout(10):
            while not any(name == "getUpdates" for name, _ in botapi.telegram.calls):
                await asyncio.sleep(0.01)
        other = make_bot(botapi.telegram.token, botapi.url)
        await other.set_webhook("http://127.0.0.1:9/telegram/webhook")
        await other.session.close()
        with pytest.raises(StartupError, match="a webhook was set for this bot"):
            await asyncio.wait_for(polling, 30)
    finally:
        polling.cancel()
        await live.bot.session.close()


async def test_stopping_lets_the_updates_in_progress_finish(
    botapi: BotApiServer, sqlite_db: FreshDatabase
) -> None:
    """Stop while updates are being handled (each reply takes a while to send):
    every one is finished, its reply sent, and confirmed to Telegram."""
    botapi.latency = 0.2
    live = await LiveBot(botapi, sqlite_db, "polling").start()
    chats = [CHAT + n for n in range(1, 6)]
    updates = [botapi.telegram.send_text(chat, "menu") for chat in chats]
    async with asyncio.timeout(10):  # until the poller has them all in hand
        while botapi.telegram.deliverable():
            await asyncio.sleep(0.01)
    await live.stop()
    for chat in chats:  # unlinked chats: each is told how to link
        assert [m for m in live.chat(chat) if m.from_bot], chat
    assert live.tracker.done >= {u["update_id"] for u in updates}
    assert botapi.telegram.pending == []  # confirmed: no other instance gets them again
