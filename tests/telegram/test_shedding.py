"""Load shedding: past MAX_IN_FLIGHT a worker answers at once instead of queueing.

The real stack (aiogram over HTTP, the local Bot API server, SQLite). Updates are made
slow by a gate the test holds on one chat: a middleware added after the product's own,
so each held update is in flight exactly as a slow turn would be (it holds its slot
and its chat's lock). Nothing in the product sleeps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiogram.types import Chat, TelegramObject
from aiohttp import ClientSession
from prometheus_client import REGISTRY

from bot.config import Settings
from bot.telegram.admission import Admission, EverySecond
from bot.telegram.middlewares.shedding import BUSY, BUSY_SHORT
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from testkit.botapi.server import SECRET_HEADER
from tests.telegram.stack import WEBHOOK_SECRET, LiveBot, Mode
from tests.telegram.test_load import echoes, link_directly

HELD = 9_300_001  # the chat whose updates the gate holds
OTHER = 9_300_002
PRESSER = 9_300_003


class Gate:
    """Holds every update of one chat until released (a stand-in for a slow turn)."""

    def __init__(self, chat_id: int) -> None:
        self.chat_id = chat_id
        self.open = asyncio.Event()

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        chat: Chat | None = data.get("event_chat")
        if chat is not None and chat.id == self.chat_id:
            await self.open.wait()
        return await handler(event, data)


def shed(answer: str) -> float:
    return REGISTRY.get_sample_value("bot_updates_shed_total", {"answer": answer}) or 0.0


async def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


@pytest.fixture
def bound() -> int:
    return 3


@pytest.fixture
async def small(botapi: BotApiServer, sqlite_db: FreshDatabase, mode: Mode, bound: int
                ) -> AsyncIterator[tuple[LiveBot, Gate]]:
    settings = Settings(database_url=sqlite_db.url, flood_limit_per_minute=1000,
                        max_in_flight=bound)
    live = LiveBot(botapi, sqlite_db, mode, settings)
    gate = Gate(HELD)
    live.dispatcher.update.outer_middleware(gate)  # after the product's middlewares
    await live.start()
    try:
        yield live, gate
    finally:
        gate.open.set()
        await live.stop()


def message(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text,
        "chat": {"id": chat_id, "type": "private", "first_name": "Busy"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Busy"}}}


@pytest.mark.parametrize("mode", ["webhook"])
async def test_webhook_answers_503_past_the_bound_and_handles_every_accepted_update(
        small: tuple[LiveBot, Gate], bound: int) -> None:
    live, gate = small
    assert live.webhook is not None
    live.telegram.private_chat(HELD)
    await link_directly(live, [HELD], "viewer@acme.example")
    before_503, before_busy = shed("http_503"), shed("busy_reply")
    updates = [message(100 + n, HELD, f"zz-{HELD}-{n}") for n in range(bound + 5)]

    async with ClientSession() as http:
        async def post(update: dict[str, Any]) -> tuple[int, str | None]:
            async with http.post(live.webhook.url, json=update,  # type: ignore[union-attr]
                                 headers={SECRET_HEADER: WEBHOOK_SECRET}) as response:
                return response.status, response.headers.get("Retry-After")

        answers = await asyncio.gather(*(post(u) for u in updates))

    accepted = [u["update_id"] for u, (status, _) in zip(updates, answers, strict=True)
                if status == 200]
    refused = [a for a in answers if a[0] != 200]
    assert len(accepted) == bound
    assert refused == [(503, "1")] * 5
    assert shed("http_503") - before_503 == 5
    assert live.dispatcher["admission"].in_flight == bound
    gate.open.set()
    await live.tracker.wait(accepted)
    # Every accepted update was handled by the engine; the refused never reached it.
    replied = {int(e.split("-")[2]) + 100 for e in echoes(live, HELD)}
    assert replied == set(accepted)
    assert live.tracker.done == set(accepted)
    # Each slot is given back as its task ends, just after the dispatcher is done.
    await until(lambda: live.dispatcher["admission"].in_flight == 0)
    assert shed("busy_reply") == before_busy  # counted once, by the webhook only


@pytest.mark.parametrize("mode", ["webhook"])
async def test_telegram_delivers_a_refused_update_again_and_nothing_is_lost(
        small: tuple[LiveBot, Gate], bound: int) -> None:
    live, gate = small
    await link_directly(live, [HELD], "viewer@acme.example")
    updates = [live.telegram.send_text(HELD, f"zz-{HELD}-{n}") for n in range(bound + 3)]
    # The server posts them one by one and posts a refused one again a moment later.
    await until(lambda: any(status == 503 for _, status in live.server.webhook_posts))
    gate.open.set()
    await live.act(*updates)
    assert echoes(live, HELD) == [f"zz-{HELD}-{n}" for n in range(bound + 3)]


@pytest.mark.parametrize("mode", ["polling"])
@pytest.mark.parametrize("bound", [2])
async def test_polling_answers_busy_past_the_bound_without_running_the_engine(
        small: tuple[LiveBot, Gate], bound: int, caplog: pytest.LogCaptureFixture) -> None:
    live, gate = small
    await link_directly(live, [HELD, OTHER, PRESSER], "viewer@acme.example")
    menu = (await live.send(PRESSER, "menu"))[-1]  # a menu to press while busy
    admission: Admission = live.dispatcher["admission"]
    before = shed("busy_reply")

    held = [live.telegram.send_text(HELD, f"zz-{HELD}-{n}") for n in range(bound)]
    await until(lambda: admission.in_flight == bound)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.middlewares.shedding"):
        others = [live.telegram.send_text(OTHER, f"zz-{OTHER}-{n}") for n in range(3)]
        press = live.telegram.press(PRESSER, menu.message_id, menu.buttons[0][0].data or "")
        await live.act(*others, press)

    # A message gets one short busy note (not one per message) and no engine reply.
    assert [m.text for m in live.chat(OTHER) if m.from_bot] == [BUSY]
    assert echoes(live, OTHER) == []
    # A press is acknowledged with a short text, so the button stops spinning.
    assert live.answers(PRESSER)[-1] == BUSY_SHORT
    assert shed("busy_reply") - before == 4
    assert len([r for r in caplog.records if "busy" in r.getMessage()]) == 1  # no log flood

    gate.open.set()  # the admitted ones were only waiting, and now run
    await live.act(*held)
    assert echoes(live, HELD) == [f"zz-{HELD}-{n}" for n in range(bound)]
    assert admission.in_flight == 0
    after = live.telegram.send_text(OTHER, f"zz-{OTHER}-9")  # room again: handled
    await live.act(after)
    assert echoes(live, OTHER) == [f"zz-{OTHER}-9"]


def test_admission_counts_slots_up_to_its_bound() -> None:
    admission = Admission(2)
    assert admission.try_enter() and admission.try_enter()
    assert not admission.try_enter() and admission.in_flight == 2
    admission.leave()
    assert admission.try_enter()
    with pytest.raises(ValueError, match="MAX_IN_FLIGHT"):
        Admission(0)


def test_repeated_warnings_are_one_line_a_second(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    log = logging.getLogger("tests.shedding")
    warn = EverySecond(log, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="tests.shedding"):
        for _ in range(100):
            warn.warning("busy: %d in flight", 256)
        now[0] = 1.0
        warn.warning("busy: %d in flight", 256)
    assert [r.getMessage() for r in caplog.records] == [
        "busy: 256 in flight",
        "busy: 256 in flight (and 99 more like it since the last line)",
    ]
