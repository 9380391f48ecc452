"""Driving the chat page through its contract only (docs/web-chat.md, "The page"): the
``log``, buttons by their names, the box labelled "Message", "Send" and "Sign out"."""

from __future__ import annotations

import re

from playwright.async_api import BrowserContext, Locator, Page, expect

from tests.web.browser.server import ChatServer

MENU = "What would you like to do?"


def transcript(page: Page) -> Locator:
    return page.get_by_role("log")


def newest_bot_message(page: Page) -> Locator:
    return transcript(page).locator(".message.bot").last


def message_box(page: Page) -> Locator:
    return page.get_by_label("Message")


async def open_chat(context: BrowserContext, server: ChatServer, email: str) -> Page:
    """A new tab signed in as ``email`` through a one-time link, showing the menu."""
    page = await context.new_page()
    await page.goto(await server.sign_in_link(email))
    await page.wait_for_url(f"{server.url}/chat")
    await expect(newest_bot_message(page)).to_contain_text(MENU)
    return page


async def say(page: Page, text: str, *, answer: str) -> None:
    """Type ``text`` and send it with the Send button; wait for a bot answer with ``answer``."""
    await message_box(page).fill(text)
    await page.get_by_role("button", name="Send").click()
    await expect(newest_bot_message(page)).to_contain_text(answer)


def labelled(label: str) -> re.Pattern[str]:
    """A button's name: ``label`` after the emoji the menus put first ("📄 Account details")."""
    return re.compile(rf"^\W*{re.escape(label)}$")


def button(page: Page, label: str) -> Locator:
    """The transcript's button named ``label`` (emoji before it aside)."""
    return transcript(page).get_by_role("button", name=labelled(label))


async def press(page: Page, label: str, *, answer: str) -> None:
    """Press the button named ``label``; wait for a bot answer with ``answer``."""
    await button(page, label).click()
    await expect(newest_bot_message(page)).to_contain_text(answer)


async def shown_messages(page: Page) -> list[str]:
    """The transcript's messages, as text, oldest first."""
    return await transcript(page).locator(".message").all_inner_texts()
