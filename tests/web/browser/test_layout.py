"""The page at phone and desktop sizes and at 200 % zoom, and used with the keyboard only.

Screenshots go to the test's temporary folder, and to docs/images/ only when
``WEB_SCREENSHOTS=1`` (so an ordinary run writes nothing into the repository).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.web.browser.browsing import watched_context
from tests.web.browser.chat import (
    MENU,
    button,
    message_box,
    newest_bot_message,
    open_chat,
    press,
    transcript,
)
from tests.web.browser.server import ChatServer

pytestmark = [pytest.mark.xdist_group("browser"), pytest.mark.asyncio(loop_scope="module")]

DOCS_IMAGES = Path(__file__).resolve().parents[3] / "docs" / "images"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
# Browser zoom at 200 % on a 1280 x 800 window lays the page out in 640 x 400 CSS pixels.
ZOOMED = {"width": 640, "height": 400}

# Elements wider than the viewport, or reaching past either side of it, and whether the
# page or the transcript scrolls sideways. Visually hidden text (1 px, clipped) aside.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const log = document.querySelector('[role="log"]');
  const out = [];
  if (document.documentElement.scrollWidth > width) out.push('the page scrolls sideways');
  if (log.scrollWidth > log.clientWidth) out.push('the transcript scrolls sideways');
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (box.left < -0.5 || box.right > width + 0.5) {
      out.push(element.tagName + ' ' + element.className + ': ' + box.left + '..' + box.right);
    }
  }
  return out;
}"""

FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {tag: element.tagName, name: element.textContent.trim() || element.id,
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0};
}"""


async def conversation(page: Page) -> None:
    """Fill the transcript: the details, then the package with its chart."""
    await press(page, "Account details", answer="account details")
    await press(page, "Menu", answer=MENU)
    await press(page, "Package & usage", answer="Your package: Interact")
    chart = transcript(page).get_by_role("img")
    await page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                                 arg=await chart.element_handle())


async def screenshot(page: Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    await page.evaluate("() => document.activeElement.blur()")  # the page as first seen
    await page.screenshot(path=str(path))
    if os.environ.get("WEB_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMAGES / name)


async def tab_through(page: Page) -> list[dict[str, object]]:
    """What takes the focus, pressing Tab until the focus comes round again (passing
    through the browser's own controls, where the page's body has it)."""
    seen: list[dict[str, object]] = []
    for _ in range(60):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(FOCUSED)
        if focused in seen:
            break
        if focused["tag"] != "BODY":
            seen.append(focused)
    return seen


@pytest.mark.parametrize(
    ("viewport", "scale", "shot"),
    [(PHONE, 3, "web-chat-phone.png"), (DESKTOP, 1, "web-chat-desktop.png"),
     (ZOOMED, 2, None)],
    ids=["phone-375", "desktop-1280", "zoom-200"],
)
async def test_nothing_scrolls_sideways_and_every_button_takes_the_tab_key(
    browser: Browser, server: ChatServer, tmp_path: Path,
    viewport: dict[str, int], scale: int, shot: str | None,
) -> None:
    async with watched_context(browser, server, viewport=viewport,
                               device_scale_factor=scale) as context:
        page = await open_chat(context, server, "owner@acme.example")
        await conversation(page)
        await expect(newest_bot_message(page)).to_be_in_viewport()
        if shot is not None:
            await screenshot(page, tmp_path, shot)
        assert await page.evaluate(OVERFLOW) == []

        buttons = sorted(await page.get_by_role("button").all_inner_texts())
        assert len(buttons) >= 4  # Sign out, Send, and the chart message's own buttons
        reached = await tab_through(page)
        assert sorted(str(f["name"]) for f in reached if f["tag"] == "BUTTON") == sorted(
            name.strip() for name in buttons)
        assert "message" in [f["name"] for f in reached]  # the text box
        assert [f for f in reached if not f["outline"]] == []  # focus is always visible


async def test_the_keyboard_alone_chats(browser: Browser, server: ChatServer) -> None:
    async with watched_context(browser, server) as context:
        page = await open_chat(context, server, "owner@acme.example")
        box = message_box(page)
        while not await box.evaluate("box => box === document.activeElement"):
            await page.keyboard.press("Tab")

        # Shift+Enter is a new line; Enter sends, empties the box and keeps the focus there.
        await page.keyboard.type("first line")
        await page.keyboard.press("Shift+Enter")
        await page.keyboard.type("second line")
        await expect(box).to_have_value("first line\nsecond line")
        await page.keyboard.press("Control+A")
        await page.keyboard.press("Backspace")
        await page.keyboard.type("account details")
        await page.keyboard.press("Enter")
        await expect(newest_bot_message(page)).to_contain_text("account details")
        await expect(box).to_have_value("")
        await expect(box).to_be_focused()

        # Back to the details' buttons with Shift+Tab; Space presses; the focus comes back.
        menu = button(page, "Menu")
        while not await menu.evaluate("b => b === document.activeElement"):
            await page.keyboard.press("Shift+Tab")
        await page.keyboard.press("Space")
        await expect(newest_bot_message(page)).to_contain_text(MENU)
        await expect(box).to_be_focused()

        # And Enter on a button presses it too.
        package = button(page, "Package & usage")
        while not await package.evaluate("b => b === document.activeElement"):
            await page.keyboard.press("Shift+Tab")
        await page.keyboard.press("Enter")
        await expect(newest_bot_message(page)).to_contain_text("Your package: Interact")
        await expect(box).to_be_focused()
        assert re.search(r"Package", (await transcript(page).locator(".message.you").last
                                      .inner_text()))
