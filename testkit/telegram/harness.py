"""One bot, its dispatcher and an in-memory Telegram: updates fed in process.

See :mod:`testkit.telegram.testing` for the whole testing API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram import Bot
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.types import ErrorEvent, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.runtime import Runtime
from bot.telegram.dispatcher import build_dispatcher
from bot.telegram.pinning import pin_response_types
from bot.telegram.retry import install_retry
from flows.engine import Engine
from testkit.telegram.emulator import FakeTelegram
from testkit.telegram.session import EmulatedSession

if TYPE_CHECKING:
    from testkit.telegram.testing import TelegramTestClient

TEST_FLOOD_LIMIT = 100_000  # scripts type faster than people


class TelegramHarness:
    """One bot, its dispatcher and an in-memory Telegram; feeds updates in process."""

    def __init__(
        self,
        engine: Engine,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings | None = None,
        *,
        telegram: FakeTelegram | None = None,
        record: bool = True,
    ) -> None:
        self.telegram = telegram or FakeTelegram()
        self.session = EmulatedSession(self.telegram, record=record)
        install_retry(self.session)
        pin_response_types()
        self.bot = Bot(self.telegram.token, session=self.session)
        self.sessions = sessions
        settings = settings or Settings(flood_limit_per_minute=TEST_FLOOD_LIMIT)
        self.dispatcher = build_dispatcher(engine, sessions, settings)
        self.errors: list[BaseException] = []
        self.dispatcher.errors.register(self._remember_error)

    @classmethod
    def for_runtime(cls, runtime: Runtime, **options: Any) -> TelegramHarness:
        return cls(runtime.engine, runtime.sessions, **options)

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
        from testkit.telegram.testing import TelegramTestClient  # it builds on this module

        return TelegramTestClient(self, chat_id=chat_id, user_id=user_id, first_name=first_name)

    async def close(self) -> None:
        await self.bot.session.close()
