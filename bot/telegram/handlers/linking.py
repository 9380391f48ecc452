"""Linking a chat to a platform user: ``/start CODE``, a shared contact, ``/logout``."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import phonenumbers
from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message, ReplyKeyboardRemove

from bot.config import Settings
from bot.telegram.chat import CHANNEL, converse, typed
from bot.telegram.middlewares import UpdateProgress
from bot.telegram.rendering import contact_keyboard
from flows.engine import Engine
from storage.identities import (
    LinkedUser,
    LinkOutcome,
    LinkResult,
    link_by_phone,
    redeem_link_code,
    unlink,
)
from storage.link_limits import LinkLimits
from storage.unit_of_work import Database

CODE_REFUSED = {
    LinkOutcome.UNKNOWN: "That link code is not valid. Please check it, or ask for a new one.",
    LinkOutcome.EXPIRED: "That link code has expired. Please ask for a new one.",
    LinkOutcome.USED: "That link code was already used; each code works once. "
    "Please ask for a new one.",
}
TOO_MANY_CODES = "Too many wrong codes: try again in {wait}."
NOT_OWN_CONTACT = (
    "To link this chat, please share your own phone number with the button below, "
    "not someone else's contact."
)
NO_SUCH_PHONE = (
    "I could not find a platform user with that phone number, so this chat is not linked. "
    "Please ask your account owner or our support for a link code, then send /start CODE."
)
LOGGED_OUT = (
    "You are logged out: this chat is no longer linked to your account. "
    "To link it again, send /start CODE or share your phone number."
)
NOT_LINKED = "This chat was not linked to an account, so there is nothing to log out of."


def utcnow() -> datetime:
    return datetime.now(UTC)


def e164(phone_number: str) -> str | None:
    """Telegram's phone number (digits, sometimes without +) in E.164, or None."""
    digits = "".join(ch for ch in phone_number if ch.isdigit())
    try:
        parsed = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def too_many_codes(locked_until: datetime, now: datetime) -> str:
    """The lock-out notice, with the wait rounded up to whole minutes (at least one)."""
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return TOO_MANY_CODES.format(wait=f"{minutes} minute{'' if minutes == 1 else 's'}")


def refusal(result: LinkResult, now: datetime) -> str:
    """Why the code did not link, and when to come back if wrong codes hit a limit."""
    if result.locked_until is None:
        return CODE_REFUSED[result.outcome]
    if result.outcome is LinkOutcome.LOCKED:
        return too_many_codes(result.locked_until, now)
    return f"{CODE_REFUSED[result.outcome]}\n\n{too_many_codes(result.locked_until, now)}"


def link_limits(settings: Settings) -> LinkLimits:
    """The wrong-code limits configured by ``LINK_ATTEMPTS_*`` and ``LINK_LOCKOUT_SECONDS``."""
    return LinkLimits(
        per_chat=settings.link_attempts_per_chat,
        total=settings.link_attempts_total,
        window_seconds=settings.link_lockout_seconds,
    )


async def _welcome(
    message: Message, bot: Bot, engine: Engine, user: LinkedUser, progress: UpdateProgress
) -> None:
    await message.answer(
        f"✅ This chat is now linked to {user.name} ({user.email}).",
        reply_markup=ReplyKeyboardRemove(),
    )
    inbound = typed(message.chat.id, "/start")
    await converse(bot, engine, message.chat.id, inbound, progress=progress)


async def start_with_code(
    message: Message, command: CommandObject, database: Database, bot: Bot, engine: Engine,
    progress: UpdateProgress, settings: Settings,
) -> None:
    """``/start CODE`` (what the ``t.me/<bot>?start=CODE`` link sends).

    Wrong codes are limited per chat and in total (``storage.link_limits``); a locked
    chat is told how long to wait.
    """
    now = utcnow()
    # Committed before the engine runs, so its turn sees the link.
    async with database.transaction() as connection:
        result = await redeem_link_code(
            connection, CHANNEL, str(message.chat.id), (command.args or "").strip(), now,
            link_limits(settings),
        )
    if result.outcome is LinkOutcome.LINKED and result.user is not None:
        await _welcome(message, bot, engine, result.user, progress)
    else:
        await message.answer(refusal(result, now))


async def shared_contact(
    message: Message, database: Database, bot: Bot, engine: Engine, progress: UpdateProgress
) -> None:
    """A shared contact links the chat when it is the sender's own and the number is known."""
    contact = message.contact
    sender = message.from_user
    if contact is None or sender is None or contact.user_id != sender.id:
        await message.answer(NOT_OWN_CONTACT, reply_markup=contact_keyboard())
        return
    phone = e164(contact.phone_number)
    user = None
    if phone is not None:
        async with database.transaction() as connection:
            user = await link_by_phone(connection, CHANNEL, str(message.chat.id), phone, utcnow())
    if user is None:
        await message.answer(NO_SUCH_PHONE, reply_markup=ReplyKeyboardRemove())
        return
    await _welcome(message, bot, engine, user, progress)


async def logout(message: Message, database: Database) -> None:
    async with database.transaction() as connection:
        removed = await unlink(connection, CHANNEL, str(message.chat.id))
    await message.answer(LOGGED_OUT if removed else NOT_LINKED, reply_markup=ReplyKeyboardRemove())


async def _may_link(message: Message) -> bool:
    # Router-level: plain text skips this router's three filters (most updates).
    return message.contact is not None or (message.text or "").startswith("/")


async def _has_contact(message: Message) -> bool:
    # A coroutine, not F.contact: aiogram runs plain callables in a worker thread.
    return message.contact is not None


def router() -> Router:
    linking = Router(name="linking")
    linking.message.filter(_may_link)
    linking.message.register(start_with_code, CommandStart(deep_link=True))
    linking.message.register(shared_contact, _has_contact)
    linking.message.register(logout, Command("logout"))
    return linking
