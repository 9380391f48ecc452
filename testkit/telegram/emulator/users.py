"""The users' side: messages, button presses and shared contacts become updates."""

from __future__ import annotations

import hashlib
import itertools
from abc import abstractmethod
from typing import Any

from testkit.telegram.emulator.chats import Chat, ShownMessage


class UserSide:
    """Mixin of :class:`FakeTelegram`: what people do in their Telegram apps.

    Every action appends an update (returned as its JSON) for the bot to receive by
    getUpdates or webhook. A private chat's id is its user's id, as on Telegram.
    """

    history_limit: int | None

    def __init__(self) -> None:
        self.chats: dict[int, Chat] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.open_queries: dict[str, int] = {}  # callback query id -> chat id
        self.answers: list[Any] = []
        self._query_ids = itertools.count(4_200_000_000_000_000_001)

    @abstractmethod
    def enqueue(self, body: dict[str, Any]) -> dict[str, Any]: ...

    @abstractmethod
    def numbered(self, body: dict[str, Any]) -> dict[str, Any]: ...

    @abstractmethod
    def new_message(self, chat: Chat, *, from_bot: bool, **content: Any) -> dict[str, Any]: ...

    # -- people and chats ---------------------------------------------------------
    def user(self, user_id: int, first_name: str | None = None, **extra: Any) -> dict[str, Any]:
        """The ``User`` JSON of a person (created on first use)."""
        person = self.users.get(user_id)
        if person is None:
            person = {"id": user_id, "is_bot": False, "first_name": first_name or f"User{user_id}",
                      "language_code": "en", **extra}
            self.users[user_id] = person
        return person

    def private_chat(self, user_id: int, first_name: str | None = None) -> Chat:
        if user_id not in self.chats:
            person = self.user(user_id, first_name)
            json = {"id": user_id, "type": "private", "first_name": person["first_name"]}
            self.chats[user_id] = Chat(json, history_limit=self.history_limit)
        return self.chats[user_id]

    def group_chat(self, chat_id: int, title: str = "Team chat", kind: str = "group") -> Chat:
        if chat_id not in self.chats:
            json = {"id": chat_id, "type": kind, "title": title}
            self.chats[chat_id] = Chat(json, history_limit=self.history_limit)
        return self.chats[chat_id]

    def forum_chat(self, chat_id: int, title: str = "Support") -> Chat:
        """A supergroup with topics enabled (a forum), like a support team's group."""
        if chat_id not in self.chats:
            json = {"id": chat_id, "type": "supergroup", "title": title, "is_forum": True}
            self.chats[chat_id] = Chat(json, history_limit=self.history_limit)
        return self.chats[chat_id]

    def _chat(self, chat_id: int, user_id: int | None) -> tuple[Chat, dict[str, Any]]:
        chat = self.chats.get(chat_id) or self.private_chat(chat_id)
        return chat, self.user(user_id if user_id is not None else chat_id)

    # -- actions --------------------------------------------------------------------
    def send_text(self, chat_id: int, text: str, *, user_id: int | None = None,
                  queue: bool = True, thread_id: int | None = None) -> dict[str, Any]:
        """The user types ``text`` (commands get their ``bot_command`` entity), in the forum
        topic ``thread_id`` if given (KeyError when the chat has no such topic).

        ``queue=False``: the update is returned but not queued for getUpdates or the
        webhook sender; the caller delivers it (posts it to a webhook itself)."""
        chat, person = self._chat(chat_id, user_id)
        if thread_id is not None and thread_id not in chat.topics:
            raise KeyError(f"chat {chat_id} has no topic {thread_id}")
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        json = self.new_message(chat, from_bot=False, from_user=person, **content)
        chat.in_topic(json, thread_id)
        chat.add(ShownMessage(json, from_bot=False))
        return self.enqueue({"message": json}) if queue else self.numbered({"message": json})

    def share_contact(
        self,
        chat_id: int,
        phone_number: str,
        *,
        contact_user_id: int | None,
        user_id: int | None = None,
        first_name: str = "Contact",
    ) -> dict[str, Any]:
        """The user shares a contact: their own when ``contact_user_id`` is their id."""
        chat, person = self._chat(chat_id, user_id)
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        json = self.new_message(chat, from_bot=False, from_user=person, contact=contact)
        chat.add(ShownMessage(json, from_bot=False))
        return self.enqueue({"message": json})

    def press(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None,
        queue: bool = True,
    ) -> dict[str, Any]:
        """The user presses a button carrying ``data`` on a message (any data: forgeries too).

        ``queue=False``: returned, not queued (as for :meth:`send_text`)."""
        chat, person = self._chat(chat_id, user_id)
        message = chat.messages[message_id]
        query_id = str(next(self._query_ids))
        self.open_queries[query_id] = chat.id
        query = {
            "id": query_id,
            "from": person,
            "message": message.snapshot().json,
            # Telegram: a global identifier of the chat the message with the button is in.
            "chat_instance": str(int(hashlib.sha1(str(chat.id).encode()).hexdigest()[:15], 16)),
            "data": data,
        }
        body = {"callback_query": query}
        return self.enqueue(body) if queue else self.numbered(body)

    def press_button(
        self, chat_id: int, label: str, *, user_id: int | None = None, queue: bool = True
    ) -> dict[str, Any]:
        """Press the inline button whose label contains ``label`` on the newest message having
        one; raises LookupError (listing the labels) when none or several match."""
        chat = self.chats[chat_id]
        for message in reversed(chat.visible()):
            buttons = [b for row in message.buttons for b in row if b.data is not None]
            if not buttons:
                continue
            found = [b for b in buttons if label.casefold() in b.label.casefold()]
            exact = [b for b in found if b.label.casefold() == label.casefold()]
            if len(found) == 1 or len(exact) == 1:
                button = (exact or found)[0]
                assert button.data is not None
                return self.press(chat_id, message.message_id, button.data, user_id=user_id,
                                  queue=queue)
            raise LookupError(f"{len(found)} buttons match {label!r}: {[b.label for b in buttons]}")
        raise LookupError(f"no message with buttons in chat {chat_id}")
