"""What each chat holds: messages as Telegram stores them, and a log of what changed.

A message is kept as the JSON Telegram would return for it, with edits applied in
place; views (:class:`Button`, :attr:`ShownMessage.buttons`) are derived from it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

EventKind = Literal["sent", "edited", "buttons", "deleted", "answered"]
"""``edited``: new text (and buttons); ``buttons``: only the keyboard changed."""


@dataclass(frozen=True, slots=True)
class Button:
    """One keyboard button as the user sees it."""

    label: str
    data: str | None = None
    url: str | None = None
    request_contact: bool = False


@dataclass(slots=True)
class ShownMessage:
    """One message in a chat (from the user or the bot), edits applied."""

    json: dict[str, Any]
    from_bot: bool
    photo: bytes | None = None
    reply_keyboard: dict[str, Any] | None = None  # sent with it; Telegram never echoes these
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.json["message_id"])

    @property
    def text(self) -> str:
        """The text, or the caption of a photo ("" when there is neither)."""
        return str(self.json.get("text") or self.json.get("caption") or "")

    @property
    def edited(self) -> bool:
        return "edit_date" in self.json

    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard rows, or the reply keyboard's rows when there is no inline one."""
        inline = (self.json.get("reply_markup") or {}).get("inline_keyboard")
        if inline:
            return [
                [Button(b["text"], b.get("callback_data"), b.get("url")) for b in row]
                for row in inline
            ]
        keyboard = (self.reply_keyboard or {}).get("keyboard") or []
        return [
            [Button(b["text"], request_contact=bool(b.get("request_contact"))) for b in row]
            for row in keyboard
        ]

    @property
    def labels(self) -> list[str]:
        return [button.label for row in self.buttons for button in row]

    def snapshot(self) -> ShownMessage:
        """A copy that later edits do not change.

        Shallow on purpose: edits replace top-level values (text, reply_markup) and
        never change nested ones in place, so sharing the nested values is safe.
        """
        return ShownMessage(dict(self.json), self.from_bot, self.photo,
                            self.reply_keyboard, self.deleted)


@dataclass(frozen=True, slots=True)
class CallbackAnswer:
    """An answered callback query: what the user saw as a toast or an alert."""

    query_id: str
    text: str | None
    show_alert: bool


@dataclass(frozen=True, slots=True)
class ChatEvent:
    """One visible change in a chat, in the order it happened."""

    kind: EventKind
    message: ShownMessage | None = None
    answer: CallbackAnswer | None = None


@dataclass(slots=True)
class Chat:
    """A chat: its Telegram ``Chat`` JSON, messages by id, and the change log."""

    json: dict[str, Any]
    messages: dict[int, ShownMessage] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    next_message_id: int = 1
    bot_sends: deque[float] = field(default_factory=deque)  # for the flood limit
    history_limit: int | None = None
    topics: dict[int, dict[str, Any]] = field(default_factory=dict)  # forum topics by thread id

    @property
    def id(self) -> int:
        return int(self.json["id"])

    @property
    def type(self) -> str:
        return str(self.json["type"])

    def add(self, message: ShownMessage) -> ShownMessage:
        self.messages[message.message_id] = message
        self.log("sent", message)
        if self.history_limit is not None:
            # Long benchmarks: keep memory flat by forgetting the oldest messages.
            while len(self.messages) > self.history_limit:
                del self.messages[next(iter(self.messages))]
            del self.events[: max(0, len(self.events) - self.history_limit)]
        return message

    def in_topic(self, message: dict[str, Any], thread_id: int | None) -> dict[str, Any]:
        """``message`` marked as one of the forum topic ``thread_id`` (None: not in one), as
        Telegram marks it; the caller has checked that the topic exists."""
        if thread_id is not None:
            message.update(message_thread_id=thread_id, is_topic_message=True)
        return message

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def log(self, kind: EventKind, message: ShownMessage) -> None:
        self.events.append(ChatEvent(kind, message.snapshot()))

    def visible(self) -> list[ShownMessage]:
        """Messages still in the chat, oldest first."""
        return [m for m in self.messages.values() if not m.deleted]
