"""Inline button payloads: the engine's opaque choice token, packed within 64 bytes.

The engine hands out ``Choice.token = "<menu_token>:<action>"``. A button carries both
parts as ``m:<menu_token>:<action>`` so a press from an old message reaches the engine
with its old menu token, and the engine answers "this menu has expired" with the
current menu. Anything that does not unpack as a :class:`MenuButton` is not ours.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.telegram.limits import MAX_CALLBACK_DATA

PREFIX = "m"


class MenuButton(CallbackData, prefix=PREFIX):
    """One engine choice: the menu it belongs to and the action it takes."""

    menu: str
    action: str

    @classmethod
    def from_token(cls, token: str) -> MenuButton:
        menu, _, action = token.partition(":")
        return cls(menu=menu, action=action)

    @property
    def token(self) -> str:
        """The engine's token again, exactly as it was handed out."""
        return f"{self.menu}:{self.action}"


def pack_token(token: str) -> str:
    """Callback data for a choice token.

    Raises ValueError when the result would break Telegram's 64-byte limit (or the
    action contains the separator); the engine's actions are short, so this is a bug.
    """
    menu, _, action = token.partition(":")
    data = f"{PREFIX}:{menu}:{action}"  # what MenuButton(...).pack() makes, without pydantic
    if ":" in menu or ":" in action or len(data.encode()) > MAX_CALLBACK_DATA:
        raise ValueError(f"not packable within Telegram's 64 bytes: {token!r}")
    return data
