"""Several tabs of one session, and a page that loses its connection mid-flow."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, WebSocketRoute, expect

from tests.web.browser.chat import (
    MENU,
    button,
    message_box,
    newest_bot_message,
    open_chat,
    press,
    say,
    shown_messages,
    transcript,
)
from tests.web.browser.server import ChatServer

pytestmark = [pytest.mark.xdist_group("browser"), pytest.mark.asyncio(loop_scope="module")]

STALE = "That menu has expired, so I did not act on it"


class HeldBack:
    """A tab's socket whose frames from the server can be held back, as on a slow
    network: the tab keeps showing what it had while the conversation goes on."""

    def __init__(self) -> None:
        self.holding = False
        self.held: list[str | bytes] = []
        self.page_side: WebSocketRoute | None = None

    async def route(self, socket: WebSocketRoute) -> None:
        self.page_side = socket
        server_side = socket.connect_to_server()

        def from_server(frame: str | bytes) -> None:
            if self.holding:
                self.held.append(frame)
            else:
                socket.send(frame)

        server_side.on_message(from_server)

    def release(self) -> None:
        assert self.page_side is not None
        self.holding = False
        for frame in self.held:
            self.page_side.send(frame)
        self.held.clear()


async def test_a_stale_tab_button_changes_nothing_and_both_tabs_agree(
    context: BrowserContext, server: ChatServer
) -> None:
    tab_a = await open_chat(context, server, "owner@acme.example")
    slow = HeldBack()
    tab_b = await context.new_page()
    await tab_b.route_web_socket("**/chat/socket", slow.route)
    await tab_b.goto("/chat")
    await expect(newest_bot_message(tab_b)).to_contain_text(MENU)

    # Tab A goes on to the details while tab B hears nothing of it ...
    slow.holding = True
    await press(tab_a, "Account details", answer="account details")

    # ... so tab B still offers the menu, and its Package button is a stale press.
    await button(tab_b, "Package & usage").click()
    await expect(newest_bot_message(tab_a)).to_contain_text(STALE)
    slow.release()
    await expect(newest_bot_message(tab_b)).to_contain_text(STALE)

    for tab in (tab_a, tab_b):
        await expect(transcript(tab)).not_to_contain_text("Your package")
    assert await shown_messages(tab_a) == await shown_messages(tab_b)
    # The details screen is still the current one: its buttons work in either tab.
    await press(tab_b, "Menu", answer=MENU)
    await expect(newest_bot_message(tab_a)).to_contain_text(MENU)
    assert await shown_messages(tab_a) == await shown_messages(tab_b)


async def test_a_dropped_connection_resumes_at_the_same_step(
    context: BrowserContext, server: ChatServer
) -> None:
    page = await open_chat(context, server, "admin@acme.example")
    await press(page, "Edit details", answer="Which detail do you want to change?")
    await press(page, "Contact e-mail", answer="Please type the new value")
    before = await shown_messages(page)

    # The server drops every socket (as when it restarts): the page says so, cannot
    # send meanwhile, and reconnects by itself.
    await server.drop_sockets()
    status = page.get_by_role("status")
    await expect(status).to_have_text("Reconnecting…")
    await expect(page.get_by_role("button", name="Send")).to_be_disabled()
    await expect(page.get_by_role("button", name="Send")).to_be_enabled()
    await expect(status).to_have_text("")
    assert await shown_messages(page) == before  # nothing lost, nothing twice

    await say(page, "billing@acme.example", answer="Please review your changes")

    # A reload starts a new page: it shows the same conversation, at the same step.
    shown = await shown_messages(page)
    await page.reload()
    await expect(newest_bot_message(page)).to_contain_text("Please review your changes")
    assert await shown_messages(page) == shown
    await press(page, "Save", answer=MENU)
    assert (await server.account("Acme Trading Ltd"))["contact_email"] == "billing@acme.example"
    await expect(message_box(page)).to_be_editable()
