"""Drive the real Telegram dispatcher in process: no network, real aiogram objects.

Quick start::

    async with open_runtime(settings, charts={"telegram": render_usage_chart}) as runtime:
        client = TelegramTestClient(runtime, chat_id=1001)
        await client.link_as("owner@acme.example")      # or: await client.send("/start CODE")
        replies = await client.send("menu")              # list[SentMessage]
        assert "📄 Account details" in replies[-1].labels
        replies = await client.click("Package")          # a label (substring) or callback data
        assert replies[0].photo is not None              # the usage chart

API
---
:class:`TelegramHarness` (``engine, database, settings=None, *, telegram=None``) owns
one ``Bot`` on an :class:`EmulatedSession`, the dispatcher from
``build_dispatcher`` and a :class:`FakeTelegram`; ``harness.client(chat_id)``
makes a client; several clients share one harness (many chats, one bot).
``harness.feed(update)`` feeds a raw update JSON through ``dp.feed_update``;
``harness.errors`` lists exceptions the dispatcher's error handler caught.
``harness.session.calls`` records every Bot API call.
``harness.telegram.fail(method, failure, times=1)`` makes a method fail as Telegram,
its proxy or the network can (:mod:`testkit.telegram.emulator.faults`).

:class:`TelegramTestClient` (``runtime | harness | engine, database=None, *,
chat_id, user_id=None, first_name``) is one person in one private chat:

- ``await send(text)``, ``await click(label_or_data)``, ``await press(message_id,
  data)`` (any data, forged too), ``await share_contact(phone, own=True)`` each
  return the bot's messages that appeared or were re-written (edits of a menu in
  place) by that step, in order: :class:`SentMessage` snapshots with ``.text``
  (caption for photos), ``.buttons`` (rows of ``Button(label, data,
  request_contact)``), ``.labels``, ``.photo`` (PNG bytes or None), ``.edited``,
  ``.message_id``. Keyboard-only edits (a pressed menu losing its buttons) are
  not replies; ``messages`` shows them.
- ``click`` takes exact callback data, or a case-insensitive substring of one
  button label on the newest message that has buttons; no match or several
  raise ``LookupError`` listing the labels.
- ``messages`` / ``bot_messages``: what the chat shows now, edits applied;
  ``last_menu``: the newest message with inline buttons; ``answers``: answered
  callback queries (toast texts); ``transcript()``: the chat as text.
- ``await link_as(email)`` links the chat to a demo user (as ``/start CODE`` would).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.types import ErrorEvent, Update

from bot.chat_isolation import ChatIsolation
from bot.config import Settings
from bot.delivery import deliver_pending
from bot.runtime import Runtime
from bot.telegram.chat import CHANNEL
from bot.telegram.dispatcher import build_dispatcher
from bot.telegram.notices import telegram_sender
from bot.telegram.pinning import pin_response_types
from bot.telegram.retry import install_retry
from flows.engine import Engine
from storage.identities import ensure_identity
from storage.unit_of_work import Database
from testkit.telegram.emulator import Button, CallbackAnswer, FakeTelegram, ShownMessage
from testkit.telegram.session import EmulatedSession, RecordedCall

SentMessage = ShownMessage
__all__ = ["Button", "CallbackAnswer", "EmulatedSession", "FakeTelegram", "RecordedCall",
           "SentMessage", "TelegramHarness", "TelegramTestClient"]

TEST_FLOOD_LIMIT = 100_000  # scripts type faster than people


class TelegramHarness:
    """One bot, its dispatcher and an in-memory Telegram; feeds updates in process."""

    def __init__(
        self,
        engine: Engine,
        database: Database,
        settings: Settings | None = None,
        *,
        telegram: FakeTelegram | None = None,
        record: bool = True,
        isolation: ChatIsolation | None = None,
    ) -> None:
        self.telegram = telegram or FakeTelegram()
        self.session = EmulatedSession(self.telegram, record=record)
        install_retry(self.session)
        pin_response_types()
        self.bot = Bot(self.telegram.token, session=self.session)
        self.database = database
        settings = settings or Settings(flood_limit_per_minute=TEST_FLOOD_LIMIT)
        self.dispatcher = build_dispatcher(engine, settings, isolation)
        self.errors: list[BaseException] = []
        self.dispatcher.errors.register(self._remember_error)

    @classmethod
    def for_runtime(cls, runtime: Runtime, **options: Any) -> TelegramHarness:
        return cls(runtime.engine, runtime.database, **options)

    async def _remember_error(self, event: ErrorEvent) -> None:
        self.errors.append(event.exception)
        raise SkipHandler  # and on to the bot's own error handler

    async def feed(self, update: dict[str, Any]) -> None:
        """Deliver one update (as getUpdates would: it is confirmed) and handle it fully."""
        self.telegram.confirm(int(update["update_id"]) + 1)
        parsed = Update.model_validate(update, context={"bot": self.bot})
        await self.dispatcher.feed_update(self.bot, parsed)

    def client(self, chat_id: int, *, user_id: int | None = None,
               first_name: str = "Test User") -> TelegramTestClient:
        """A :class:`TelegramTestClient`: one person in a private chat with this bot."""
        return TelegramTestClient(self, chat_id=chat_id, user_id=user_id, first_name=first_name)

    async def close(self) -> None:
        await self.bot.session.close()


class TelegramTestClient:
    """One person in one private chat with the bot (see the module docstring)."""

    def __init__(
        self,
        target: TelegramHarness | Runtime | Engine,
        database: Database | None = None,
        *,
        chat_id: int = 1001,
        user_id: int | None = None,
        first_name: str = "Test User",
        settings: Settings | None = None,
    ) -> None:
        if isinstance(target, TelegramHarness):
            self.harness = target
        elif isinstance(target, Runtime):
            self.harness = TelegramHarness.for_runtime(target, settings=settings)
        else:
            if database is None:
                raise TypeError("an Engine needs its Database too")
            self.harness = TelegramHarness(target, database, settings)
        self.telegram = self.harness.telegram
        self.chat_id = chat_id
        self.user_id = chat_id if user_id is None else user_id
        self.telegram.user(self.user_id, first_name)
        self.chat = self.telegram.private_chat(chat_id, first_name)

    # -- acting ------------------------------------------------------------------------
    async def send(self, text: str) -> list[SentMessage]:
        return await self._step(self.telegram.send_text(self.chat_id, text, user_id=self.user_id))

    async def press(self, message_id: int, data: str) -> list[SentMessage]:
        update = self.telegram.press(self.chat_id, message_id, data, user_id=self.user_id)
        return await self._step(update)

    async def click(self, which: str) -> list[SentMessage]:
        for message in reversed(self.bot_messages):
            if any(b.data == which for row in message.buttons for b in row):
                return await self.press(message.message_id, which)
        update = self.telegram.press_button(self.chat_id, which, user_id=self.user_id)
        return await self._step(update)

    async def share_contact(self, phone: str, *, own: bool = True) -> list[SentMessage]:
        update = self.telegram.share_contact(
            self.chat_id, phone, contact_user_id=self.user_id if own else self.user_id + 1,
            user_id=self.user_id,
        )
        return await self._step(update)

    async def link_as(self, email: str) -> int:
        """Link this chat to the user with ``email``; returns the user id."""
        async with self.harness.database.transaction() as connection:
            return await ensure_identity(connection, CHANNEL, str(self.chat_id), email)

    async def notices(self) -> list[SentMessage]:
        """Deliver the outbox's notices for this chat as the bot's delivery loop does
        (``bot.telegram.notices``), and return the messages that arrived."""
        start = len(self.chat.events)
        await deliver_pending(self.harness.database, CHANNEL,
                              telegram_sender(self.harness.bot), chat_id=str(self.chat_id))
        return self._since(start)

    async def _step(self, update: dict[str, Any]) -> list[SentMessage]:
        start = len(self.chat.events)
        await self.harness.feed(update)
        return self._since(start)

    def _since(self, start: int) -> list[SentMessage]:
        return [
            event.message
            for event in self.chat.events[start:]
            if event.kind in ("sent", "edited") and event.message and event.message.from_bot
        ]

    # -- looking -----------------------------------------------------------------------
    @property
    def messages(self) -> list[SentMessage]:
        return self.chat.visible()

    @property
    def bot_messages(self) -> list[SentMessage]:
        return [m for m in self.chat.visible() if m.from_bot]

    @property
    def last_menu(self) -> SentMessage | None:
        with_buttons = [m for m in self.bot_messages if any(b.data for r in m.buttons for b in r)]
        return with_buttons[-1] if with_buttons else None

    @property
    def answers(self) -> list[CallbackAnswer]:
        return [e.answer for e in self.chat.events if e.kind == "answered" and e.answer]

    def transcript(self) -> str:
        lines = []
        for message in self.messages:
            who = "bot" if message.from_bot else "user"
            edited = " edited" if message.edited else ""
            contact = message.json.get("contact")
            body = message.text or ("[photo]" if message.photo else f"[contact {contact}]")
            lines.append(f"[{who} #{message.message_id}{edited}] {body}")
            lines += [f"    [{' | '.join(b.label for b in row)}]" for row in message.buttons]
        return "\n".join(lines)
