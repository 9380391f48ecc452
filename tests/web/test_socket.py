"""The web chat's WebSocket over real HTTP: turns, tabs, reconnecting, stale and forged
presses, refusals, and notices, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiohttp import ClientSession
from sqlalchemy import func, select, update

from bot.usage.scripted import record_for
from bot.web.server import WebServer
from storage import models as m
from storage.sandbox import FreshDatabase
from testkit.web import PageClosed, PageMessage
from tests.web.conftest import ADMIN, OWNER, VIEWER, OpenPage
from tests.web.serving import base, link_for, serve

ACME = "Acme Trading Ltd"


def bot_texts(messages: list[PageMessage]) -> str:
    return "\n".join(m.text for m in messages if m.sender == "bot")


async def account_status(db: FreshDatabase) -> str:
    async with db.database.reading() as connection:
        status = await connection.scalar(select(m.Account.status).where(m.Account.name == ACME))
    return str(status)


async def kept_messages(db: FreshDatabase) -> int:
    async with db.database.reading() as connection:
        return int(await connection.scalar(select(func.count()).select_from(m.WebMessage)) or 0)


async def test_a_new_page_starts_at_the_menu_and_a_turn_echoes_what_was_typed(
    open_page: OpenPage,
) -> None:
    page = await open_page(OWNER)
    assert [m.sender for m in page.transcript] == ["bot"]
    assert "Account details" in " ".join(page.transcript[0].buttons)
    replies = await page.say("show my details")
    assert replies[0].sender == "you" and replies[0].text == "show my details"
    assert ACME in bot_texts(replies)


async def test_the_final_close_takes_the_button_never_typed_text(
    db: FreshDatabase, open_page: OpenPage
) -> None:
    page = await open_page(OWNER)
    await page.say("close my account")
    await page.press("Continue to close")
    await page.say(ACME)
    final = page.latest_menu
    assert final is not None and "Close Acme Trading Ltd permanently" in final.buttons
    for typed in ("close", "Close Acme Trading Ltd permanently", "yes"):
        await page.say(typed)
        assert await account_status(db) == "open"
    # The button of the final step, still on the page, closes: once.
    index = final.buttons.index("Close Acme Trading Ltd permanently")
    done = await page.press_at(final.id, index)
    assert "is now closed" in bot_texts(done)
    again = await page.press_at(final.id, index)
    assert "is now closed" not in bot_texts(again)
    async with db.database.reading() as connection:
        closures = (await connection.execute(
            select(m.AuditEntry.id).where(m.AuditEntry.action == "account.closed")
        )).all()
    assert len(closures) == 1
    assert await account_status(db) == "closed"


async def test_a_viewer_is_refused_closing(db: FreshDatabase, open_page: OpenPage) -> None:
    page = await open_page(VIEWER)
    assert not any("Close" in label for label in page.transcript[-1].buttons)
    replies = await page.say("close my account")
    assert "only the account owner" in bot_texts(replies).lower() or \
        "olivia owner can" in bot_texts(replies).lower()
    assert await account_status(db) == "open"


async def test_a_second_tab_shows_the_conversation_and_its_stale_button_is_harmless(
    db: FreshDatabase, open_page: OpenPage
) -> None:
    first = await open_page(ADMIN)
    second = first.new_tab()
    await second.open()
    assert [m.id for m in second.transcript] == [m.id for m in first.transcript]
    await first.say("edit details")
    arrived = await second.wait_for(2)  # the first tab's words and the bot's answer
    assert [m.sender for m in arrived] == ["you", "bot"]
    old_menu = second.transcript[0]  # the main menu, long since replaced
    stale = await second.press_at(old_menu.id, old_menu.buttons.index("✏️ Edit details"))
    assert "That menu has expired, so I did not act on it" in bot_texts(stale)
    # The first tab sees the same and its edit goes on where it was.
    await first.wait_for(len(stale))
    assert [m.id for m in first.transcript] == [m.id for m in second.transcript]


async def test_a_dropped_connection_resumes_where_the_conversation_is(
    open_page: OpenPage,
) -> None:
    page = await open_page(ADMIN)
    await page.say("change the email")
    step = page.transcript[-1]
    await page.drop()
    # Meanwhile another tab of the same browser goes on with the flow.
    other = page.new_tab()
    await other.open()
    await other.say("not-an-email")
    # The dropped page comes back: it gets only what it missed, and the flow is where it was.
    came_back = await page.open()
    assert [m.sender for m in came_back] == ["you", "bot"]
    assert came_back[0].text == "not-an-email"
    assert all(m.id > step.id for m in came_back)
    replies = await page.say("billing@acme.example")
    assert "billing@acme.example" in bot_texts(replies)


async def test_forged_and_malformed_frames_are_refused_and_change_nothing(
    db: FreshDatabase, open_page: OpenPage
) -> None:
    owner = await open_page(OWNER)
    viewer = await open_page(VIEWER)
    before = await kept_messages(db)
    own_message = viewer.transcript[0].id
    # A press of another conversation's message, or of a button it does not have.
    assert "not part of this conversation" in await owner.send_raw(
        {"type": "press", "message": own_message, "button": 0})
    assert "not part of this conversation" in await owner.send_raw(
        {"type": "press", "message": owner.transcript[0].id, "button": 99})
    for frame in ("not json", [1, 2], {"type": "press", "message": "1", "button": 0},
                  {"type": "press", "message": True, "button": 0}, {"type": "eval"},
                  {"type": "say", "text": 7}, {"type": "say", "text": "   "}):
        assert "did not understand" in await owner.send_raw(frame)
    too_long = await owner.send_raw({"type": "say", "text": "x" * 4097})
    assert "too long" in too_long and "4,096" in too_long
    assert await kept_messages(db) == before  # not a turn among them


async def test_the_chart_is_served_to_its_own_conversation_only(
    db: FreshDatabase, server: WebServer, open_page: OpenPage
) -> None:
    owner = await open_page(OWNER)
    replies = await owner.press(next(b for b in owner.latest_menu.buttons  # type: ignore[union-attr]
                                     if "Package" in b))
    pictured = [m for m in replies if m.image]
    assert len(pictured) == 1 and pictured[0].image_alt
    url = base(server) + str(pictured[0].image)
    async with owner.http.get(url) as image:
        assert image.status == 200 and image.content_type == "image/png"
        assert (await image.read()).startswith(b"\x89PNG")
    viewer = await open_page(VIEWER)  # another user (of the same account, even)
    async with viewer.http.get(url) as other:
        assert other.status == 404
    async with ClientSession() as anonymous, anonymous.get(url) as nobody:
        assert nobody.status == 401


async def test_an_alert_reaches_the_open_page(db: FreshDatabase, open_page: OpenPage) -> None:
    page = await open_page(OWNER)
    await record_for(db.database, OWNER, "campaign messages", 7_000, datetime.now(UTC))
    [alert] = await page.wait_for(1)  # the server's delivery loop brings it
    assert "Campaign messages" in alert.text
    assert any("See usage" in label for label in alert.buttons)
    replies = await page.press(next(b for b in alert.buttons if "See usage" in b))
    assert "Campaign messages" in bot_texts(replies)


async def test_too_many_messages_a_minute_are_refused_politely(db: FreshDatabase) -> None:
    served = await serve(db, flood_limit_per_minute=3)
    from testkit.web import WebTestClient

    page = WebTestClient(base(served))
    try:
        await page.sign_in(await link_for(db, served, OWNER))
        await page.open()
        for _ in range(3):
            await page.say("menu")
        assert await page.send_raw({"type": "say", "text": "menu"}) == (
            "You're sending messages faster than I can follow, so I skipped some of them. "
            "Please wait a moment, then carry on."
        )
    finally:
        await page.close()
        await served.stop()


async def test_an_expired_session_ends_the_open_page(
    db: FreshDatabase, open_page: OpenPage
) -> None:
    page = await open_page(OWNER)
    async with db.database.transaction() as connection:
        await connection.execute(update(m.WebSession).values(expires_at=datetime.now(UTC)))
    # The server's watch finds it expired and closes the page, which did nothing.
    with pytest.raises(PageClosed) as closed:
        await page.wait_for(1)
    assert closed.value.code == 4401


async def test_a_page_sees_what_another_worker_kept(db: FreshDatabase, server: WebServer,
                                                    open_page: OpenPage) -> None:
    """Two servers on one database stand for two worker processes: a tab on each."""
    other = await serve(db)
    try:
        here = await open_page(OWNER)
        there = here.new_tab()
        there.base = base(other)
        await there.http.get(base(other) + "/chat")  # same cookie: the session is in the db
        # The cookie is scoped to the host, not the port: the second server sees it too.
        await there.open(origin=base(other))
        await there.say("show my details")
        arrived = await here.wait_for(2)  # found by the watch of the first server
        assert ACME in bot_texts(arrived)
    finally:
        await other.stop()


async def test_signing_out_on_one_worker_closes_the_tabs_on_another(
    db: FreshDatabase, server: WebServer, open_page: OpenPage
) -> None:
    other = await serve(db)
    try:
        here = await open_page(OWNER)
        there = here.new_tab()
        there.base = base(other)
        await there.open(origin=base(other))
        async with here.http.post(base(server) + "/chat/signout",
                                  headers={"Origin": base(server)}) as answer:
            assert answer.status == 200  # the sign-in page, after the redirect
        # The other server's watch finds the session ended and closes its page unasked.
        with pytest.raises(PageClosed) as closed:
            await there.wait_for(1)
        assert closed.value.code == 4401
    finally:
        await other.stop()


async def test_a_bad_hello_is_refused_and_a_good_one_still_opens_the_page(
    open_page: OpenPage, server: WebServer
) -> None:
    signed_in = await open_page(OWNER)
    async with signed_in.http.ws_connect(base(server) + "/chat/socket",
                                         headers={"Origin": base(server)}) as socket:
        for hello in ({"type": "hello", "after": -1}, {"type": "hello", "after": "0"},
                      {"type": "say", "text": "menu"}):
            await socket.send_json(hello)
            answer = await socket.receive_json(timeout=30)
            assert answer["type"] == "error" and "did not understand" in answer["text"]
        await socket.send_json({"type": "hello", "after": 0})
        shown = await socket.receive_json(timeout=30)
    assert shown["type"] == "messages" and shown["reset"] is True
    assert [m["id"] for m in shown["messages"]] == [m.id for m in signed_in.transcript]
