"""When the database fails under the web chat: the customer is told honestly whether
anything was changed, nothing is half-done, and it is logged. The failures are real: a
table the step needs is taken away from the real database."""

from __future__ import annotations

import logging

import pytest
from aiohttp import ClientSession
from sqlalchemy import func, select, text

from bot.web.server import WebServer
from storage import models as m
from storage.sandbox import FreshDatabase
from tests.web.conftest import ADMIN, OWNER, OpenPage
from tests.web.serving import link_for


async def take_away(db: FreshDatabase, table: str) -> None:
    async with db.database.transaction() as connection:
        await connection.execute(text(f"DROP TABLE {table}"))


async def web_version(db: FreshDatabase) -> int:
    """The web conversation's record version: how many turns it committed."""
    async with db.database.reading() as connection:
        return int(await connection.scalar(
            select(m.Conversation.version).where(m.Conversation.channel == "web")) or 0)


async def test_a_turn_done_but_not_shown_says_so_and_is_logged(
    db: FreshDatabase, open_page: OpenPage, caplog: pytest.LogCaptureFixture
) -> None:
    page = await open_page(ADMIN)
    await page.say("change the account name")
    before = await web_version(db)
    await take_away(db, "web_messages")
    with caplog.at_level(logging.ERROR, logger="bot.web"):
        replies = await page.say("Acme Trading Limited")
    assert replies == []
    assert page.errors[-1] == ("Sorry, something went wrong while showing my answer. What "
                               "you asked for was done; type menu to see where we are.")
    assert "a turn was done but could not be shown" in caplog.text
    assert await web_version(db) == before + 1  # the engine's turn did commit


async def test_a_press_that_fails_before_the_turn_changes_nothing(
    db: FreshDatabase, open_page: OpenPage, caplog: pytest.LogCaptureFixture
) -> None:
    page = await open_page(OWNER)
    menu = page.latest_menu
    assert menu is not None
    await take_away(db, "web_messages")  # the pressed button cannot even be looked up
    with caplog.at_level(logging.ERROR, logger="bot.web"):
        await page.press_at(menu.id, 0)
    assert page.errors[-1].startswith("Sorry, something went wrong on our side, so nothing "
                                      "was changed.")
    assert "a turn failed before the engine had it" in caplog.text


async def test_a_sign_in_that_fails_signs_nobody_in_and_keeps_the_link(
    db: FreshDatabase, server: WebServer, caplog: pytest.LogCaptureFixture
) -> None:
    link = await link_for(db, server, OWNER)
    await take_away(db, "web_sessions")
    with caplog.at_level(logging.ERROR, logger="bot.web"):
        async with ClientSession() as http, http.get(link) as answer:
            page = await answer.text()
            assert answer.status == 503
            assert "Set-Cookie" not in answer.headers
    assert "nothing was changed" in page and "Traceback" not in page
    assert "signing in from a link failed" in caplog.text
    async with db.database.reading() as connection:
        used = await connection.scalar(select(func.count()).select_from(m.LinkCode)
                                       .where(m.LinkCode.used_at.is_not(None)))
    assert used == 0  # rolled back: the link still works once the database is mended
