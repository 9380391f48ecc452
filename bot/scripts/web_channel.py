"""The web channel for scripts: the real web chat server, spoken to as its page does.

Each script run serves the web chat on a free port of 127.0.0.1 over the script's own
database; each demo user who talks signs in from a one-time link and opens the page's
WebSocket (:mod:`testkit.web`, no browser). What a script sees is what the page would
show: the bot's messages and the buttons of the newest one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import Settings
from bot.delivery import deliver_pending
from bot.scripts.channels import ScriptChannel, ScriptReply
from bot.web.conversation import CHANNEL
from bot.web.links import issue_sign_in_link
from bot.web.server import WebServer, start_web_server
from flows.engine import Engine
from storage.identities import find_user_by_email
from storage.sandbox import FreshDatabase
from storage.web_chat import web_chat_id

if TYPE_CHECKING:
    from testkit.web import PageMessage, WebTestClient

SIGN_IN_SECONDS = 900
# A script types faster than any person: the flood guard is for people, not for scripts.
SCRIPT_FLOOD_LIMIT = 1_000_000


def _seen(messages: list[PageMessage]) -> list[ScriptReply]:
    return [ScriptReply(m.text, m.buttons, picture=m.image is not None)
            for m in messages if m.sender == "bot"]  # the user's own words are no reply


class WebChannel:
    """One demo user's page: typed text is a ``say`` frame, a press a ``press`` frame."""

    def __init__(self, client: WebTestClient, server: WebServer, chat_id: str) -> None:
        self._client = client
        self._server = server
        self._chat_id = chat_id

    @property
    def buttons(self) -> list[str]:
        menu = self._client.latest_menu
        return menu.buttons if menu is not None else []

    async def say(self, text: str) -> list[ScriptReply]:
        return _seen(await self._client.say(text))

    async def press(self, label: str) -> list[ScriptReply]:
        return _seen(await self._client.press(label))

    async def notices(self) -> list[ScriptReply]:
        chat = self._server.chat
        delivered = await deliver_pending(chat.database, CHANNEL, chat.conversations.deliver,
                                          chat_id=self._chat_id)
        return _seen(await self._client.wait_for(len(delivered)) if delivered else [])


class WebSession:
    """The web chat server of one script run, and a page per demo user."""

    def __init__(self, database: FreshDatabase, server: WebServer, language: str | None) -> None:
        self._database = database
        self._server = server
        self._language = language  # the browser's Accept-Language
        self._clients: list[WebTestClient] = []

    @classmethod
    async def start(
        cls, database: FreshDatabase, engine: Engine, *, language: str | None = None
    ) -> WebSession:
        # The defaults, whatever the environment says: scripts must not drift.
        settings = Settings.model_construct(flood_limit_per_minute=SCRIPT_FLOOD_LIMIT)
        # Notices are delivered when a script asks (a step's notices), not by a loop.
        server = await start_web_server(engine, database.database, settings,
                                        host="127.0.0.1", port=0, deliver_notices=False)
        return cls(database, server, language)

    async def open(self, email: str) -> ScriptChannel:
        from testkit.web import WebTestClient  # a test tool: loaded only when scripts run

        link = await issue_sign_in_link(self._database.database, email, self._server.url,
                                        SIGN_IN_SECONDS)
        async with self._database.database.reading() as connection:
            user = await find_user_by_email(connection, email)
        assert user is not None  # issue_sign_in_link raised UnknownUser otherwise
        client = WebTestClient(f"http://127.0.0.1:{self._server.port}", language=self._language)
        self._clients.append(client)
        status = await client.sign_in(link)
        if status != 200:
            raise RuntimeError(f"signing in from the link answered HTTP {status}")
        await client.open()
        return WebChannel(client, self._server, web_chat_id(user.id))

    async def close(self) -> None:
        for client in self._clients:
            await client.close()
        await self._server.stop()
