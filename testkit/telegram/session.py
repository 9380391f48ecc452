"""An aiogram session that talks to :class:`FakeTelegram` in memory instead of over HTTP.

Parameters are prepared exactly as aiogram's HTTP session prepares its form fields,
and the answer goes through aiogram's own ``check_response``, so results, types and
exceptions (``TelegramBadRequest``, ``TelegramRetryAfter``...) are the ones a real
server would produce. Injected faults look as they would over HTTP: a proxy's HTML
page gives ``ClientDecodeError``, no answer gives ``TelegramNetworkError``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile, InputFile

from testkit.telegram.emulator import FakeTelegram, NoAnswer


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One Bot API call: method, parameters as sent, HTTP status and JSON answer."""

    method: str
    params: dict[str, Any]
    status: int
    body: dict[str, Any] | str  # str: a non-JSON answer (an injected proxy page)


class EmulatedSession(BaseSession):
    """No network: every call is answered by ``telegram`` and recorded in ``calls``
    (``record=False`` for long benchmarks)."""

    def __init__(self, telegram: FakeTelegram | None = None, *, record: bool = True) -> None:
        # The answer is handed to check_response as the dict itself: encoding it to JSON
        # only to decode it again would measure json, not the bot.
        super().__init__(json_loads=_already_decoded)
        self.telegram = telegram or FakeTelegram()
        self.record = record
        self.calls: list[RecordedCall] = []

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        files: dict[str, InputFile] = {}
        values: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:  # as aiogram's HTTP session: empty values are not sent
                values[key] = prepared
        uploads = {key: await _read(file, bot) for key, file in files.items()}
        try:
            status, body = await self.telegram.call(method.__api_method__, values, uploads)
        except NoAnswer as trouble:  # what AiohttpSession raises when no answer comes
            raise TelegramNetworkError(method=method, message=str(trouble)) from trouble
        if self.record:
            self.calls.append(RecordedCall(method.__api_method__, values, status, body))
        response = self.check_response(bot, method, status, cast(str, body))
        return cast(TelegramType, response.result)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("file downloads are not emulated")
        yield b""  # pragma: no cover  (makes this an async generator)

    async def close(self) -> None:
        """Nothing to close: there is no connection."""


def _already_decoded(content: Any) -> Any:
    # Only an injected proxy page arrives as text; decoding it fails as it would over HTTP.
    return json.loads(content) if isinstance(content, str) else content


async def _read(file: InputFile, bot: Bot) -> bytes:
    if isinstance(file, BufferedInputFile):
        return file.data
    return b"".join([chunk async for chunk in file.read(bot)])
