"""A second ``python -m bot telegram`` polling the same token stops with a clear
message (exit 2) instead of fighting; the first keeps every update."""

from __future__ import annotations

import asyncio
import signal

from storage.sandbox import fresh_demo_database
from testkit.botapi import BotApiServer
from testkit.botprocess import BotProcess
from tests.service.chats import Writers

CHAT = 9_990_001


async def test_a_second_poller_stops_with_a_clear_message(botapi: BotApiServer) -> None:
    db = await fresh_demo_database("sqlite")
    telegram = botapi.telegram
    try:
        await Writers.link(db, [CHAT])
        # The first one's long poll must still be held when the second one polls, a few
        # seconds of start-up later (with 0.2 s a call); a poll that ended meanwhile would
        # make the second one the holder and the first one would see no 409.
        async with BotProcess.polling(botapi, db.url, polling_timeout=50) as first:
            telegram.send_text(CHAT, "menu")  # its first poll is answered: it is established
            await replied(botapi, 1, first)
            async with BotProcess.polling(botapi, db.url) as second:
                assert await second.wait() == 2, second.output
            lines = [line for line in second.output.splitlines() if line.strip()]
            assert lines[-2:] == [
                "BOT_TOKEN: another process is already receiving this bot's updates "
                "(Telegram answered 409 Conflict).",
                "Fix: Stop the other instance, or run one webhook service with "
                "--webhook --workers N.",
            ], second.output
            assert "Traceback" not in second.output
            telegram.send_text(CHAT, "menu")  # the first one still has the updates
            await replied(botapi, 2, first)
            first.signal(signal.SIGTERM)
            assert await first.wait() == 0, first.output
        assert "polling again to keep them" in first.output
    finally:
        await db.dispose()


async def replied(botapi: BotApiServer, count: int, bot: BotProcess) -> None:
    chat = botapi.telegram.private_chat(CHAT)
    async with asyncio.timeout(60):
        while sum(1 for m in chat.visible() if m.from_bot) < count:
            assert bot.status is None, bot.output
            await asyncio.sleep(0.02)
