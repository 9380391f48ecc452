"""Groups and channels: account matters are private, so the bot says so and nothing else."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message

from bot.telegram.acknowledge import acknowledge
from bot.telegram.middlewares import UpdateProgress
from flows.i18n import N_, _

PRIVATE_ONLY = N_(
    "I handle account matters in private chats only, so I can't help here. "
    "Please message me directly."
)


# Filters are coroutines on purpose: aiogram runs plain functions (F magic filters
# included) through asyncio.to_thread, a thread hop per update.
async def _not_private_message(message: Message) -> bool:
    return message.chat.type != ChatType.PRIVATE


async def _not_private_press(query: CallbackQuery) -> bool:
    return query.message is None or query.message.chat.type != ChatType.PRIVATE


async def in_group(message: Message) -> None:
    await message.answer(_(PRIVATE_ONLY))


async def pressed_in_group(query: CallbackQuery, bot: Bot, progress: UpdateProgress) -> None:
    progress.acknowledged = True
    await acknowledge(bot, query, _(PRIVATE_ONLY), show_alert=True)


def router() -> Router:
    private = Router(name="private_only")
    private.message.register(in_group, _not_private_message)
    private.callback_query.register(pressed_in_group, _not_private_press)
    return private
