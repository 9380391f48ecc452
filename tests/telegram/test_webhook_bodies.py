"""Webhook posts whose body is not a Telegram update (issue 7, part 4).

With the right secret, a body that is not JSON, is empty, is not an object or does
not validate as an Update gets 400 and one warning line: no traceback, no "Task
exception was never retrieved", nothing handled, and the server keeps serving. The
secret is checked first: without it the answer is 401 whatever the body.
"""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest
from aiohttp import ClientSession

from bot.telegram import webhook
from testkit.botapi.server import SECRET_HEADER
from tests.telegram.stack import WEBHOOK_SECRET, LiveBot

CHAT = 6_670_001

BAD_BODIES: dict[str, bytes] = {
    "empty": b"",
    "blank": b" \r\n ",
    "malformed JSON": b'{"update_id": 1, "message": ',
    "not UTF-8": b"\xff\xfe\x00{",
    "too deeply nested": b"[" * 100_000,
    "array": b"[1,2,3]",
    "string": b'"update"',
    "null": b"null",
    "update_id not a number": b'{"update_id":"abc"}',
    "no update_id": b'{"message": {"text": "hi"}}',
    "message missing its fields": b'{"update_id": 5, "message": {"text": "abc"}}',
}


async def _post(bot: LiveBot, body: bytes, secret: str | None = WEBHOOK_SECRET) -> int:
    assert bot.webhook is not None
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with ClientSession() as http, http.post(bot.webhook.url, data=body,
                                                  headers=headers) as response:
        return response.status


async def _settle() -> None:
    """Let any stray task finish and be collected, so asyncio would complain now."""
    await asyncio.sleep(0.05)
    gc.collect()
    await asyncio.sleep(0)


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
async def test_a_body_that_is_not_an_update_gets_400_and_one_warning(
    hooked: LiveBot, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    done_before = set(hooked.tracker.done)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert await _post(hooked, body) == 400
        await _settle()

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in warnings] == [webhook.__name__]
    line = warnings[0].getMessage()
    assert "\n" not in line and "abc" not in line  # one line, quoting nothing of the body
    assert hooked.telegram.token not in caplog.text and WEBHOOK_SECRET not in caplog.text
    assert all(r.exc_info is None for r in caplog.records)
    assert "never retrieved" not in caplog.text and "Traceback" not in caplog.text
    assert hooked.tracker.done == done_before  # nothing reached the dispatcher
    # The server is unaffected: Telegram's next update is handled as usual.
    replies = await hooked.send(CHAT, "menu")
    assert replies and hooked.server.webhook_posts[-1][1] == 200


async def test_a_stream_of_bad_bodies_leaves_the_server_serving(
    hooked: LiveBot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        statuses = await asyncio.gather(*(_post(hooked, body) for body in BAD_BODIES.values()))
        await _settle()
    assert set(statuses) == {400}
    assert len([r for r in caplog.records if r.name == webhook.__name__]) == len(BAD_BODIES)
    assert "never retrieved" not in caplog.text
    assert await hooked.send(CHAT, "menu")


@pytest.mark.parametrize("secret", [None, "wrong-secret", "sécret"])
@pytest.mark.parametrize("body", [b"[1,2,3]", b"", b'{"update_id": 7}'],
                         ids=["array", "empty", "valid"])
async def test_the_secret_is_checked_before_the_body(
    hooked: LiveBot, caplog: pytest.LogCaptureFixture, secret: str | None, body: bytes
) -> None:
    with caplog.at_level(logging.INFO):
        assert await _post(hooked, body, secret) == 401
        await _settle()
    assert 7 not in hooked.tracker.done
    assert not [r for r in caplog.records if r.name == webhook.__name__]  # a 401 is not news


async def test_a_valid_update_posted_directly_is_handled(hooked: LiveBot) -> None:
    chat = hooked.telegram.private_chat(CHAT)  # the bot may write to it
    update_id = 987_654_321
    body = (b'{"update_id": %d, "message": {"message_id": 99, "date": 0, "text": "help", '
            b'"chat": {"id": %d, "type": "private", "first_name": "Ann"}, '
            b'"from": {"id": %d, "is_bot": false, "first_name": "Ann"}}}'
            % (update_id, CHAT, CHAT))
    assert await _post(hooked, body) == 200
    await hooked.tracker.wait([update_id])
    assert [e.kind for e in chat.events] == ["sent"]  # the bot answered
