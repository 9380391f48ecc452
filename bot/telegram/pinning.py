"""Keep aiogram's parametrised ``Response[...]`` classes alive for the whole process.

aiogram's sessions call ``Response[method.__returning__]`` for every API answer.
pydantic caches parametrised generic models only weakly, and those classes sit in
reference cycles, so a full garbage collection frees them and the next answer builds
the class and its validation schema again (milliseconds each). Under load this
happened dozens of times per thousand updates (seen with cProfile). One strong
reference per return type the bot uses turns every lookup back into a cache hit.
"""

from __future__ import annotations

from typing import Any

from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    DeleteWebhook,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    GetUpdates,
    GetWebhookInfo,
    Response,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    SetWebhook,
)

USED_METHODS = (
    AnswerCallbackQuery, DeleteMessage, DeleteWebhook, EditMessageReplyMarkup, EditMessageText,
    GetMe, GetUpdates, GetWebhookInfo, SendMessage, SendPhoto, SetMyCommands, SetWebhook,
)
_pinned: list[Any] = []


def pin_response_types() -> None:
    """Build and hold ``Response[...]`` for every method the bot calls (once per process)."""
    if not _pinned:
        for method in USED_METHODS:
            returning: Any = method.__returning__
            _pinned.append(Response[returning])
