"""The real bot stack under test: aiogram over HTTP to the test Bot API server.

A :class:`LiveBot` runs the production wiring (``make_bot``, ``build_dispatcher``,
``run_polling`` or ``start_webhook``) against :class:`testkit.botapi.BotApiServer`.
Tests act as users on the server and wait until the bot has fully handled each
update; what they assert is what the server recorded over HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from aiogram import Dispatcher
from aiogram.types import Update

from bot.charts import render_usage_chart
from bot.config import Settings
from bot.ops.turns import MetricsObserver
from bot.runtime import engine_settings
from bot.telegram.app import WebhookServer, make_bot, run_polling, start_webhook
from bot.telegram.dispatcher import build_dispatcher
from bot.telegram.polling import Poller
from bot.web.app import WebChat
from flows.engine import Engine
from storage.identities import issue_link_code
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from testkit.telegram.emulator import FakeTelegram, ShownMessage

Mode = Literal["polling", "webhook"]
WEBHOOK_SECRET = "test-secret_0123456789"


class UpdateTracker:
    """Knows which update ids the dispatcher has finished with (error handling included)."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.done: set[int] = set()
        self._changed = asyncio.Condition()
        original = dispatcher.feed_update

        async def feed_update(bot: Any, update: Update, **kwargs: Any) -> Any:
            try:
                return await original(bot, update, **kwargs)
            finally:
                async with self._changed:
                    self.done.add(update.update_id)
                    self._changed.notify_all()

        # Both polling and the webhook handler call dispatcher.feed_update.
        setattr(dispatcher, "feed_update", feed_update)  # noqa: B010

    async def wait(self, update_ids: list[int], timeout: float = 15) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: self.done.issuperset(update_ids))


class LiveBot:
    """The bot, running in ``mode`` against ``server`` on database ``db``."""

    def __init__(self, server: BotApiServer, db: FreshDatabase, mode: Mode,
                 settings: Settings | None = None, *, web: bool = False) -> None:
        """``web``: the webhook's server serves the web chat too, as in production."""
        self.server = server
        self.telegram: FakeTelegram = server.telegram
        self.db = db
        self.mode = mode
        self.settings = settings or Settings(database_url=db.url, flood_limit_per_minute=1000)
        self.engine = Engine(db.stores, engine_settings(self.settings),
                             charts={"telegram": render_usage_chart, "web": render_usage_chart},
                             observer=MetricsObserver())  # as bot.runtime builds it
        self.bot = make_bot(self.telegram.token, server.url)
        self.dispatcher = build_dispatcher(self.engine, self.settings, database=db.database)
        self.tracker = UpdateTracker(self.dispatcher)
        self.poller = Poller(self.bot, self.dispatcher, timeout=5)
        self._polling: asyncio.Task[None] | None = None
        self.webhook: WebhookServer | None = None
        self.web_chat = WebChat(self.engine, db.database, self.settings) if web else None

    async def start(self) -> LiveBot:
        if self.mode == "polling":
            self._polling = asyncio.create_task(run_polling(self.poller, handle_signals=False))
            await self.until(lambda: any(c[0] == "getUpdates" for c in self.telegram.calls))
        else:
            self.webhook = await start_webhook(self.bot, self.dispatcher, port=0,
                                               secret=WEBHOOK_SECRET, database=self.db.database,
                                               web_chat=self.web_chat)
        return self

    async def stop(self) -> None:
        if self._polling is not None:
            self.poller.stop()
            await self._polling
        if self.webhook is not None:
            await self.webhook.stop()
        await self.bot.session.close()

    async def until(self, condition: Callable[[], bool], timeout: float = 10) -> None:
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.005)

    # -- acting as users -------------------------------------------------------------
    async def act(self, *updates: dict[str, Any]) -> None:
        """Wait until the bot has handled ``updates`` (already queued on the server)."""
        await self.tracker.wait([u["update_id"] for u in updates])

    async def step(self, chat_id: int, make: Callable[[], dict[str, Any]]) -> list[ShownMessage]:
        """Do one user action in ``chat_id``; the bot's messages sent or re-written for it."""
        chat = self.telegram.chats.get(chat_id)
        start = len(chat.events) if chat else 0
        await self.act(make())
        events = self.telegram.chats[chat_id].events[start:]
        return [e.message for e in events
                if e.kind in ("sent", "edited") and e.message and e.message.from_bot]

    async def send(self, chat_id: int, text: str) -> list[ShownMessage]:
        return await self.step(chat_id, lambda: self.telegram.send_text(chat_id, text))

    async def click(self, chat_id: int, label: str) -> list[ShownMessage]:
        return await self.step(chat_id, lambda: self.telegram.press_button(chat_id, label))

    async def press(self, chat_id: int, message_id: int, data: str) -> list[ShownMessage]:
        return await self.step(chat_id, lambda: self.telegram.press(chat_id, message_id, data))

    async def link(self, chat_id: int, email: str) -> list[ShownMessage]:
        """Link the chat the way people do: a fresh code, then ``/start CODE``."""
        return await self.send(chat_id, f"/start {await self.code_for(email)}")

    async def code_for(self, email: str, *, now: datetime | None = None, ttl: int = 900) -> str:
        async with self.db.database.transaction() as connection:
            return await issue_link_code(connection, email, now or datetime.now(UTC), ttl)

    def chat(self, chat_id: int) -> list[ShownMessage]:
        return self.telegram.chats[chat_id].visible()

    def answers(self, chat_id: int) -> list[str | None]:
        return [e.answer.text for e in self.telegram.chats[chat_id].events
                if e.kind == "answered" and e.answer]


def texts(messages: list[ShownMessage]) -> list[str]:
    return [m.text for m in messages]


def labels(messages: list[ShownMessage]) -> list[str]:
    return [label for m in messages for label in m.labels]
