"""Inline button payloads: the engine's choice token, packed within 64 bytes.

A choice's token is ``<menu token>:<action>`` (:mod:`flows.tokens`). A button
carries both parts as ``m:<menu token>:<action>`` so a press from an old message
reaches the engine with its old menu token, and the engine answers "this menu has
expired" with the current menu. Anything that does not unpack as a
:class:`MenuButton` is not ours.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from bot.telegram.limits import MAX_CALLBACK_DATA
from flows.tokens import SEPARATOR, decode, encode

PREFIX = "m"


class MenuButton(CallbackData, prefix=PREFIX, sep=SEPARATOR):
    """One engine choice: the menu it belongs to and the action it takes."""

    menu: str
    action: str

    @property
    def token(self) -> str:
        """The engine's token again, exactly as it was handed out."""
        return encode(self.menu, self.action)


def pack_token(token: str) -> str:
    """Callback data for a choice token.

    Raises ValueError when the token is not one, or the result would break
    Telegram's 64-byte limit (or the action contains the separator); the engine's
    actions are short, so this is a bug.
    """
    choice = decode(token)
    if choice is None or SEPARATOR in choice.action:
        raise ValueError(f"not a packable choice token: {token!r}")
    # What MenuButton(...).pack() makes, without building a pydantic model per button.
    data = SEPARATOR.join((PREFIX, choice.menu, choice.action))
    if len(data.encode()) > MAX_CALLBACK_DATA:
        raise ValueError(f"not packable within Telegram's 64 bytes: {token!r}")
    return data
