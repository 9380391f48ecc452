"""The webhook's server serves the web chat too: one port, one process, both channels."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import ClientSession

from bot.usage.scripted import record_for
from bot.web.links import sign_in_link
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from testkit.web import WebTestClient
from tests.telegram.stack import LiveBot

OWNER = "owner@acme.example"
CHAT = 4_440_001


async def test_one_port_serves_telegram_and_the_web_and_an_alert_reaches_both(
    botapi: BotApiServer, sqlite_db: FreshDatabase
) -> None:
    live = await LiveBot(botapi, sqlite_db, "webhook", web=True).start()
    page: WebTestClient | None = None
    try:
        assert live.webhook is not None
        here = f"http://127.0.0.1:{live.webhook.port}"
        async with ClientSession() as http, http.get(here + "/healthz") as health:
            assert health.status == 200
        await live.link(CHAT, OWNER)
        page = WebTestClient(here)
        link = sign_in_link(here + "/chat", await live.code_for(OWNER))
        assert await page.sign_in(link) == 200
        await page.open()
        assert "Acme Trading Ltd" in page.transcript[0].text
        # One event over 80 %: one alert, delivered on each linked channel by its loop.
        await record_for(sqlite_db.database, OWNER, "campaign messages", 7_000,
                         datetime.now(UTC))
        [alert] = await page.wait_for(1)
        assert "Campaign messages" in alert.text
        await live.until(lambda: any("Campaign messages" in m.text for m in live.chat(CHAT)))
    finally:
        if page is not None:
            await page.close()
        await live.stop()
