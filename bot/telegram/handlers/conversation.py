"""Everything else in a private chat goes to the engine: typed text and menu buttons."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message

from bot.telegram.acknowledge import acknowledge
from bot.telegram.callbacks import MenuButton
from bot.telegram.chat import converse, pressed, typed
from bot.telegram.middlewares import UpdateProgress
from bot.telegram.output import deliver
from bot.telegram.rendering import plan
from flows.engine import Engine
from flows.i18n import N_, _
from flows.tokens import STANDING_MENU

NOT_OUR_BUTTON = N_("Sorry, I can't use that button. Type menu to see your options.")
TEXT_ONLY = N_("I can only read text messages here. Type menu to see what I can do.")


async def on_text(
    message: Message,
    bot: Bot,
    engine: Engine,
    progress: UpdateProgress,
    language_hint: str | None = None,
) -> None:
    assert message.text is not None  # the _has_text filter
    inbound = typed(message.chat.id, message.text, language_hint)
    await converse(bot, engine, message.chat.id, inbound, progress=progress)


async def on_button(
    query: CallbackQuery,
    callback_data: MenuButton,
    bot: Bot,
    engine: Engine,
    progress: UpdateProgress,
    language_hint: str | None = None,
) -> None:
    """A menu button: the engine decides (it rejects tokens of menus no longer current)."""
    message = query.message
    if message is None:  # a button on an inline-mode message: not one of our menus
        progress.acknowledged = True
        await acknowledge(bot, query, _(NOT_OUR_BUTTON))
        return
    replies = await engine.handle(pressed(message.chat.id, callback_data.token, language_hint))
    progress.committed = True
    # Answered before the replies go out so the button stops spinning at once. A
    # refused answer (a press older than ~15 s, say) must not cost the user the result
    # that is already stored, so acknowledge() logs it and the replies go out anyway.
    # Marked first: the error handler must not answer it a second time.
    progress.acknowledged = True
    await acknowledge(bot, query)
    # A notice's standing button (an alert's See usage): the notice is worth keeping, so
    # the answer arrives as new messages instead of replacing it.
    on_notice = callback_data.menu == STANDING_MENU
    await deliver(bot, message.chat.id, plan(replies),
                  pressed=None if on_notice else message.message_id)


async def on_foreign_button(query: CallbackQuery, bot: Bot, progress: UpdateProgress) -> None:
    """Callback data we never issued (malformed or forged): a polite answer, nothing else."""
    progress.acknowledged = True
    await acknowledge(bot, query, _(NOT_OUR_BUTTON))


async def on_other(message: Message) -> None:
    await message.answer(_(TEXT_ONLY))


async def _has_text(message: Message) -> bool:
    # A coroutine, not F.text: aiogram runs plain callables in a worker thread.
    return message.text is not None


def router() -> Router:
    conversation = Router(name="conversation")
    conversation.message.register(on_text, _has_text)
    conversation.message.register(on_other)
    conversation.callback_query.register(on_button, MenuButton.filter())
    conversation.callback_query.register(on_foreign_button)
    return conversation
