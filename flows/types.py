"""The engine's vocabulary: what a channel hands in and what it gets back.

Everything here is a plain dataclass so that every channel (Telegram, terminal,
script runner) can build and read them without knowing how flows work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """A member's role on an account; decides which options they see and may use."""

    OWNER = "owner"
    ADMIN = "admin"
    VIEWER = "viewer"

    @property
    def can_edit(self) -> bool:
        return self in (Role.OWNER, Role.ADMIN)

    @property
    def can_close(self) -> bool:
        return self is Role.OWNER

    def reaches(self, least: Role) -> bool:
        """Whether this role is ``least`` or above (owner > admin > viewer)."""
        ranks = list(Role)  # declared from the most to the least
        return ranks.index(self) <= ranks.index(least)


@dataclass(frozen=True, slots=True)
class ConversationKey:
    """One conversation: a chat on one channel (``telegram``, ``terminal``...)."""

    channel: str
    chat_id: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.chat_id}"


@dataclass(frozen=True, slots=True)
class Inbound:
    """What the user did: typed ``text`` or pressed a choice carrying an opaque ``token``.

    Exactly one of ``text`` and ``token`` is set. The token is whatever
    :class:`Choice.token` the engine handed out; channels never look inside it.
    ``language`` is the channel's hint of the user's language (Telegram's
    ``language_code`` such as ``es-ES``, the terminal's ``--language``); a language
    the user chose in chat wins over it. A supported one is also kept per user, for
    messages nobody asked for (``flows.language.remember_app_language``).
    """

    key: ConversationKey
    text: str | None = None
    token: str | None = None
    language: str | None = None

    @classmethod
    def typed(cls, key: ConversationKey, text: str, *, language: str | None = None) -> Inbound:
        return cls(key=key, text=text, language=language)

    @classmethod
    def pressed(cls, key: ConversationKey, token: str, *, language: str | None = None) -> Inbound:
        return cls(key=key, token=token, language=language)


@dataclass(frozen=True, slots=True)
class Choice:
    """A button or numbered option: a label for people and an opaque token for the engine."""

    label: str
    token: str


class ReplyKind(StrEnum):
    """What a reply is, for channels that say some things in their own words."""

    MESSAGE = "message"
    """What flows say: show ``text`` (and the choices) as it is."""
    UNLINKED = "unlinked"
    """The chat is linked to no platform user. How to link is the channel's to say
    (a command, a button to share one's phone...); ``text`` only says that it is not."""
    FAILED = "failed"
    """The update failed and was rolled back: ``text`` says that nothing was changed."""


@dataclass(slots=True)
class Reply:
    """One message from the bot.

    ``keep`` marks a result the user should keep (saved details, a closure
    reference): channels send it as a new message instead of editing the menu
    in place. ``image`` is PNG bytes for channels that can show pictures.
    ``kind`` tells channels which replies they word themselves.
    """

    text: str
    choices: list[Choice] = field(default_factory=list)
    keep: bool = False
    image: bytes | None = None
    image_caption: str | None = None
    kind: ReplyKind = ReplyKind.MESSAGE


@dataclass(slots=True)
class ConversationRecord:
    """What the engine remembers about one conversation between updates.

    ``flow`` is None when the user is at the main menu. ``data`` is the flow's own
    JSON-serialisable scratch space. ``version`` increments on every save so a
    concurrent writer is detected instead of silently overwritten.
    """

    key: ConversationKey
    user_id: int | None = None
    flow: str | None = None
    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    menu_token: str | None = None
    version: int = 0
    expires_at: float | None = None
    updated_at: float | None = None
