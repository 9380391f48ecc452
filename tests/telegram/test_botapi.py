"""The test Bot API server behaves as Telegram documents it (checked through aiogram)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.telegram.app import PlainHttpSession, make_bot
from testkit.botapi import BotApiServer
from testkit.telegram.emulator import errors

CHAT = 4242
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000100000000808020000004b8c2a0c")


@pytest.fixture
async def bot(botapi: BotApiServer) -> AsyncIterator[Bot]:
    # No retry middleware: these tests look at Telegram's raw answers.
    session = PlainHttpSession(api=TelegramAPIServer.from_base(botapi.url))
    api_bot = Bot(botapi.telegram.token, session=session)
    botapi.telegram.private_chat(CHAT, "Tess")
    yield api_bot
    await session.close()


async def test_a_bot_over_plain_http_closes_its_connections_at_once(botapi: BotApiServer) -> None:
    bot = make_bot(botapi.telegram.token, botapi.url)
    assert isinstance(bot.session, PlainHttpSession)
    await bot.get_me()
    http = bot.session.http
    assert http is not None and not http.closed
    await bot.session.close()  # without aiogram's 250 ms wait for TLS to shut down
    assert http.closed
    # To Telegram itself (TLS) the session is aiogram's own, wait included.
    assert type(make_bot(botapi.telegram.token).session) is AiohttpSession


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Go",
                                                                       callback_data=data)]])


async def test_get_me_and_a_wrong_token(botapi: BotApiServer, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "acme_accounts_bot" and me.id == 123456
    stranger = Bot("999:nope",
                   session=PlainHttpSession(api=TelegramAPIServer.from_base(botapi.url)))
    with pytest.raises(TelegramUnauthorizedError):
        await stranger.get_me()
    await stranger.session.close()


async def test_get_updates_offsets_and_long_polling(botapi: BotApiServer, bot: Bot) -> None:
    first = botapi.telegram.send_text(CHAT, "one")
    botapi.telegram.send_text(CHAT, "two")
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["one", "two"]
    assert [u.update_id for u in await bot.get_updates(offset=first["update_id"] + 1)] == [
        first["update_id"] + 1
    ]
    assert await bot.get_updates(offset=first["update_id"] + 2, timeout=0) == []  # confirmed
    # A long poll with nothing to hand out is held, and answered as soon as an update
    # arrives (with a 60 s timeout, an answer without "three" would mean it was not).
    waiting = asyncio.create_task(bot.get_updates(offset=first["update_id"] + 2, timeout=60))
    await held(botapi)
    botapi.telegram.send_text(CHAT, "three")
    assert [u.message.text for u in await waiting if u.message] == ["three"]
    # Nothing comes: held, then answered empty when its timeout runs out.
    waiting = asyncio.create_task(bot.get_updates(offset=first["update_id"] + 3, timeout=1))
    await held(botapi)
    assert await waiting == []


async def test_a_second_long_poll_ends_the_first_with_409(botapi: BotApiServer, bot: Bot
                                                           ) -> None:
    """Telegram's rule for two pollers of one token: the one waiting is told, the
    newcomer waits in its place (and a poll that answers at once ends nobody's)."""
    first = asyncio.create_task(bot.get_updates(timeout=60))
    await held(botapi)
    second = asyncio.create_task(bot.get_updates(timeout=60))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request; "
                       "make sure that only one bot instance is running"):
        await first
    assert await bot.get_updates(timeout=0) == []  # a short poll: no conflict
    assert not second.done()
    botapi.telegram.send_text(CHAT, "hello")
    assert [u.message.text for u in await second if u.message] == ["hello"]


async def test_set_webhook_ends_a_long_poll_and_refuses_polling(botapi: BotApiServer, bot: Bot
                                                               ) -> None:
    waiting = asyncio.create_task(bot.get_updates(timeout=60))
    await held(botapi)
    await bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(TelegramConflictError, match="terminated by setWebhook request"):
        await waiting
    botapi.telegram.conflict_pause = 0  # Telegram paces its 409s; not what this checks
    with pytest.raises(TelegramConflictError, match="can't use getUpdates method while webhook"):
        await bot.get_updates(timeout=0)


async def held(botapi: BotApiServer) -> None:
    """Wait until the server receives a getUpdates call, then check it holds it: one that
    did not would have answered (a new entry in ``batches``) in the step it received it."""
    telegram = botapi.telegram
    answered = len(telegram.batches)
    calls = sum(name == "getUpdates" for name, _ in telegram.calls)
    async with asyncio.timeout(10):
        while sum(name == "getUpdates" for name, _ in telegram.calls) == calls:
            await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)  # time to answer, had it not been holding the call
    assert len(telegram.batches) == answered, "the long poll was answered at once"


async def test_message_errors_are_worded_as_telegram_words_them(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest) as too_long:
        await bot.send_message(CHAT, "x" * 4097)
    assert too_long.value.message == errors.TOO_LONG
    await bot.send_message(CHAT, "😀" * 2048)  # 4,096 UTF-16 units: just fits
    with pytest.raises(TelegramBadRequest) as bad_data:
        await bot.send_message(CHAT, "hi", reply_markup=keyboard("x" * 65))
    assert bad_data.value.message == errors.BUTTON_DATA_INVALID
    sent = await bot.send_message(CHAT, "menu", reply_markup=keyboard("a"))
    with pytest.raises(TelegramBadRequest) as same:
        await bot.edit_message_text("menu", chat_id=CHAT, message_id=sent.message_id,
                                    reply_markup=keyboard("a"))
    assert same.value.message == errors.NOT_MODIFIED
    with pytest.raises(TelegramBadRequest) as gone:
        await bot.edit_message_text("new", chat_id=CHAT, message_id=9999)
    assert gone.value.message == errors.EDIT_NOT_FOUND
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(777, "nobody wrote to me from here")


async def test_edits_apply_in_place(botapi: BotApiServer, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "menu", reply_markup=keyboard("a"))
    edited = await bot.edit_message_text("details", chat_id=CHAT, message_id=sent.message_id,
                                         reply_markup=keyboard("b"))
    assert not isinstance(edited, bool) and edited.edit_date is not None
    await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id)
    shown = botapi.telegram.message(CHAT, sent.message_id)
    assert shown.text == "details" and shown.buttons == []
    assert await bot.delete_message(CHAT, sent.message_id)
    assert botapi.telegram.chats[CHAT].visible() == []


async def test_photos_are_uploaded_as_multipart(botapi: BotApiServer, bot: Bot) -> None:
    message = await bot.send_photo(CHAT, BufferedInputFile(PNG, "chart.png"), caption="Usage")
    assert message.photo and message.photo[-1].width == 16 and message.caption == "Usage"
    assert botapi.telegram.message(CHAT, message.message_id).photo == PNG
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(CHAT, BufferedInputFile(b"not an image", "x.png"))


async def test_callback_queries_are_answered_once(botapi: BotApiServer, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "menu", reply_markup=keyboard("go"))
    press = botapi.telegram.press_button(CHAT, "Go")
    query = press["callback_query"]
    assert query["chat_instance"] and query["data"] == "go"
    assert await bot.answer_callback_query(query["id"], text="Done")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query["id"])
    assert botapi.telegram.answers[-1].text == "Done"
    assert sent.message_id == query["message"]["message_id"]


async def test_too_many_requests_carries_retry_after(botapi: BotApiServer, bot: Bot) -> None:
    botapi.telegram.rate_limit = (2, 3.0)
    await bot.send_message(CHAT, "1")
    await bot.send_message(CHAT, "2")
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(CHAT, "3")
    assert refused.value.retry_after == 3
    assert "Too Many Requests: retry after 3" in str(refused.value)


async def test_webhook_settings_round_trip(bot: Bot) -> None:
    assert await bot.set_webhook("http://127.0.0.1:1/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:1/hook"
    with pytest.raises(TelegramBadRequest, match="unallowed characters"):
        await bot.set_webhook("http://127.0.0.1:1/hook", secret_token="bad secret!")
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""
