"""A button press whose acknowledgement fails still delivers its result (issue 7, part 3).

answerCallbackQuery only stops the button's spinner. Telegram refuses it for presses
older than about 15 s ("query is too old", e.g. a backlog after a restart), and it can
meet flood control, a server or proxy error, or the network like any call. Here the
owner presses the final close button, the acknowledgement fails in each of those ways,
and the chat must still show the closure reference and what was forfeited: in process
for every failure, and over real HTTP (polling and webhook) for a few.
"""

from __future__ import annotations

import logging

import pytest
from aiohttp import ClientSession

from bot.telegram import acknowledge
from bot.telegram.handlers.errors import NOTHING_CHANGED, SHOWING_FAILED
from storage.sandbox import FreshDatabase
from testkit.telegram.emulator import ApiError, NoAnswer, ProxyPage, ShownMessage
from testkit.telegram.emulator.errors import QUERY_INVALID, bad_request, too_many_requests
from testkit.telegram.emulator.faults import Failure
from testkit.telegram.harness import TelegramHarness, TelegramTestClient
from tests.storage.helpers import account_id, account_row, audit_rows
from tests.telegram.stack import LiveBot

CHAT = 7_770_001
ACK = "answerCallbackQuery"

FAILURES: dict[str, Failure] = {
    "query too old (400)": bad_request(QUERY_INVALID),
    "flood control (429)": too_many_requests(7),
    "server error (500)": ApiError(500, "Internal Server Error"),
    "bad gateway (502, JSON)": ApiError(502, "Bad Gateway"),
    "proxy error page (502, HTML)": ProxyPage(502),
    "connection refused": NoAnswer("refused"),
    "connection reset": NoAnswer("reset"),
    "timeout": NoAnswer("timeout"),
}


async def _to_the_final_button(client: TelegramTestClient) -> None:
    await client.link_as("owner@acme.example")
    await client.send("menu")
    await client.click("Close account")
    await client.click("Continue to close")
    await client.send("Acme Trading Ltd")


def _assert_closure_shown(replies: list[ShownMessage]) -> None:
    shown = "\n".join(m.text for m in replies)
    assert "Acme Trading Ltd is now closed" in shown
    assert "Closure reference: CL-" in shown
    assert "Forfeited prepaid balance: 125.40 USD" in shown
    assert NOTHING_CHANGED not in shown and SHOWING_FAILED not in shown


async def _assert_closed_once(db: FreshDatabase) -> None:
    acme = await account_id(db, "Acme Trading Ltd")
    assert (await account_row(db, acme)).status == "closed"
    assert len(await audit_rows(db, "account.closed")) == 1


def _ack_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == acknowledge.__name__]


@pytest.mark.parametrize("failure", FAILURES.values(), ids=FAILURES.keys())
async def test_a_failed_acknowledgement_still_delivers_the_closure(
    harness: TelegramHarness, sqlite_db: FreshDatabase, caplog: pytest.LogCaptureFixture,
    failure: Failure,
) -> None:
    client = harness.client(CHAT)
    await _to_the_final_button(client)
    harness.telegram.fail(ACK, failure)
    start = len(harness.telegram.calls)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        replies = await client.click("permanently")

    assert harness.telegram.faults.met == [(ACK, failure)]  # the acknowledgement did fail
    _assert_closure_shown(replies)
    await _assert_closed_once(sqlite_db)
    assert harness.errors == []  # nothing reached the error handler
    # One attempt: a 429 is not waited out (the press would be too old by then) and the
    # error handler does not try again.
    assert [name for name, _ in harness.telegram.calls[start:]].count(ACK) == 1
    warnings = _ack_warnings(caplog)
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "\n" not in warnings[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)  # no traceback anywhere
    after = await client.send("menu")  # the chat carries on
    assert "was closed" in after[0].text


async def test_other_acknowledgements_fail_quietly_too(
    harness: TelegramHarness, caplog: pytest.LogCaptureFixture
) -> None:
    client = harness.client(CHAT)
    await client.link_as("viewer@acme.example")
    menu = (await client.send("menu"))[-1]
    harness.telegram.fail(ACK, bad_request(QUERY_INVALID), times=None)
    caplog.clear()
    assert await client.press(menu.message_id, "forged") == []  # a toast only: nothing to say
    details = await client.click("Account details")
    assert "Acme Trading Ltd" in details[0].text
    assert harness.errors == [] and len(_ack_warnings(caplog)) == 2
    assert not any(NOTHING_CHANGED in m.text for m in client.bot_messages)


async def test_a_failure_after_the_closure_never_says_nothing_changed(
    harness: TelegramHarness, sqlite_db: FreshDatabase
) -> None:
    client = harness.client(CHAT)
    await _to_the_final_button(client)
    harness.telegram.fail("sendMessage", ApiError(500, "Internal Server Error"))
    start = len(harness.telegram.calls)
    replies = await client.click("permanently")
    assert [m.text for m in replies] == [SHOWING_FAILED]  # honest: it was done
    await _assert_closed_once(sqlite_db)
    # Answered once, before the failure; the error handler does not answer it again.
    assert [name for name, _ in harness.telegram.calls[start:]].count(ACK) == 1
    assert "was closed" in (await client.send("menu"))[0].text


async def test_a_press_that_fails_before_anything_is_stored_is_answered_once(
    harness: TelegramHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = harness.client(CHAT)
    await client.link_as("owner@acme.example")
    await client.send("menu")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(harness.dispatcher["engine"], "handle", broken)
    replies = await client.click("Account details")
    assert [m.text for m in replies] == [NOTHING_CHANGED]
    assert len(client.answers) == 1  # the error handler answered the press


# -- over real HTTP ------------------------------------------------------------------------
LIVE_FAULTS = {
    "query too old": {"code": "400", "description": QUERY_INVALID},
    "connection reset": {"network": "reset"},
    "timeout": {"network": "timeout", "hold": "1.0"},
}


@pytest.mark.parametrize("fault", LIVE_FAULTS.values(), ids=LIVE_FAULTS.keys())
async def test_over_http_a_failed_acknowledgement_still_delivers_the_closure(
    live: LiveBot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
    fault: dict[str, str],
) -> None:
    # The server holds a "timeout" call 1 s, then drops it: the bot must give up sooner.
    monkeypatch.setattr(acknowledge, "ACK_TIMEOUT", 0.5)
    await live.link(CHAT, "owner@acme.example")
    await live.click(CHAT, "Close account")
    await live.click(CHAT, "Continue to close")
    await live.send(CHAT, "Acme Trading Ltd")
    async with ClientSession() as http, http.post(
        f"{live.server.url}/_emulator/fail", data={"method": ACK, **fault}
    ) as response:
        assert response.status == 200  # set through the control API, as by hand
    caplog.clear()
    with caplog.at_level(logging.INFO):
        replies = await live.click(CHAT, "permanently")

    assert [m for m, _ in live.telegram.faults.met] == [ACK]
    _assert_closure_shown(replies)
    await _assert_closed_once(live.db)
    warnings = _ack_warnings(caplog)
    assert len(warnings) == 1 and "\n" not in warnings[0].getMessage()
    if fault.get("network") == "timeout":
        assert "Request timeout error" in warnings[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)
