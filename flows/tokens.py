"""Choice tokens: what a pressed choice carries back, ``<menu token>:<action>``.

Every screen with choices gets a fresh menu token; each choice's token pairs it
with the action the choice takes. A press therefore says both what to do and
which menu it came from, so a press from an old menu can be told apart from a
press of the current one. This module is the one place that writes and reads
that format: the engine hands tokens out and routes presses with it, and
channels that must carry a token in pieces (Telegram's callback data) split and
join it here too.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

SEPARATOR = ":"
MENU_TOKEN_LENGTH = 8
STANDING_MENU = "~"
"""The menu of standing choices: buttons on notices sent outside a turn (an alert's
"See usage"), valid whatever screen the chat is on. Only ``start.<flow>`` actions are
standing, and the flow still checks who may use it."""


@dataclass(frozen=True, slots=True)
class ChoiceToken:
    """A choice's token taken apart: the menu it was handed out with, and its action."""

    menu: str
    action: str

    def __str__(self) -> str:
        return encode(self.menu, self.action)


def encode(menu: str, action: str) -> str:
    """The token of the choice taking ``action`` on the menu ``menu``."""
    return f"{menu}{SEPARATOR}{action}"


def decode(token: str) -> ChoiceToken | None:
    """The parts of ``token``, or None when it is not one (no menu, no action).

    Only the first separator splits: the menu token never contains one (see
    :func:`new_menu_token`), whatever follows it is the action.
    """
    menu, separator, action = token.partition(SEPARATOR)
    if not separator or not menu or not action:
        return None
    return ChoiceToken(menu=menu, action=action)


def standing(action: str) -> str:
    """The token of a standing choice (see :data:`STANDING_MENU`): ``start.<flow>``."""
    if not action.startswith("start.") or action == "start.":
        raise ValueError(f"only start.<flow> actions can be standing, not {action!r}")
    return encode(STANDING_MENU, action)


def new_menu_token() -> str:
    """A fresh, unguessable menu token: URL-safe characters, never the separator."""
    return secrets.token_urlsafe(6)[:MENU_TOKEN_LENGTH].replace(SEPARATOR, "_")
