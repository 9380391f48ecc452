"""Sending planned messages to one chat: edit the pressed menu in place, else send anew.

A button press usually moves to another screen: that screen replaces the pressed
message (no flood of menus). Results to keep, notices and photos arrive as new
messages, and then the pressed message loses its buttons so it cannot be pressed
again by mistake. An edit that Telegram refuses because the message is gone falls
back to a new message; "not modified" means the user already sees that screen.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message

from bot.telegram.rendering import Outgoing

# Telegram's wording for edits that cannot happen; we send a new message instead.
GONE = (
    "message to edit not found",
    "message can't be edited",
    "there is no text in the message to edit",
)
UNCHANGED = "message is not modified"


async def deliver(
    bot: Bot, chat_id: int, outgoing: list[Outgoing], *, pressed: int | None = None
) -> None:
    """Show ``outgoing`` in ``chat_id``; ``pressed`` is the message whose button was pressed."""
    edit_target = pressed
    for index, item in enumerate(outgoing):
        editable = index == 0 and edit_target is not None and item.navigates
        if editable and edit_target is not None and await _edit(bot, chat_id, edit_target, item):
            edit_target = None
            continue
        await _send(bot, chat_id, item)
    if edit_target is not None:
        await _strip_buttons(bot, chat_id, edit_target)


async def _send(bot: Bot, chat_id: int, item: Outgoing) -> Message:
    if item.photo is not None:
        photo = BufferedInputFile(item.photo, filename="usage.png")
        return await bot.send_photo(
            chat_id, photo, caption=item.text or None, reply_markup=item.markup
        )
    return await bot.send_message(chat_id, item.text, reply_markup=item.markup)


async def _edit(bot: Bot, chat_id: int, message_id: int, item: Outgoing) -> bool:
    """Replace the message's text and buttons; False when it can no longer be edited."""
    markup = item.markup if isinstance(item.markup, InlineKeyboardMarkup) else None
    try:
        await bot.edit_message_text(
            text=item.text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except TelegramBadRequest as error:
        if UNCHANGED in error.message:
            return True
        if any(reason in error.message for reason in GONE):
            return False
        raise
    return True


async def _strip_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
    except TelegramBadRequest as error:
        if UNCHANGED not in error.message and not any(r in error.message for r in GONE):
            raise
