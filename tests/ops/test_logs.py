"""Structured logs: one JSON object per line, the per-update line's fields, no secret, no
typed text; and the readable text line, at DEBUG, by default."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator

import pytest

from bot import redaction
from bot.config import Settings
from bot.ops.logs import TEXT_FORMAT, MaskedJsonFormatter, conversation_hash
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from tests.telegram.stack import LiveBot

CHAT = 9_990_001
TYPED = "zebra quartz 9876"  # typed text that must reach no log line
TOKEN = "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # shaped like a real one


class Captured:
    """Every record of the ``bot`` and ``aiogram`` loggers, formatted as the bot would."""

    def __init__(self, formatter: logging.Formatter) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(formatter)
        self.handler.addFilter(redaction.SecretFilter())

    @property
    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()


@pytest.fixture
def captured(request: pytest.FixtureRequest) -> Iterator[Captured]:
    formatter = request.param if hasattr(request, "param") else MaskedJsonFormatter()
    capture = Captured(formatter)
    loggers = [logging.getLogger(name) for name in ("bot", "aiogram", "flows")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(capture.handler)
        logger.setLevel(logging.DEBUG)
    redaction.remember(TOKEN)
    try:
        yield capture
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(capture.handler)
            logger.setLevel(level)
        redaction.forget_all()


async def test_json_lines_have_the_fields_and_no_secret_or_typed_text(
    botapi: BotApiServer, sqlite_db: FreshDatabase, captured: Captured
) -> None:
    settings = Settings(database_url=sqlite_db.url, flood_limit_per_minute=1000,
                        log_format="json")
    live = await LiveBot(botapi, sqlite_db, "webhook", settings).start()
    try:
        await live.link(CHAT, "owner@acme.example")
        await live.send(CHAT, "close my account")
        await live.click(CHAT, "Continue to close")
        mismatch = await live.send(CHAT, TYPED)  # the name step: a typed value
        assert "does not match" in mismatch[0].text
        await live.send(CHAT, "menu")
        quoted = await live.send(CHAT, TYPED)  # at the menu: not understood, quoted back
        assert TYPED in quoted[0].text
        try:  # a library quoting a token in an error, traceback and all
            raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
        except RuntimeError:
            logging.getLogger("bot.test").exception("calling Telegram with %s failed", TOKEN)
    finally:
        await live.stop()

    records = [json.loads(line) for line in captured.lines]  # every line is one object
    assert records
    for record in records:
        assert {"time", "level", "logger", "pid", "message"} <= record.keys(), record
        assert record["pid"] == os.getpid()
    assert all(TOKEN not in line and TYPED not in line for line in captured.lines)
    failure = next(r for r in records if r["logger"] == "bot.test")
    assert "***" in failure["message"] and "RuntimeError" in failure["exc_info"]

    updates = [r for r in records if r["logger"] == "bot.updates"]
    assert len(updates) == 6 and all(r["level"] == "INFO" for r in updates)
    key = conversation_hash(f"telegram:{CHAT}")
    for record in updates:
        assert record["conversation"] == key and str(CHAT) not in json.dumps(record)
        assert record["outcome"] == "ok" and record["latency_ms"] > 0
        assert isinstance(record["update_id"], int)
    assert [(r["kind"], r["flow"], r["state"]) for r in updates] == [
        ("message", None, None),  # linked: the menu
        ("message", "close", "warning"),
        ("callback_query", "close", "naming"),
        ("message", "close", "naming"),  # the name did not match
        ("message", None, None),
        ("message", None, None),
    ]


@pytest.mark.parametrize("captured", [logging.Formatter(TEXT_FORMAT)], indirect=True)
async def test_text_logs_carry_the_update_line_at_debug_only(
    botapi: BotApiServer, sqlite_db: FreshDatabase, captured: Captured
) -> None:
    live = await LiveBot(botapi, sqlite_db, "polling").start()  # LOG_FORMAT unset: text
    try:
        await live.send(CHAT, TYPED)
    finally:
        await live.stop()
    lines = [line for line in captured.lines if " bot.updates: " in line]
    assert len(lines) == 1 and " DEBUG bot.updates: update " in lines[0]
    assert "message unlinked" in lines[0] and TYPED not in lines[0]
    assert str(CHAT) not in lines[0]
