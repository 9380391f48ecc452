"""No secret in what the bot logs or prints: aiogram's own log lines included."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator

import pytest
from aiogram import Dispatcher

from bot import redaction
from bot.redaction import mask, mask_logging
from bot.startup.error import StartupError, report
from bot.telegram.app import make_bot
from tests.cli.leaky_api import start_leaky_bot_api

TOKEN = "123456:TEST-TOKEN"
REAL_LOOKING_TOKEN = "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def no_remembered_secrets() -> Iterator[None]:
    redaction.forget_all()
    yield
    redaction.forget_all()


def capture(logger: logging.Logger, *, masked: bool) -> io.StringIO:
    """A stream receiving what ``logger`` handles, through the bot's filter if ``masked``."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logger.addHandler(handler)
    if masked:
        mask_logging(logger)
    return stream


async def test_aiogram_failed_to_fetch_updates_line_is_masked() -> None:
    runner, api_url = await start_leaky_bot_api()
    aiogram_logger = logging.getLogger("aiogram")
    dispatcher_logger = logging.getLogger("aiogram.dispatcher")
    # The raw handler sits on the logger that emits, so it sees the record first, unmasked.
    raw = capture(dispatcher_logger, masked=False)
    masked = capture(aiogram_logger, masked=True)
    bot = make_bot(TOKEN, api_url)
    polling = asyncio.create_task(
        Dispatcher().start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    try:
        async with asyncio.timeout(20):
            while "Failed to fetch updates" not in masked.getvalue():
                await asyncio.sleep(0.02)
    finally:
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
        await bot.session.close()
        await runner.cleanup()
        for logger in (aiogram_logger, dispatcher_logger):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
    assert f"/bot{TOKEN}/getUpdates" in raw.getvalue()  # aiogram does quote the token
    line = next(s for s in masked.getvalue().splitlines() if "Failed to fetch updates" in s)
    assert TOKEN not in masked.getvalue()
    assert "/bot***/getUpdates" in line, line


def test_remembered_secrets_are_masked_in_messages_and_tracebacks() -> None:
    redaction.remember(TOKEN, "hook-secret-1", None, "pw")  # too short to mask: "pw"
    logger = logging.getLogger("tests.masking")
    logger.propagate = False
    stream = capture(logger, masked=True)
    try:
        logger.warning("token=%s secret=%s", TOKEN, "hook-secret-1")
        try:
            raise RuntimeError(f"request to /bot{TOKEN}/getMe with hook-secret-1 failed")
        except RuntimeError:
            logger.exception("it failed")
    finally:
        logger.handlers.clear()
        logger.propagate = True
    text = stream.getvalue()
    assert "token=*** secret=***" in text
    assert "Traceback" in text and "RuntimeError: request to /bot***/getMe with *** failed" in text
    assert TOKEN not in text and "hook-secret-1" not in text


def test_secret_shapes_are_masked_without_being_told() -> None:
    assert mask(f"POST http://h:8081/bot{TOKEN}/getMe") == "POST http://h:8081/bot***/getMe"
    assert mask(f"token {REAL_LOOKING_TOKEN} leaked") == "token *** leaked"
    # The password goes; a user or database named "bot" stays readable.
    assert mask("postgresql+asyncpg://bot:pa55@db:5432/bot") == (
        "postgresql+asyncpg://bot:***@db:5432/bot"
    )


def test_debug_report_shows_the_traceback_masked() -> None:
    try:
        try:
            raise ConnectionError(f"cannot reach http://h/bot{REAL_LOOKING_TOKEN}/getMe")
        except ConnectionError as error:
            raise StartupError("BOT_API_URL", "nothing answers.", "Start it.") from error
    except StartupError as problem:
        plain, debug = report(problem), report(problem, debug=True)
    assert plain == "BOT_API_URL: nothing answers.\nFix: Start it."
    assert "Traceback" in debug and "ConnectionError: cannot reach http://h/bot***/getMe" in debug
    assert debug.endswith(plain)
    assert REAL_LOOKING_TOKEN not in debug
