"""Middlewares in isolation: per-chat order under concurrency, flood guard counting."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Message, Update

from bot.telegram.middlewares import ChatOrderMiddleware, FloodGuardMiddleware
from testkit.telegram.emulator import FakeTelegram
from testkit.telegram.session import EmulatedSession


async def test_one_chat_is_handled_in_order_while_chats_interleave() -> None:
    telegram = FakeTelegram()
    bot = Bot(telegram.token, session=EmulatedSession(telegram))
    dispatcher = Dispatcher(disable_fsm=True)
    dispatcher.update.outer_middleware(ChatOrderMiddleware())
    finished: dict[int, list[str]] = {}
    running: set[int] = set()
    overlap = []

    @dispatcher.message()
    async def slow(message: Message) -> None:
        chat = message.chat.id
        overlap.append(len(running))
        running.add(chat)
        await asyncio.sleep(random.uniform(0, 0.01))  # later updates could overtake
        running.discard(chat)
        finished.setdefault(chat, []).append(message.text or "")

    updates: list[dict[str, Any]] = [
        telegram.send_text(chat, f"{chat}-{n}") for n in range(10) for chat in (1, 2, 3)
    ]
    # As polling with handle_as_tasks does: one task per update, started in order.
    await asyncio.gather(*(
        dispatcher.feed_update(bot, Update.model_validate(u, context={"bot": bot}))
        for u in updates
    ))
    for chat in (1, 2, 3):
        assert finished[chat] == [f"{chat}-{n}" for n in range(10)]
    assert max(overlap) > 0  # different chats did run at the same time


def test_flood_guard_counts_per_user_in_a_sliding_minute() -> None:
    now = [0.0]
    guard = FloodGuardMiddleware(limit_per_minute=2, clock=lambda: now[0])
    assert guard.allow(1) and guard.allow(1) and not guard.allow(1)
    assert guard.allow(2)  # other users are not affected
    now[0] = 61.0
    assert guard.allow(1)  # a minute later, allowed again
