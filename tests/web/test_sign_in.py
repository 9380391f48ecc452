"""Signing in to the web chat over real HTTP: one-time links, the cookie, signing out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import pytest
from aiohttp import ClientSession, CookieJar, WSServerHandshakeError
from prometheus_client import REGISTRY
from sqlalchemy import func, select, update

from bot.web.server import WebServer
from storage import models as m
from storage.sandbox import FreshDatabase
from testkit.web import PageClosed
from tests.web.conftest import OWNER, OpenPage
from tests.web.serving import base, link_for, serve


def attempts(outcome: str) -> float:
    """This process's ``bot_link_attempts_total`` for web sign-in links with ``outcome``."""
    value = REGISTRY.get_sample_value("bot_link_attempts_total",
                                      {"method": "web_link", "outcome": outcome})
    return value or 0.0


def _cookie(header: str) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(header)
    return cookie


async def test_a_link_signs_in_once_with_a_cookie_no_script_can_read(
    db: FreshDatabase, server: WebServer
) -> None:
    link = await link_for(db, server, OWNER)
    linked, wrong = attempts("linked"), attempts("wrong")
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        async with http.get(link, allow_redirects=False) as answer:
            page = await answer.text()
            assert answer.status == 200
            set_cookie = answer.headers["Set-Cookie"]
            csp = answer.headers["Content-Security-Policy"]
        async with http.get(base(server) + "/chat") as chat:
            shell = await chat.text()
        async with http.get(link) as again:
            second = await again.text()
            second_status = again.status
    morsel = _cookie(set_cookie)["chat_session"]
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Strict"
    assert morsel["path"] == "/chat"
    assert int(morsel["max-age"]) == 12 * 3600
    assert not morsel["secure"]  # plain http here; https makes it Secure (below)
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # The page moves on to /chat itself, so the code leaves the address bar.
    assert 'http-equiv="refresh" content="0;url=/chat"' in page
    assert 'role="log"' in shell and 'aria-live="polite"' in shell
    # The code works once: a second opening explains and signs nobody in.
    assert second_status == 410
    assert "used already" in second
    # Counted as Telegram's codes are (bot_link_attempts_total), by method and outcome.
    assert (attempts("linked") - linked, attempts("wrong") - wrong) == (1, 1)


async def test_the_session_token_is_stored_hashed(db: FreshDatabase, server: WebServer) -> None:
    link = await link_for(db, server, OWNER)
    async with ClientSession() as http, http.get(link, allow_redirects=False) as answer:
        token = _cookie(answer.headers["Set-Cookie"])["chat_session"].value
    async with db.database.reading() as connection:
        stored = (await connection.execute(select(m.WebSession.token_hash))).scalars().all()
    assert len(stored) == 1
    assert token not in stored[0]


async def test_without_a_session_the_page_says_how_to_get_a_link(server: WebServer) -> None:
    async with ClientSession() as http, http.get(base(server) + "/chat") as answer:
        page = await answer.text()
        assert answer.status == 200
    assert "open the sign-in link you were given" in page
    assert "support@platform.example" in page
    assert "<script" not in page


async def test_an_expired_or_unknown_link_signs_in_nobody(
    db: FreshDatabase, server: WebServer
) -> None:
    link = await link_for(db, server, OWNER)
    async with db.database.transaction() as connection:
        await connection.execute(
            update(m.LinkCode).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    async with ClientSession() as http:
        async with http.get(link) as expired:
            assert expired.status == 410
            assert "has expired" in await expired.text()
            assert "Set-Cookie" not in expired.headers
        async with http.get(base(server) + "/chat?code=<b>nope</b>") as unknown:
            text = await unknown.text()
            assert unknown.status == 400
    assert "not valid" in text
    assert "<b>nope" not in text  # nothing of the request is echoed, let alone as markup


async def test_wrong_links_lock_the_visitor_out_even_for_a_right_one(
    db: FreshDatabase, server: WebServer
) -> None:
    good = await link_for(db, server, OWNER)
    async with ClientSession() as http:
        statuses = []
        for attempt in range(5):  # LINK_ATTEMPTS_PER_CHAT, by default
            async with http.get(f"{base(server)}/chat?code=wrong{attempt}") as answer:
                statuses.append(answer.status)
                last = await answer.text()
        async with http.get(good) as locked:
            locked_text = await locked.text()
            assert locked.status == 429
    assert statuses == [400] * 5
    assert "Too many wrong codes" in last  # the failure that reached the limit says so
    assert "Too many wrong codes: try again in 15 minutes" in locked_text
    async with db.database.reading() as connection:
        used = await connection.scalar(
            select(func.count()).select_from(m.LinkCode).where(m.LinkCode.used_at.is_not(None))
        )
    assert used == 0  # the right code was not even looked at: it still works later


async def test_sign_out_ends_the_session_on_every_tab(
    open_page: OpenPage, server: WebServer
) -> None:
    first = await open_page(OWNER)
    second = first.new_tab()
    await second.open()
    async with first.http.get(base(server) + "/chat/session") as alive:
        assert alive.status == 204
    async with first.http.post(base(server) + "/chat/signout", headers={"Origin": base(server)},
                               allow_redirects=False) as answer:
        assert answer.status == 303
        assert answer.headers["Location"] == "/chat"
    for tab in (first, second):
        with pytest.raises(PageClosed) as closed:
            await tab.say("menu")
        assert closed.value.code == 4401
    async with first.http.get(base(server) + "/chat") as page:
        assert "open the sign-in link" in await page.text()
    async with first.http.get(base(server) + "/chat/session") as gone:
        assert gone.status == 401
    with pytest.raises(WSServerHandshakeError) as refused:
        await first.open()
    assert refused.value.status == 401


async def test_another_site_can_neither_sign_out_nor_open_the_socket(
    open_page: OpenPage, server: WebServer
) -> None:
    page = await open_page(OWNER)
    evil = {"Origin": "https://evil.example"}
    async with page.http.post(base(server) + "/chat/signout", headers=evil,
                              allow_redirects=False) as answer:
        assert answer.status == 403
    with pytest.raises(WSServerHandshakeError) as refused:
        await page.new_tab().open(origin="https://evil.example")
    assert refused.value.status == 403
    replies = await page.say("menu")  # the session is still live
    assert any("What would you like to do?" in m.text for m in replies)


async def test_behind_https_the_cookie_is_secure(db: FreshDatabase) -> None:
    served = await serve(db, web_public_url="https://chat.example.com")
    try:
        assert served.url == "https://chat.example.com/chat"
        link = (await link_for(db, served, OWNER)).replace(served.url, base(served) + "/chat")
        async with ClientSession() as http, http.get(link) as answer:
            morsel = _cookie(answer.headers["Set-Cookie"])["chat_session"]
        assert morsel["secure"] is True
    finally:
        await served.stop()


async def test_signing_in_again_in_a_browser_ends_its_earlier_session(
    db: FreshDatabase, server: WebServer
) -> None:
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
        for email in (OWNER, "viewer@acme.example"):
            async with http.get(await link_for(db, server, email)) as answer:
                assert answer.status == 200
    async with db.database.reading() as connection:
        sessions = (await connection.execute(
            select(m.WebSession.user_id, m.WebSession.ended_at).order_by(m.WebSession.id)
        )).all()
    assert [ended is None for _, ended in sessions] == [False, True]  # the viewer's is live
