"""What an aiogram user would build instead of our stack: aiogram's own FSM.

The same ``menu`` workload as the full stack (type "menu", get a menu with inline
buttons; press Help, the message is edited in place and the press answered), with
the conversation state in aiogram's FSM storage:

- ``MemoryStorage`` with ``SimpleEventIsolation`` (aiogram's default; state is lost
  on restart and cannot be shared by two processes);
- ``RedisStorage`` with ``RedisEventIsolation`` (what survives a restart and orders
  one chat's updates across processes), on the Redis server at ``REDIS_URL``.

Each update reads and writes the FSM state and data, as a real flow does.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot, Dispatcher, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from benchmarks.stacks import Result, drive, workload
from testkit.telegram.emulator import FakeTelegram
from testkit.telegram.session import EmulatedSession

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
LABELS = ("Account details", "Package & usage", "Help", "Close account")
MENU = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text=label, callback_data=f"menu:{n}")]
        for n, label in enumerate(LABELS)
    ]
)


class Screens(StatesGroup):
    menu = State()
    help = State()


def fsm_dispatcher(storage: BaseStorage, isolation: BaseEventIsolation) -> Dispatcher:
    """A dispatcher with the menu and Help handlers, state in ``storage``."""
    dispatcher = Dispatcher(storage=storage, events_isolation=isolation)

    @dispatcher.message(F.text.casefold() == "menu")
    async def menu(message: Message, state: FSMContext) -> None:
        data = await state.get_data()
        await state.set_state(Screens.menu)
        await state.update_data(menus=int(data.get("menus", 0)) + 1)
        await message.answer("Main menu: what would you like to do?", reply_markup=MENU)

    @dispatcher.callback_query(F.data == "menu:2")
    async def help_pressed(query: CallbackQuery, state: FSMContext) -> None:
        data = await state.get_data()
        await state.set_state(Screens.help)
        await state.update_data(helps=int(data.get("helps", 0)) + 1)
        if isinstance(query.message, Message):
            await query.message.edit_text("Help: choose an option below.", reply_markup=MENU)
        await query.answer()

    return dispatcher


@asynccontextmanager
async def fsm_storage(kind: str) -> AsyncIterator[tuple[BaseStorage, BaseEventIsolation]]:
    """``memory`` or ``redis`` storage and isolation, cleaned up afterwards."""
    if kind == "memory":
        yield MemoryStorage(), SimpleEventIsolation()
        return
    keys = DefaultKeyBuilder(prefix=f"bench-{uuid.uuid4().hex[:8]}")
    storage = RedisStorage.from_url(REDIS_URL, key_builder=keys)
    try:
        await storage.redis.ping()
        yield storage, RedisEventIsolation(storage.redis, key_builder=keys)
    finally:
        async for key in storage.redis.scan_iter(match=f"{keys.prefix}:*"):
            await storage.redis.delete(key)
        await storage.close()


async def aiogram_fsm(kind: str, chats: int, total: int) -> Result:
    """The ``menu`` workload on aiogram's FSM with ``kind`` storage."""
    telegram = FakeTelegram(history_limit=8)
    telegram.record_calls = False
    bot = Bot(telegram.token, session=EmulatedSession(telegram, record=False))
    async with fsm_storage(kind) as (storage, isolation):
        dispatcher = fsm_dispatcher(storage, isolation)

        async def feed(update: dict[str, object]) -> None:
            telegram.confirm(int(str(update["update_id"])) + 1)
            await dispatcher.feed_raw_update(bot, update)

        label = f"aiogram FSM + {kind.title()}Storage, {chats} chat{'s' * (chats > 1)}"
        return await drive(label, telegram, feed, chats, total, workload("menu"))
