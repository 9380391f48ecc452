"""The support group end to end: a customer asks for a person in a private chat, the
ticket gets a forum topic with the summary, messages go both ways, ``/close`` hands back.

The real dispatcher over HTTP against the test Bot API server (polling and webhook),
with ``SUPPORT_CHAT_ID`` set as in production; topics are Telegram's forum topics as
the emulator keeps them (``createForumTopic``, ``message_thread_id``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.config import Settings
from storage import models as m
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from testkit.telegram.emulator import Chat, ShownMessage
from tests.telegram.stack import LiveBot, Mode

CUSTOMER = 4242
SUPPORT = -1001234567890
AGENT = 777


@pytest.fixture
async def support_bot(
    botapi: BotApiServer, sqlite_db: FreshDatabase, mode: Mode
) -> AsyncIterator[LiveBot]:
    botapi.telegram.forum_chat(SUPPORT, "Acme support")
    botapi.telegram.user(AGENT, "Sam")
    settings = Settings(database_url=sqlite_db.url, flood_limit_per_minute=1000,
                        support_chat_id=SUPPORT)
    bot = await LiveBot(botapi, sqlite_db, mode, settings).start()
    try:
        yield bot
    finally:
        await bot.stop()


async def arrived(chat: Chat, text: str, thread_id: int | None = None) -> ShownMessage:
    """Wait for a delivery loop (it looks every second) to show ``text`` in ``chat``."""
    async with asyncio.timeout(10):
        while True:
            for message in chat.visible():
                in_thread = thread_id is None or message.json.get("message_thread_id") == thread_id
                if message.from_bot and text in message.text and in_thread:
                    return message
            await asyncio.sleep(0.02)


async def topic_of(live: LiveBot) -> int:
    async with asyncio.timeout(10):
        while not live.telegram.chats[SUPPORT].topics:
            await asyncio.sleep(0.02)
    [thread_id] = live.telegram.chats[SUPPORT].topics
    return thread_id


async def agent_says(live: LiveBot, text: str, thread_id: int | None) -> None:
    await live.act(live.telegram.send_text(SUPPORT, text, user_id=AGENT, thread_id=thread_id))


async def test_a_ticket_is_a_topic_and_messages_go_both_ways(support_bot: LiveBot) -> None:
    live = support_bot
    group, customer = live.telegram.chats[SUPPORT], live.telegram.private_chat(CUSTOMER)
    await live.link(CUSTOMER, "owner@acme.example")
    shown = await live.send(CUSTOMER, "agent")
    assert "asked our support team" in shown[-1].text
    thread_id = await topic_of(live)
    topic = group.topics[thread_id]
    assert topic["name"].startswith("T-") and topic["name"].endswith(
        " · Acme Trading Ltd · Olivia Owner")
    summary = await arrived(group, "Olivia Owner asks to talk to a person", thread_id)
    assert "Who: Olivia Owner <owner@acme.example>, owner" in summary.text
    assert "Interact package" in summary.text

    await live.send(CUSTOMER, "My invoice is wrong")
    await arrived(group, "Olivia Owner: My invoice is wrong", thread_id)
    await live.send(CUSTOMER, "menu")  # relayed too: a person is talking
    await arrived(group, "Olivia Owner: menu", thread_id)

    await agent_says(live, "Hello, this is Sam", thread_id)
    await arrived(customer, "Sam: Hello, this is Sam")
    async with live.db.database.reading() as connection:
        authors = list(await connection.scalars(
            select(m.TicketMessage.author).order_by(m.TicketMessage.id)))
    assert authors == ["bot", "customer", "customer", "agent"]

    await agent_says(live, "/close", thread_id)
    await arrived(group, "closed T-", thread_id)
    await arrived(customer, "Our support team has ended the chat")
    shown = await live.send(CUSTOMER, "menu")
    assert "What would you like to do?" in shown[-1].text
    assert list(group.topics) == [thread_id]  # one topic for the ticket, ever


async def test_other_topics_and_closed_tickets(support_bot: LiveBot) -> None:
    live = support_bot
    group = live.telegram.chats[SUPPORT]
    await live.link(CUSTOMER, "viewer@acme.example")
    await live.send(CUSTOMER, "talk to a person")
    thread_id = await topic_of(live)
    await arrived(group, "asks to talk to a person", thread_id)
    before = len(group.visible())
    await agent_says(live, "chatting in the general topic", None)
    assert len(group.visible()) == before + 1  # the agent's message; the bot said nothing

    await live.send(CUSTOMER, "end chat")
    await arrived(group, "Vera Viewer ended the chat", thread_id)
    await agent_says(live, "are you still there?", thread_id)
    refusal = await arrived(group, "is closed; the customer was not sent anything", thread_id)
    assert refusal.json["message_thread_id"] == thread_id
    customer = live.telegram.chats[CUSTOMER].visible()
    assert not any("still there" in message.text for message in customer)
