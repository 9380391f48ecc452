"""Forum topics, as Telegram keeps them in a supergroup with topics enabled.

``createForumTopic`` makes a topic: Telegram posts a service message
(``forum_topic_created``) in the chat, and that message's id is the topic's
``message_thread_id``. Messages sent with ``message_thread_id`` (by the bot, or by
people in :meth:`UserSide.send_text`) go into that topic and carry
``message_thread_id`` and ``is_topic_message`` (:meth:`Chat.in_topic`). Only forum
supergroups have topics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.telegram.limits import utf16_length
from testkit.telegram.emulator import errors as e
from testkit.telegram.emulator.chats import Chat, ShownMessage
from testkit.telegram.emulator.methods import method
from testkit.telegram.emulator.params import Params

if TYPE_CHECKING:
    from testkit.telegram.emulator.telegram import FakeTelegram

MAX_TOPIC_NAME = 128
DEFAULT_ICON_COLOR = 0x6FB9F0  # the first of the six colours the Bot API allows
ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)


def forum(tg: FakeTelegram, chat_id: int) -> Chat:
    """The forum supergroup ``chat_id``, or Telegram's refusal."""
    chat = tg.chat_for_bot(chat_id)
    if not chat.json.get("is_forum"):
        raise e.bad_request(e.NOT_A_FORUM)
    return chat


@method("createForumTopic")
def create_forum_topic(tg: FakeTelegram, p: Params) -> Any:
    chat = forum(tg, p.chat_id())
    name = p.text("name") or ""
    if not name.strip() or utf16_length(name) > MAX_TOPIC_NAME:
        raise e.bad_request(e.TOPIC_NAME_INVALID)
    color = p.integer("icon_color", DEFAULT_ICON_COLOR) or DEFAULT_ICON_COLOR
    if color not in ICON_COLORS:
        raise e.bad_request(e.ICON_COLOR_INVALID)
    created = {"name": name, "icon_color": color}
    service = tg.new_message(chat, from_bot=True, forum_topic_created=created)
    thread_id = int(service["message_id"])
    service.update(message_thread_id=thread_id, is_topic_message=True)
    chat.add(ShownMessage(service, from_bot=True))
    topic = {"message_thread_id": thread_id, **created}
    chat.topics[thread_id] = topic
    return topic
