"""``python -m bot telegram`` as a service: polling with the side port, JSON logs."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
from pathlib import Path

from aiohttp import ClientSession

from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from tests.telegram.test_cli import environment, until

ROOT = Path(__file__).resolve().parents[2]
CHAT = 9_990_101
TYPED = "walrus quince 5521"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def get(url: str) -> tuple[int, str]:
    async with ClientSession() as http, http.get(url) as response:
        return response.status, await response.text()


async def test_polling_serves_health_and_metrics_and_logs_json(
    botapi: BotApiServer, sqlite_db: FreshDatabase
) -> None:
    port = free_port()
    env = environment(DATABASE_URL=sqlite_db.url, BOT_TOKEN=botapi.telegram.token,
                      BOT_API_URL=botapi.url, OPS_PORT=str(port), LOG_FORMAT="json")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "telegram", "--polling-timeout", "2", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    telegram = botapi.telegram
    chat = telegram.private_chat(CHAT)
    base = f"http://127.0.0.1:{port}"
    try:
        await until(process, lambda: any(name == "getUpdates" for name, _ in telegram.calls))
        assert await get(f"{base}/healthz") == (200, "ok\n")
        assert await get(f"{base}/readyz") == (200, "ready\n")
        telegram.send_text(CHAT, TYPED)  # an unlinked chat: told how to link
        await until(process, lambda: any("not linked" in m.text for m in chat.visible()))
        status, metrics = await get(f"{base}/metrics")
        assert status == 200
        assert 'bot_updates_total{kind="message",outcome="unlinked"} 1.0' in metrics
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    lines = err.decode().splitlines()
    records = [json.loads(line) for line in lines]  # stderr: nothing but JSON lines
    assert all(r["pid"] == process.pid for r in records)
    update = next(r for r in records if r["logger"] == "bot.updates")
    assert update["outcome"] == "unlinked" and update["kind"] == "message"
    everything = out.decode() + err.decode()
    assert TYPED not in everything and telegram.token not in everything
    assert str(CHAT) not in json.dumps(update)
