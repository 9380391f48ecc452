"""One exchange in a Telegram chat: what the user did to the engine, its replies shown."""

from __future__ import annotations

from aiogram import Bot

from bot.telegram.keys import CHANNEL, conversation_key
from bot.telegram.middlewares import UpdateProgress
from bot.telegram.output import deliver
from bot.telegram.rendering import plan
from flows.engine import Engine
from flows.types import Inbound

__all__ = ["CHANNEL", "converse", "pressed", "typed"]


async def converse(
    bot: Bot,
    engine: Engine,
    chat_id: int,
    inbound: Inbound,
    *,
    progress: UpdateProgress | None = None,
    pressed: int | None = None,
) -> None:
    """Hand ``inbound`` to the engine and show its replies (the engine commits first)."""
    replies = await engine.handle(inbound)
    if progress is not None:
        progress.committed = True
    await deliver(bot, chat_id, plan(replies), pressed=pressed)


def typed(chat_id: int, text: str, language: str | None = None) -> Inbound:
    """Typed ``text``; ``language`` is the user's ``language_code`` (the engine's hint)."""
    return Inbound.typed(conversation_key(chat_id), text, language=language)


def pressed(chat_id: int, token: str, language: str | None = None) -> Inbound:
    """A pressed menu button; ``language`` as for :func:`typed`."""
    return Inbound.pressed(conversation_key(chat_id), token, language=language)
