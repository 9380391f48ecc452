"""FakeTelegram: the Bot API's state and rules in memory, for tests and benchmarks.

Both the in-process session (:mod:`testkit.telegram.session`) and the HTTP test server
(``testkit/botapi``) call :meth:`FakeTelegram.call`, so they behave the same way.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from testkit.telegram.emulator import errors as e
from testkit.telegram.emulator import (  # noqa: F401  (registers)
    methods,
    photos,
    queries,
    service,
    topics,
)
from testkit.telegram.emulator.chats import Chat, ShownMessage
from testkit.telegram.emulator.faults import Failure, Faults, ProxyPage
from testkit.telegram.emulator.params import Params
from testkit.telegram.emulator.updates import UpdateQueue
from testkit.telegram.emulator.users import UserSide


class FakeTelegram(UpdateQueue, UserSide):
    """One bot's view of Telegram: chats, pending updates, webhook, answered queries.

    ``rate_limit=(n, seconds)`` answers 429 ``retry after N`` when a chat gets more than
    ``n`` bot messages within ``seconds``. ``history_limit`` caps messages kept per chat.
    ``conflict_pause``: Telegram answers one 409 Conflict (two pollers, a poller and a
    webhook) at once per this many seconds, later ones after this long.
    :meth:`fail` makes a method fail on purpose (see :mod:`~testkit.telegram.emulator.faults`).
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        username: str = "acme_accounts_bot",
        first_name: str = "Acme Accounts",
        rate_limit: tuple[int, float] | None = None,
        history_limit: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        conflict_pause: float = 3.0,
    ) -> None:
        UserSide.__init__(self)
        UpdateQueue.__init__(self, clock, conflict_pause=conflict_pause)
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.rate_limit = rate_limit
        self.history_limit = history_limit
        self.files: dict[str, bytes] = {}
        self.commands: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.refusals: list[tuple[str, int, str]] = []  # (method, HTTP status, description)
        self.record_calls = True
        # Told of every call carried out (method, parameters): a load generator learns
        # when a reply arrived without keeping every call.
        self.observers: list[Callable[[str, Mapping[str, Any]], None]] = []
        self.faults = Faults()

    @staticmethod
    def now() -> int:
        return int(time.time())

    def fail(self, method: str, failure: Failure, *, times: int | None = 1) -> None:
        """Make the next ``times`` calls of ``method`` meet ``failure`` (None: until
        :meth:`heal`); the calls are not carried out. Faults of one method queue up."""
        self.faults.add(method, failure, times)

    def heal(self, method: str | None = None) -> None:
        """Forget the faults of ``method`` (of every method by default)."""
        self.faults.clear(method)

    async def call(
        self, name: str, values: Mapping[str, Any], files: Mapping[str, bytes] | None = None
    ) -> tuple[int, dict[str, Any] | str]:
        """Run one Bot API method; returns (HTTP status, JSON body) as Telegram would.

        The body is a ``str`` only for a :class:`ProxyPage` fault (HTML, not JSON); a
        :class:`~testkit.telegram.emulator.faults.NoAnswer` fault is raised to the caller.
        """
        params = Params(values, files)
        if self.record_calls:
            self.calls.append((name, params.values))
        try:
            failure = self.faults.take(name)
            if isinstance(failure, ProxyPage):
                return failure.status, failure.html
            if failure is not None:
                raise failure
            if name.lower() == "getupdates":
                result = await self.get_updates(params)
            else:
                handler = methods.METHODS.get(name.lower())
                if handler is None:
                    raise e.ApiError(404, "Not Found")
                result = handler(self, params)
        except e.ApiError as error:
            self.refusals.append((name, error.code, error.description))
            return error.code, error.payload()
        for observe in self.observers:
            observe(name, params.values)
        return 200, {"ok": True, "result": result}

    # -- chats -------------------------------------------------------------------
    def chat_for_bot(self, chat_id: int) -> Chat:
        """A chat the bot may write to: only chats that wrote first (Telegram's rule)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise e.bad_request(e.CHAT_NOT_FOUND)
        return chat

    def new_message(self, chat: Chat, *, from_bot: bool, **content: Any) -> dict[str, Any]:
        sender = self.bot_user if from_bot else content.pop("from_user")
        return {"message_id": chat.take_message_id(), "from": sender, "chat": chat.json,
                "date": self.now(), **content}

    def throttle(self, chat: Chat) -> None:
        """Answer 429 when this chat got too many messages too fast (``rate_limit``)."""
        if self.rate_limit is None:
            return
        limit, window = self.rate_limit
        now = self.clock()
        while chat.bot_sends and chat.bot_sends[0] <= now - window:
            chat.bot_sends.popleft()
        if len(chat.bot_sends) >= limit:
            wait = chat.bot_sends[0] + window - now
            raise e.too_many_requests(max(1, math.ceil(wait)))
        chat.bot_sends.append(now)

    def store_file(self, data: bytes, width: int, height: int) -> dict[str, Any]:
        file_id = photos.new_file_id()
        self.files[file_id] = data
        return {"file_id": file_id, "file_unique_id": file_id[-16:], "width": width,
                "height": height, "file_size": len(data)}

    def message(self, chat_id: int, message_id: int) -> ShownMessage:
        return self.chats[chat_id].messages[message_id]
