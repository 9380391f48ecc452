"""``python -m bot web`` and ``python -m bot link-code --channel web`` as people run them."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import pytest

from bot.commands.link_code import link_code
from bot.config import Settings
from storage.sandbox import FreshDatabase
from testkit.web import WebTestClient

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"http://\S+/chat\?code=\S+")


def environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEB_"))}
    env.update(values)
    return env


async def bot_web(*args: str, **env: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "web", *args, cwd=ROOT, env=environment(**env),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )


async def read_line(process: asyncio.subprocess.Process, pattern: re.Pattern[str]) -> str:
    """The first line of the process's output that matches ``pattern``."""
    assert process.stdout is not None
    seen = []
    async with asyncio.timeout(60):
        while True:
            line = (await process.stdout.readline()).decode()
            if not line:
                raise AssertionError(f"it exited with {await process.wait()}: {''.join(seen)}")
            seen.append(line)
            if pattern.search(line):
                return line


async def test_link_code_for_the_web_prints_a_sign_in_link(
    sqlite_db: FreshDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=sqlite_db.url, web_public_url="https://chat.example.com/")
    assert await link_code(settings, "viewer@acme.example", None, channel="web") == 0
    output = capsys.readouterr().out
    assert "Sign-in link for viewer@acme.example, valid for 15 minutes, once:" in output
    assert re.search(r"^https://chat\.example\.com/chat\?code=[\w-]{8}$", output, re.M)
    assert await link_code(settings, "nobody@x.example", None, channel="web") == 2


async def test_one_command_serves_the_demo_and_prints_a_sign_in_link(
    sqlite_db: FreshDatabase,
) -> None:
    process = await bot_web("--port", "0", "--sign-in", "owner@acme.example",
                            DATABASE_URL=sqlite_db.url)
    page: WebTestClient | None = None
    try:
        link = LINK.search(await read_line(process, LINK))
        assert link is not None
        page = WebTestClient(link.group(0).split("/chat")[0])
        assert await page.sign_in(link.group(0)) == 200
        await page.open()
        replies = await page.say("show my package")
        assert any("Interact" in m.text for m in replies)
    finally:
        if page is not None:
            await page.close()
        if process.returncode is None:
            process.send_signal(signal.SIGINT)  # Ctrl-C: how people stop it
        await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0


async def test_a_port_in_use_or_an_unknown_user_is_explained(sqlite_db: FreshDatabase) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        busy = await bot_web("--port", port, DATABASE_URL=sqlite_db.url)
        printed, _ = await asyncio.wait_for(busy.communicate(), 60)
    assert busy.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in printed.decode()
    assert "WEB_PORT" in printed.decode()
    nobody = await bot_web("--port", "0", "--sign-in", "nobody@x.example",
                           DATABASE_URL=sqlite_db.url)
    printed, _ = await asyncio.wait_for(nobody.communicate(), 60)
    assert nobody.returncode == 2
    assert "--sign-in" in printed.decode() and "nobody@x.example" in printed.decode()
    assert "Traceback" not in printed.decode()
