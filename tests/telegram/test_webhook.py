"""Webhook mode: Telegram's secret-token header is required; posts without it are refused."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramConflictError
from aiohttp import ClientSession

from testkit.botapi.server import SECRET_HEADER
from tests.telegram.stack import WEBHOOK_SECRET, LiveBot

CHAT = 6_660_001


async def test_webhook_is_registered_with_the_secret(hooked: LiveBot) -> None:
    assert hooked.webhook is not None
    info = await hooked.bot.get_webhook_info()
    assert info.url == hooked.webhook.url and info.pending_update_count == 0
    assert hooked.telegram.webhook is not None
    assert hooked.telegram.webhook["secret_token"] == WEBHOOK_SECRET
    replies = await hooked.send(CHAT, "menu")  # delivered by POST, with the header
    assert replies and hooked.server.webhook_posts[-1][1] == 200


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
async def test_posts_without_the_right_secret_are_refused(hooked: LiveBot, secret: str | None
                                                          ) -> None:
    assert hooked.webhook is not None
    update = {"update_id": 1, "message": {
        "message_id": 1, "date": 0, "text": "menu",
        "chat": {"id": CHAT, "type": "private", "first_name": "Mallory"},
        "from": {"id": CHAT, "is_bot": False, "first_name": "Mallory"}}}
    headers = {SECRET_HEADER: secret} if secret else {}
    hooked.telegram.private_chat(CHAT)
    async with ClientSession() as http, http.post(hooked.webhook.url, json=update,
                                                  headers=headers) as response:
        assert response.status in (401, 403)
    assert 1 not in hooked.tracker.done  # never reached the dispatcher
    assert hooked.telegram.chats[CHAT].events == []  # and nothing was sent


async def test_polling_is_refused_while_a_webhook_is_set(hooked: LiveBot) -> None:
    with pytest.raises(TelegramConflictError, match="can't use getUpdates method while webhook"):
        await hooked.bot.get_updates(timeout=0)
