"""The emulator's forum topics follow the Bot API: only forums have them, a topic is
the id of its service message, and messages into an unknown topic are refused."""

from __future__ import annotations

from testkit.telegram.emulator import FakeTelegram
from testkit.telegram.emulator import errors as e

FORUM, GROUP = -1001, -1002


async def test_create_topic_and_post_into_it() -> None:
    tg = FakeTelegram()
    chat = tg.forum_chat(FORUM)
    status, body = await tg.call("createForumTopic", {"chat_id": FORUM, "name": "T-1 · Acme"})
    assert status == 200 and isinstance(body, dict)
    topic = body["result"]
    thread_id = topic["message_thread_id"]
    assert topic["name"] == "T-1 · Acme" and topic["icon_color"] == 0x6FB9F0
    service = chat.messages[thread_id]
    assert service.json["forum_topic_created"]["name"] == "T-1 · Acme"
    status, body = await tg.call("sendMessage", {"chat_id": FORUM, "text": "hi",
                                                 "message_thread_id": thread_id})
    assert status == 200 and isinstance(body, dict)
    assert body["result"]["message_thread_id"] == thread_id
    assert body["result"]["is_topic_message"] is True
    update = tg.send_text(FORUM, "an answer", user_id=7, thread_id=thread_id)
    assert update["message"]["message_thread_id"] == thread_id


async def test_refusals() -> None:
    tg = FakeTelegram()
    tg.group_chat(GROUP, kind="supergroup")
    tg.forum_chat(FORUM)
    assert await tg.call("createForumTopic", {"chat_id": GROUP, "name": "x"}) == (
        400, e.bad_request(e.NOT_A_FORUM).payload())
    status, _ = await tg.call("createForumTopic", {"chat_id": FORUM, "name": "x" * 129})
    assert status == 400
    refused = await tg.call("sendMessage", {"chat_id": FORUM, "text": "hi",
                                            "message_thread_id": 99})
    assert refused == (400, e.bad_request(e.THREAD_NOT_FOUND).payload())
