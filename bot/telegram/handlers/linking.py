"""Linking a chat to a platform user: ``/start CODE``, a shared contact, ``/logout``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import phonenumbers
from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message, ReplyKeyboardRemove

from bot.config import Settings
from bot.linking import count_code, link_limits, too_many_codes
from bot.ops.metrics import LINK_ATTEMPTS
from bot.telegram.chat import CHANNEL, typed
from bot.telegram.middlewares import UpdateProgress
from bot.telegram.output import deliver
from bot.telegram.rendering import contact_keyboard, plan
from flows.engine import Engine
from flows.i18n import N_, _
from flows.ports import TurnStore
from flows.types import ReplyKind
from storage.identities import LINKING, ChatLinking, LinkedUser, LinkOutcome, LinkResult

CODE_REFUSED = {  # translated where sent
    LinkOutcome.UNKNOWN: N_("That link code is not valid. Please check it, or ask for a new one."),
    LinkOutcome.EXPIRED: N_("That link code has expired. Please ask for a new one."),
    LinkOutcome.USED: N_(
        "That link code was already used; each code works once. Please ask for a new one."
    ),
}
NOT_OWN_CONTACT = N_(
    "To link this chat, please share your own phone number with the button below, "
    "not someone else's contact."
)
NO_SUCH_PHONE = N_(
    "I could not find a platform user with that phone number, so this chat is not linked. "
    "Please ask your account owner or our support for a link code, then send /start CODE."
)
LOGGED_OUT = N_(
    "You are logged out: this chat is no longer linked to your account. "
    "To link it again, send /start CODE or share your phone number."
)
NOT_LINKED = N_("This chat was not linked to an account, so there is nothing to log out of.")


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


def refusal(result: LinkResult, now: datetime) -> str:
    """Why the code did not link, and when to come back if wrong codes hit a limit."""
    if result.locked_until is None:
        return _(CODE_REFUSED[result.outcome])
    if result.outcome is LinkOutcome.LOCKED:
        return too_many_codes(result.locked_until, now)
    return f"{_(CODE_REFUSED[result.outcome])}\n\n{too_many_codes(result.locked_until, now)}"


async def _link_then_greet(
    message: Message,
    bot: Bot,
    engine: Engine,
    progress: UpdateProgress,
    link: Callable[[ChatLinking], Awaitable[LinkedUser | None]],
) -> bool | None:
    """Link the chat and greet the user with the menu in one unit of work: the link and
    the turn that shows the menu commit together, or neither does.

    True: linked and greeted. False: ``link`` found nobody (what it wrote, such as a
    refused code's audit row, is kept; nothing was shown). None: the update failed and
    was rolled back, and the user was told so.
    """
    linked: list[LinkedUser] = []

    async def linking(store: TurnStore) -> bool:
        linked.clear()  # the engine runs this again if the turn loses a race
        user = await link(store.get(LINKING))
        if user is not None:
            linked.append(user)
        return user is not None

    replies = await engine.handle(typed(message.chat.id, "/start", _hint(message)), before=linking)
    if any(reply.kind is ReplyKind.FAILED for reply in replies):
        await deliver(bot, message.chat.id, plan(replies))
        return None
    progress.committed = True
    if not linked:
        return False
    user = linked[0]
    await message.answer(
        _("✅ This chat is now linked to {name} ({email}).").format(
            name=user.name, email=user.email
        ),
        reply_markup=ReplyKeyboardRemove(),
    )
    await deliver(bot, message.chat.id, plan(replies))
    return True


async def start_with_code(
    message: Message, command: CommandObject, bot: Bot, engine: Engine,
    progress: UpdateProgress, settings: Settings,
) -> None:
    """``/start CODE`` (what the ``t.me/<bot>?start=CODE`` link sends).

    Wrong codes are limited per chat and in total (``storage.link_limits``); a locked
    chat is told how long to wait.
    """
    now = utcnow()
    results: list[LinkResult] = []

    async def redeem(linking: ChatLinking) -> LinkedUser | None:
        code = (command.args or "").strip()
        result = await linking.redeem_code(
            CHANNEL, str(message.chat.id), code, now, link_limits(settings)
        )
        results[:] = [result]
        return result.user if result.outcome is LinkOutcome.LINKED else None

    linked = await _link_then_greet(message, bot, engine, progress, redeem)
    count_code("code", results[0] if results else None, linked=linked)
    if linked is False:
        await message.answer(refusal(results[0], now))


async def shared_contact(
    message: Message, bot: Bot, engine: Engine, progress: UpdateProgress
) -> None:
    """A shared contact links the chat when it is the sender's own and the number is known."""
    contact = message.contact
    sender = message.from_user
    if contact is None or sender is None or contact.user_id != sender.id:
        LINK_ATTEMPTS.labels("contact", "wrong").inc()  # someone else's number
        await message.answer(_(NOT_OWN_CONTACT), reply_markup=contact_keyboard())
        return
    phone = e164(contact.phone_number)
    if phone is None:
        LINK_ATTEMPTS.labels("contact", "wrong").inc()
        await message.answer(_(NO_SUCH_PHONE), reply_markup=ReplyKeyboardRemove())
        return

    async def by_phone(linking: ChatLinking) -> LinkedUser | None:
        return await linking.link_phone(CHANNEL, str(message.chat.id), phone, utcnow())

    linked = await _link_then_greet(message, bot, engine, progress, by_phone)
    outcome = "failed" if linked is None else "linked" if linked else "wrong"
    LINK_ATTEMPTS.labels("contact", outcome).inc()
    if linked is False:
        await message.answer(_(NO_SUCH_PHONE), reply_markup=ReplyKeyboardRemove())


async def logout(message: Message, bot: Bot, engine: Engine, settings: Settings) -> None:
    removed: list[bool] = []

    async def forget(store: TurnStore) -> bool:
        removed[:] = [await store.get(LINKING).unlink(
            CHANNEL, str(message.chat.id), now=utcnow(),
            to_group=settings.support_chat_id is not None)]
        return False  # nothing to show: the chat is no longer anyone's

    replies = await engine.handle(typed(message.chat.id, "/logout", _hint(message)), before=forget)
    if replies:  # the update failed and was rolled back: the apology says so
        await deliver(bot, message.chat.id, plan(replies))
        return
    await message.answer(
        _(LOGGED_OUT) if removed[0] else _(NOT_LINKED), reply_markup=ReplyKeyboardRemove()
    )


def _hint(message: Message) -> str | None:
    """The sender's Telegram language, the engine's hint for the greeting."""
    return message.from_user.language_code if message.from_user is not None else None


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
