"""The Telegram channel for scripts: real updates through the real aiogram dispatcher.

Uses the in-process harness of :mod:`testkit.telegram.harness` (an emulated Telegram, no
network): what a script sees is what a customer's Telegram app would show, menus
edited in place and usage charts included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.scripts.channels import ScriptChannel, ScriptReply
from flows.engine import Engine
from storage.sandbox import FreshDatabase

if TYPE_CHECKING:
    from testkit.telegram.harness import SentMessage, TelegramHarness, TelegramTestClient

FIRST_CHAT_ID = 1001


class ChannelUnavailable(RuntimeError):
    """This installation cannot run scripts on the channel they ask for."""


def load_telegram() -> bool:
    """Import aiogram, the harness and the chart renderer now; False if they cannot load.

    Importing aiogram builds hundreds of pydantic models (seconds on a small machine),
    so a run does it once up front instead of inside the first script's time.
    """
    try:
        import bot.charts  # noqa: F401
        import testkit.telegram.harness  # noqa: F401
    except ImportError:
        return False  # each Telegram script then reports why
    return True


def _seen(messages: list[SentMessage]) -> list[ScriptReply]:
    return [
        ScriptReply(message.text, message.labels, picture=message.photo is not None)
        for message in messages
    ]


class TelegramChannel:
    """One Telegram chat: typed text is a message, a press is a callback query."""

    def __init__(self, client: TelegramTestClient) -> None:
        self._client = client

    @property
    def buttons(self) -> list[str]:
        menu = self._client.last_menu
        return menu.labels if menu is not None else []

    async def say(self, text: str) -> list[ScriptReply]:
        return self._checked(await self._client.send(text))

    async def press(self, label: str) -> list[ScriptReply]:
        menu = self._client.last_menu
        button = next(
            (b for row in (menu.buttons if menu else []) for b in row if b.label == label), None
        )
        if menu is None or button is None or button.data is None:
            # A reply-keyboard button: pressing it sends its label as a message.
            return self._checked(await self._client.send(label))
        return self._checked(await self._client.press(menu.message_id, button.data))

    async def notices(self) -> list[ScriptReply]:
        return _seen(await self._client.notices())

    def _checked(self, messages: list[SentMessage]) -> list[ScriptReply]:
        errors = self._client.harness.errors
        if errors:
            # The dispatcher swallowed an exception: the customer saw a generic apology.
            error = errors[0]
            raise RuntimeError(f"the Telegram handler failed: {type(error).__name__}: {error}")
        return _seen(messages)


class TelegramSession:
    """Telegram chats for one script run: one private chat per demo user, one bot."""

    def __init__(self, harness: TelegramHarness) -> None:
        self._harness = harness
        self._next_chat = FIRST_CHAT_ID

    @classmethod
    async def start(cls, database: FreshDatabase, engine: Engine) -> TelegramSession:
        try:
            # Imported here: only Telegram scripts need aiogram and the harness.
            from testkit.telegram.harness import TelegramHarness
        except ImportError as missing:
            raise ChannelUnavailable(f"the Telegram test harness cannot load: {missing}") from None
        return cls(TelegramHarness(engine, database.database))

    async def open(self, email: str) -> ScriptChannel:
        chat_id, self._next_chat = self._next_chat, self._next_chat + 1
        client = self._harness.client(chat_id, first_name=email.split("@")[0].title())
        await client.link_as(email)
        return TelegramChannel(client)

    async def close(self) -> None:
        await self._harness.close()
