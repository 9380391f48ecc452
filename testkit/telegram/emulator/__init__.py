"""An in-memory Telegram Bot API for tests and benchmarks (no network).

:class:`FakeTelegram` keeps chats, messages (edits applied in place), pending
updates, the webhook and answered callback queries, and checks every call the way
Telegram does, with Telegram's own error wording. ``fail`` injects faults: Telegram's
errors, a proxy's HTML page, or no answer at all. It backs both the in-process
session of :mod:`testkit.telegram.session` and the HTTP server in ``testkit/botapi``.
"""

from testkit.telegram.emulator.chats import Button, CallbackAnswer, Chat, ChatEvent, ShownMessage
from testkit.telegram.emulator.errors import ApiError
from testkit.telegram.emulator.faults import NoAnswer, ProxyPage
from testkit.telegram.emulator.telegram import FakeTelegram

__all__ = [
    "ApiError",
    "Button",
    "CallbackAnswer",
    "Chat",
    "ChatEvent",
    "FakeTelegram",
    "NoAnswer",
    "ProxyPage",
    "ShownMessage",
]
