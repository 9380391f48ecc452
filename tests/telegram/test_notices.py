"""Notices reach Telegram chats from the outbox while the bot runs (polling and webhook),
and their standing buttons work whatever screen the chat is on."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from flows.ports import Notice
from flows.tokens import standing
from flows.types import Choice, ConversationKey
from storage import models as m
from storage.outbox import enqueue
from testkit.telegram.emulator.chats import ShownMessage
from testkit.telegram.emulator.errors import ApiError
from tests.telegram.stack import LiveBot

CHAT = 4242
SEE_USAGE = Choice("📊 See usage", standing("start.package"))


async def queue(live: LiveBot, *notices: Notice) -> None:
    async with live.db.database.transaction() as connection:
        await enqueue(connection, notices, datetime.now(UTC))


async def arrived(live: LiveBot, text: str) -> ShownMessage:
    """Wait for the bot's delivery loop (it looks every second) to show ``text``."""
    async with asyncio.timeout(10):
        while True:
            for message in live.telegram.chats[CHAT].visible():
                if message.from_bot and text in message.text:
                    return message
            await asyncio.sleep(0.02)


async def test_a_notice_arrives_and_its_button_opens_usage(live: LiveBot) -> None:
    await live.link(CHAT, "admin@acme.example")
    await live.click(CHAT, "Edit details")  # in the middle of a flow
    await queue(live, Notice(ConversationKey("telegram", str(CHAT)),
                             "Chatbot sessions: 80 % used", (SEE_USAGE,)))
    message = await arrived(live, "80 % used")
    assert message.labels == ["📊 See usage"]
    shown = await live.click(CHAT, "See usage")
    assert any("Interact" in m.text for m in shown)  # the package screen, from the edit


async def test_a_blocked_chat_is_given_up(live: LiveBot) -> None:
    await live.link(CHAT, "owner@acme.example")
    live.telegram.fail("sendMessage", ApiError(403, "Forbidden: bot was blocked by the user"),
                       times=None)
    await queue(live, Notice(ConversationKey("telegram", str(CHAT)), "never seen"))
    async with asyncio.timeout(10):
        while True:
            async with live.db.database.reading() as connection:
                gone = await connection.scalar(select(m.OutboxMessage.gave_up_at))
            if gone is not None:
                break
            await asyncio.sleep(0.05)
    live.telegram.heal()
    assert not any("never seen" in message.text for message in live.telegram.chats[CHAT].visible())


async def test_an_alerts_button_pressed_while_talking_keeps_the_alert(live: LiveBot) -> None:
    """QA: a press on a notice's button was answered by editing the notice itself when the
    answer was a screen with buttons (talking to a person): the alert's text was gone."""
    await live.link(CHAT, "owner@acme.example")
    await live.send(CHAT, "talk to a person")
    await queue(live, Notice(ConversationKey("telegram", str(CHAT)),
                             "Chatbot sessions: 80 % used", (SEE_USAGE,)))
    await arrived(live, "80 % used")
    await live.click(CHAT, "See usage")
    texts = [message.text for message in live.chat(CHAT) if message.from_bot]
    assert any("80 % used" in text for text in texts), texts
    assert "still talking to our support team" in texts[-1]
