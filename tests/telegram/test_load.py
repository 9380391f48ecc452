"""Many chats at once, a user flooding the bot, and Telegram's 429 answers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.flood import SLOW_DOWN
from bot.telegram.chat import CHANNEL
from storage.identities import ensure_identity
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from tests.telegram.stack import LiveBot, Mode

CHATS = 50
PER_CHAT = 5
ECHO = re.compile(r"didn't understand “(zz-\d+-\d+)”")


async def link_directly(live: LiveBot, chat_ids: list[int], email: str) -> None:
    async with live.db.database.transaction() as connection:
        for chat_id in chat_ids:
            await ensure_identity(connection, CHANNEL, str(chat_id), email)


def echoes(live: LiveBot, chat_id: int) -> list[str]:
    """What each reply of the chat echoes back, in the order the chat shows them."""
    found = []
    for message in live.chat(chat_id):
        if message.from_bot and (match := ECHO.search(message.text)):
            found.append(match.group(1))
    return found


async def test_fifty_chats_at_once_keep_order_and_lose_nothing(live: LiveBot) -> None:
    chat_ids = [9_000_000 + n for n in range(CHATS)]
    await link_directly(live, chat_ids, "viewer@acme.example")
    # Every message queued at once: polling gets them in batches of up to 100 and runs
    # each as a task; the webhook gets them posted one after another without waiting.
    updates = [
        live.telegram.send_text(chat_id, f"zz-{chat_id}-{n}")
        for n in range(PER_CHAT)
        for chat_id in chat_ids
    ]
    await live.tracker.wait([u["update_id"] for u in updates], timeout=120)
    for chat_id in chat_ids:
        assert echoes(live, chat_id) == [f"zz-{chat_id}-{n}" for n in range(PER_CHAT)]
    if live.mode == "polling":
        assert max(len(batch) for batch in live.telegram.batches) > 1  # really concurrent


@pytest.fixture
async def strict(botapi: BotApiServer, sqlite_db: FreshDatabase, mode: Mode
                 ) -> AsyncIterator[LiveBot]:
    settings = Settings(database_url=sqlite_db.url, flood_limit_per_minute=3)
    bot = await LiveBot(botapi, sqlite_db, mode, settings).start()
    try:
        yield bot
    finally:
        await bot.stop()


async def test_flood_guard_drops_politely(strict: LiveBot) -> None:
    chat = 9_100_001
    await link_directly(strict, [chat], "viewer@acme.example")
    updates = [strict.telegram.send_text(chat, f"zz-{chat}-{n}") for n in range(6)]
    await strict.act(*updates)
    assert echoes(strict, chat) == [f"zz-{chat}-{n}" for n in range(3)]
    bot_texts = [m.text for m in strict.chat(chat) if m.from_bot]
    assert bot_texts.count(SLOW_DOWN) == 1  # one note, not one per dropped message
    # A button press over the limit is still answered, so it stops spinning.
    menu = next(m for m in strict.chat(chat) if m.from_bot and m.buttons)
    await strict.press(chat, menu.message_id, menu.buttons[0][0].data or "")
    assert strict.answers(chat)[-1] is not None and "wait" in (strict.answers(chat)[-1] or "")


async def test_retry_after_is_honoured(live: LiveBot) -> None:
    chat = 9_200_001
    await link_directly(live, [chat], "viewer@acme.example")
    live.telegram.rate_limit = (2, 1.0)  # Telegram: about one message per second per chat
    updates = [live.telegram.send_text(chat, f"zz-{chat}-{n}") for n in range(4)]
    await live.act(*updates)
    assert echoes(live, chat) == [f"zz-{chat}-{n}" for n in range(4)]
    # One 429, then delivered: a retry sooner than told would have met another 429
    # (the server keeps the window by its own clock), so the bot waited as told.
    refused = [r for r in live.telegram.refusals if r[1] == 429]
    assert len(refused) == 1, refused
    assert refused[0][2].startswith("Too Many Requests: retry after ")
