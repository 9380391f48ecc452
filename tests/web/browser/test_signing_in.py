"""Signing in from a one-time link, the session cookie, and signing out (every tab)."""

from __future__ import annotations

import time

import aiohttp
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.web.browser.chat import MENU, button, newest_bot_message, open_chat
from tests.web.browser.server import ChatServer

pytestmark = [pytest.mark.xdist_group("browser"), pytest.mark.asyncio(loop_scope="module")]

COOKIE = "chat_session"


async def test_the_link_signs_in_and_leaves_the_address_bar(
    browser: Browser, context: BrowserContext, server: ChatServer
) -> None:
    link = await server.sign_in_link("owner@acme.example")
    page = await context.new_page()
    await page.goto(link)

    await page.wait_for_url(f"{server.url}/chat")
    assert "code=" not in page.url
    await expect(newest_bot_message(page)).to_contain_text("Hi Olivia")
    await expect(newest_bot_message(page)).to_contain_text("Acme Trading Ltd")
    for label in ("Account details", "Edit details", "Package & usage", "Close account"):
        await expect(button(page, label)).to_be_visible()

    # The link works once: another browser opening it is told so, and is not signed in.
    stranger = await browser.new_context(base_url=server.url)
    try:
        other = await stranger.new_page()
        await other.goto(link)
        await expect(other.locator("main.signed-out")).to_contain_text("used already")
        await expect(other.get_by_role("log")).to_have_count(0)
        assert await stranger.cookies() == []
    finally:
        await stranger.close()


async def test_the_cookie_is_out_of_scripts_reach_and_signing_out_ends_it_everywhere(
    context: BrowserContext, server: ChatServer
) -> None:
    first = await open_chat(context, server, "owner@acme.example")
    second = await context.new_page()
    await second.goto("/chat")
    await expect(newest_bot_message(second)).to_contain_text(MENU)

    [cookie] = [c for c in await context.cookies() if c["name"] == COOKIE]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/chat"
    assert cookie["expires"] > time.time() + 60  # a lasting cookie with an expiry, not -1
    assert COOKIE not in await first.evaluate("() => document.cookie")
    token = cookie["value"]

    await first.get_by_role("button", name="Sign out").click()

    # This tab lands on the signed-out page, which says how to get a link ...
    await first.wait_for_url(f"{server.url}/chat")
    await expect(first.locator("main.signed-out")).to_contain_text("sign-in link")
    await expect(first.get_by_role("log")).to_have_count(0)
    # ... the other tab is told by its socket (4401) and goes there too ...
    await expect(second.locator("main.signed-out")).to_contain_text("sign-in link")
    assert [c for c in await context.cookies() if c["name"] == COOKIE] == []

    # ... and the old token opens no socket any more.
    async with aiohttp.ClientSession() as client:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(
                f"{server.url}/chat/socket",
                headers={"Cookie": f"{COOKIE}={token}", "Origin": server.url},
            )
    assert refused.value.status == 401
