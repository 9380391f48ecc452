"""The conversation in the page: details, an edit, the package chart, closing and who may
close, and text that looks like markup staying text."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import BrowserContext, expect

from tests.web.browser.chat import (
    MENU,
    button,
    labelled,
    newest_bot_message,
    open_chat,
    press,
    say,
    transcript,
)
from tests.web.browser.server import ChatServer

pytestmark = [pytest.mark.xdist_group("browser"), pytest.mark.asyncio(loop_scope="module")]

ACME = "Acme Trading Ltd"
CLOSE_BUTTON = "Close Acme Trading Ltd permanently"


async def test_account_details(context: BrowserContext, server: ChatServer) -> None:
    page = await open_chat(context, server, "viewer@acme.example")
    await press(page, "Account details", answer="account details")
    await expect(newest_bot_message(page)).to_contain_text(ACME)
    await expect(newest_bot_message(page)).to_contain_text("owner@acme.example")
    # Only the newest message with buttons keeps them: the menu's are gone.
    await expect(button(page, "Menu")).to_be_visible()
    await expect(button(page, "Package & usage")).to_have_count(0)
    # What was pressed shows as the user's own message.
    await expect(transcript(page).locator(".message.you").last).to_have_text(
        labelled("Account details"))


async def test_edit_refuses_a_bad_value_then_saves_a_good_one(
    context: BrowserContext, server: ChatServer
) -> None:
    page = await open_chat(context, server, "admin@acme.example")
    await press(page, "Edit details", answer="Which detail do you want to change?")
    await press(page, "Contact e-mail", answer="Please type the new value")

    await say(page, "billing@acme", answer="That e-mail address is not valid")
    assert (await server.account(ACME))["contact_email"] == "owner@acme.example"

    await say(page, "billing@acme.example", answer="Please review your changes")
    await expect(newest_bot_message(page)).to_contain_text(
        "Contact e-mail: owner@acme.example → billing@acme.example")
    assert (await server.account(ACME))["contact_email"] == "owner@acme.example"

    await press(page, "Save", answer=MENU)
    await expect(transcript(page)).to_contain_text("Saved")
    assert (await server.account(ACME))["contact_email"] == "billing@acme.example"


async def test_the_package_shows_its_usage_chart(
    context: BrowserContext, server: ChatServer
) -> None:
    page = await open_chat(context, server, "owner@acme.example")
    await press(page, "Package & usage", answer="Your package: Interact")

    chart = transcript(page).get_by_role("img")
    await expect(chart).to_have_count(1)
    await expect(chart).to_have_attribute("alt", re.compile(r"\w{3,}"))
    handle = await chart.element_handle()
    await page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)
    await expect(chart).to_be_in_viewport()


async def test_the_owner_closes_with_the_button_and_typing_does_not_close(
    context: BrowserContext, server: ChatServer
) -> None:
    page = await open_chat(context, server, "owner@acme.example")
    await press(page, "Close account", answer=f"Closing {ACME} is permanent")
    await press(page, "Continue to close", answer="type the account name as shown")
    await say(page, ACME, answer="Last step")
    await expect(button(page, CLOSE_BUTTON)).to_be_visible()

    await say(page, "close", answer="Typing doesn't close the account")
    assert (await server.account(ACME))["status"] == "open"

    await press(page, CLOSE_BUTTON, answer=f"{ACME} is now closed.")
    assert (await server.account(ACME))["status"] == "closed"


async def test_a_viewer_is_refused_closing(context: BrowserContext, server: ChatServer) -> None:
    page = await open_chat(context, server, "viewer@acme.example")
    buttons = transcript(page).get_by_role("button")
    await expect(buttons.first).to_be_visible()
    assert not [name for name in await buttons.all_inner_texts() if "Close" in name]

    await say(page, "close my account", answer="only the account owner can close the account")
    await expect(transcript(page).get_by_role("button", name="Close")).to_have_count(0)
    assert (await server.account(ACME))["status"] == "open"


async def test_an_account_name_that_looks_like_markup_stays_text(
    context: BrowserContext, server: ChatServer
) -> None:
    name = "<b>x</b><script>window.pwned=1</script>"
    await server.rename_account(ACME, name)
    page = await open_chat(context, server, "owner@acme.example")
    await expect(newest_bot_message(page)).to_contain_text(name)
    await press(page, "Account details", answer="account details")
    await expect(newest_bot_message(page)).to_contain_text(name)

    assert await page.evaluate("() => typeof window.pwned") == "undefined"
    await expect(transcript(page).locator("b, script")).to_have_count(0)
