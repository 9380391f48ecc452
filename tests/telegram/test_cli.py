"""``python -m bot link-code`` and ``python -m bot telegram`` as people run them."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.commands.link_code import link_code
from bot.config import Settings
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer

ROOT = Path(__file__).resolve().parents[2]
CHAT = 3_330_001


def environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env["OPS_PORT"] = "0"  # no health port: bots of parallel tests would all want 9464
    env.update(values)
    return env


async def until(process: asyncio.subprocess.Process, condition: Callable[[], bool]) -> None:
    """Wait for ``condition`` while the bot process is alive (its output if it died)."""
    async with asyncio.timeout(30):
        while not condition():
            if process.returncode is not None:
                assert process.stdout is not None
                output = (await process.stdout.read()).decode()
                raise AssertionError(f"the bot exited with {process.returncode}:\n{output}")
            await asyncio.sleep(0.02)


async def test_link_code_without_a_token_prints_a_placeholder(
    sqlite_db: FreshDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    # In process: a python -m bot subprocess spends seconds importing aiogram.
    settings = Settings(database_url=sqlite_db.url, bot_token=None)
    assert await link_code(settings, "owner@acme.example", None) == 0
    output = capsys.readouterr().out
    assert re.search(r"Link code for owner@acme.example: [\w-]{8}", output)
    assert "Valid for 15 minutes, once." in output
    assert "https://t.me/YourAccountBot?start=" in output and "placeholder" in output
    assert await link_code(settings, "nobody@x.example", None) == 2
    assert "no user" in capsys.readouterr().err


async def test_the_bot_runs_against_a_self_hosted_bot_api(
    botapi: BotApiServer, sqlite_db: FreshDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    """BOT_API_URL=... BOT_TOKEN=... python -m bot telegram, for real, in a subprocess."""
    settings = Settings(database_url=sqlite_db.url, bot_token=botapi.telegram.token,
                        bot_api_url=botapi.url)
    assert await link_code(settings, "admin@acme.example", 60) == 0
    output = capsys.readouterr().out
    link = re.search(r"https://t\.me/acme_accounts_bot\?start=([\w-]+)", output)
    assert link, output  # the bot's username came from getMe on that server
    env = environment(DATABASE_URL=sqlite_db.url, BOT_TOKEN=botapi.telegram.token,
                      BOT_API_URL=botapi.url)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "telegram", "--polling-timeout", "2", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    telegram = botapi.telegram
    chat = telegram.private_chat(CHAT)
    try:
        await until(process, lambda: any(name == "getUpdates" for name, _ in telegram.calls))
        telegram.send_text(CHAT, f"/start {link.group(1)}")
        await until(process, lambda: any("What would you like" in m.text for m in chat.visible()))
        assert any("linked to Adam Admin" in m.text for m in chat.visible())
        telegram.press_button(CHAT, "Package")
        await until(process, lambda: any(m.photo for m in chat.visible()))
        assert telegram.commands  # the command menu was set on start
        spanish = telegram.localized_commands["es"]  # and in Spanish, for Spanish apps
        assert {"command": "menu", "description": "Menú principal"} in spanish
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)  # Ctrl-C: how people stop it
        printed, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, printed.decode()
