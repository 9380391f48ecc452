"""The emulator's fault injection, in process and through the test server's control API."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiohttp import ClientSession

from testkit.botapi import BotApiServer
from testkit.telegram.emulator import ApiError, FakeTelegram, NoAnswer, ProxyPage
from testkit.telegram.session import EmulatedSession

CHAT = 5_550_001


async def test_a_fault_applies_as_often_as_told_then_the_method_works_again() -> None:
    telegram = FakeTelegram()
    telegram.private_chat(CHAT)
    bot = Bot(telegram.token, session=EmulatedSession(telegram))
    telegram.fail("sendMessage", ApiError(500, "Internal Server Error"), times=2)
    telegram.fail("SENDMESSAGE", ProxyPage(502))  # queued behind the first fault
    for expected in (TelegramServerError, TelegramServerError, ClientDecodeError):
        with pytest.raises(expected):
            await bot.send_message(CHAT, "hello")
    await bot.send_message(CHAT, "hello")  # faults used up
    assert [m.text for m in telegram.chats[CHAT].visible()] == ["hello"]  # failed calls did nothing
    assert len(telegram.faults.met) == 3
    telegram.fail("getMe", NoAnswer("timeout"), times=None)
    for _ in range(3):
        with pytest.raises(TelegramNetworkError, match="Request timeout error"):
            await bot.get_me()
    telegram.heal()
    assert (await bot.get_me()).is_bot


async def test_the_control_api_sets_and_heals_faults_seen_over_http(botapi: BotApiServer) -> None:
    telegram = botapi.telegram
    telegram.private_chat(CHAT)
    # Over HTTP, without the bot's retry middleware: each failure as aiogram reports it.
    bot = Bot(telegram.token, session=AiohttpSession(api=TelegramAPIServer.from_base(botapi.url)))
    async with bot.session, ClientSession(base_url=botapi.url) as http:
        async def control(path: str, **form: str) -> int:
            async with http.post(path, data=form) as response:
                return response.status

        assert await control("/_emulator/fail", method="sendMessage", retry_after="3") == 200
        with pytest.raises(TelegramRetryAfter) as flood:
            await bot.send_message(CHAT, "hi", request_timeout=1)
        assert flood.value.retry_after == 3
        assert await control("/_emulator/fail", method="sendMessage", page="503",
                             times="always") == 200
        for _ in range(2):
            with pytest.raises(ClientDecodeError):
                await bot.send_message(CHAT, "hi")
        assert await control("/_emulator/heal", method="sendMessage") == 200
        await bot.send_message(CHAT, "hi")
        assert await control("/_emulator/fail", method="getMe", network="reset") == 200
        with pytest.raises(TelegramNetworkError, match="Server disconnected"):
            await bot.get_me()
        assert await control("/_emulator/fail", method="sendMessage", network="lost") == 400
        assert await control("/_emulator/fail", method="sendMessage", times="0",
                             code="500") == 400
        assert await control("/_emulator/fail", network="reset") == 400  # which method?
    assert not telegram.faults.pending
