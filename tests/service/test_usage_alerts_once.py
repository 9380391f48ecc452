"""Exactly one usage alert, with usage posted at once to several worker processes.

``python -m bot telegram --webhook --workers 2`` on PostgreSQL and the local Bot API
server: twenty ``POST /usage`` at once (a new connection each, so both workers take
some) carry a meter across 80 %. One alert is decided, one notice is queued per linked
chat of the owner and the admin, and each of those Telegram chats gets it once.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

from aiohttp import ClientSession, TCPConnector
from sqlalchemy import func, select

from storage import models as m
from storage.identities import ensure_identity
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from testkit.botprocess import BotProcess

TOKEN = "usage-token-0123456789abcdef"
CHATS = {7_700_001: "owner@acme.example", 7_700_002: "owner@acme.example",
         7_700_003: "admin@acme.example", 7_700_004: "viewer@acme.example"}
ALERTED = [7_700_001, 7_700_002, 7_700_003]
POSTS = 20


async def test_twenty_posts_at_once_to_two_workers_alert_exactly_once(
    botapi: BotApiServer, postgres_db: FreshDatabase
) -> None:
    async with postgres_db.database.transaction() as connection:
        for chat, email in CHATS.items():
            await ensure_identity(connection, "telegram", str(chat), email)
            botapi.telegram.private_chat(chat)  # they wrote to the bot when they linked
        # Campaign messages this month: 7,000 of 10,000 (70 %); the posts add 20 × 100.
        await connection.execute(
            m.UsageRecord.__table__.update()
            .where(m.UsageRecord.meter_code == "campaign_messages")
            .values(used=7000)
        )
    env = {"USAGE_API_TOKEN": TOKEN, "OPS_PORT": "0"}
    async with BotProcess.webhook(botapi, postgres_db.url, workers=2, env=env) as bot:
        webhook = urlsplit(await bot.serving())
        url = f"{webhook.scheme}://{webhook.netloc}/usage"
        answers = await asyncio.gather(*(post(url, n) for n in range(POSTS)))
        assert [status for status, _pid, _body in answers] == [201] * POSTS, bot.output
        assert len({pid for _status, pid, _body in answers}) == 2  # both workers recorded
        alerts = [body["alert"] for _status, _pid, body in answers if body["alert"]]
        assert alerts == [{"threshold": 80, "chats": len(ALERTED)}]
        assert sorted(body["used"] for _s, _p, body in answers) == [
            7000 + 100 * n for n in range(1, POSTS + 1)]
        await delivered(botapi, ALERTED)
        await asyncio.sleep(1.5)  # a delivery loop's look later: nothing more arrives
    async with postgres_db.database.reading() as connection:
        rows = await connection.scalar(select(func.count()).select_from(m.UsageAlert))
        queued = await connection.scalar(select(func.count()).select_from(m.OutboxMessage))
    assert (rows, queued) == (1, len(ALERTED))
    for chat in CHATS:
        got = alerts_in(botapi, chat)
        assert len(got) == (1 if chat in ALERTED else 0), (chat, got)
        if got:
            assert "nearly used up" in got[0] and "(80%)" in got[0]


async def post(url: str, n: int) -> tuple[int, int, dict[str, object]]:
    body = {"account": "Acme Trading Ltd", "meter": "campaign_messages", "quantity": 100,
            "idempotency_key": f"concurrent-{n}"}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    # A connection of its own: the kernel spreads new connections over the workers.
    async with ClientSession(connector=TCPConnector(force_close=True)) as http, http.post(
        url, data=json.dumps(body), headers=headers
    ) as response:
        return response.status, int(response.headers["X-Worker-Pid"]), await response.json()


def alerts_in(botapi: BotApiServer, chat: int) -> list[str]:
    if chat not in botapi.telegram.chats:
        return []
    return [message.text for message in botapi.telegram.chats[chat].visible()
            if message.from_bot and "Campaign messages" in message.text]


async def delivered(botapi: BotApiServer, chats: list[int]) -> None:
    async with asyncio.timeout(30):
        while not all(alerts_in(botapi, chat) for chat in chats):
            await asyncio.sleep(0.05)
