"""Proof that two worker processes on one PostgreSQL database act as one bot.

The bot runs as ``python -m bot telegram --webhook --workers 2`` against the local
Bot API server; the test posts Telegram's updates to the shared port itself, each
on a connection of its own, so the kernel spreads them over both workers.

- 20 owners each reach the last step of closing their account and press the final
  button three times at once: each account is closed once, with one audit entry,
  the other two presses are told the account is closed, and nobody is told that
  something went wrong.
- Two people save the same field at the same moment: one is saved, the other is
  told that someone else saved meanwhile.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.telegram.chat import CHANNEL
from flows.engine import SORRY
from storage import models as m
from storage.demo import seed_accounts
from storage.demo_data import ACCOUNTS
from storage.identities import ensure_identity
from storage.sandbox import FreshDatabase
from testkit.botapi import BotApiServer
from testkit.botprocess import BotProcess
from testkit.telegram.emulator import FakeTelegram

pytestmark = pytest.mark.xdist_group("service")

ROUNDS = 20
FIRST_CHAT = 8_100_000
PRESSES = 3
REPLY_SECONDS = 20
SERVICE_ENV = {"FLOOD_LIMIT_PER_MINUTE": "100000"}


def proof_owner(n: int) -> str:
    return f"owner{n}@proof.example"


def proof_account(n: int) -> str:
    return f"Proof {n} Trading Ltd"


@pytest.fixture
async def pg(postgres_db: FreshDatabase) -> FreshDatabase:
    """The PostgreSQL demo database with ROUNDS more accounts, each owner's chat linked."""
    db = postgres_db
    acme = ACCOUNTS[0]
    users = [(proof_owner(n), f"Owner {n}", "+442079460123") for n in range(ROUNDS)]
    accounts = [
        dict(acme, name=proof_account(n), members=[(proof_owner(n), "owner")])
        for n in range(ROUNDS)
    ]
    async with db.database.transaction() as connection:
        await seed_accounts(connection, users, accounts, datetime.now(UTC).date())
        for n in range(ROUNDS):
            await ensure_identity(connection, CHANNEL, str(FIRST_CHAT + n), proof_owner(n))
    return db


class Customers:
    """People in Telegram chats, their updates posted to the service by the test."""

    def __init__(self, bot: BotProcess, telegram: FakeTelegram) -> None:
        self.bot = bot
        self.telegram = telegram
        self.pids: set[int] = set()  # the workers that answered

    async def post(self, update: dict[str, Any]) -> int:
        status, pid = await self.bot.post(update)
        if pid is not None:
            self.pids.add(pid)
        return status

    async def say(self, chat_id: int, text: str, *, until: str) -> None:
        assert await self.post(self.telegram.send_text(chat_id, text, queue=False)) == 200
        await self.shows(chat_id, until)

    async def press(self, chat_id: int, label: str, *, until: str) -> None:
        update = self.telegram.press_button(chat_id, label, queue=False)
        assert await self.post(update) == 200
        await self.shows(chat_id, until)

    async def shows(self, chat_id: int, text: str) -> None:
        """Until the chat's newest bot message (text or a button) contains ``text``."""
        await self.until(lambda: text.casefold() in self.newest(chat_id).casefold(),
                         f"chat {chat_id} never showed {text!r}")

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        try:
            async with asyncio.timeout(REPLY_SECONDS):
                while not condition():
                    await asyncio.sleep(0.01)
        except TimeoutError:
            raise AssertionError(f"{what}:\n{self.bot.output}") from None

    def newest(self, chat_id: int) -> str:
        for message in reversed(self.telegram.chats[chat_id].visible()):
            if message.from_bot:
                labels = " ".join(b.label for row in message.buttons for b in row)
                return f"{message.text or ''} {labels}"
        return ""

    def texts(self, chat_id: int) -> list[str]:
        """Every text the bot showed in the chat (sent or edited in), in order."""
        return [event.message.text or "" for event in self.telegram.chats[chat_id].events
                if event.kind in {"sent", "edited"} and event.message is not None
                and event.message.from_bot]

    def answered(self, chat_id: int, presses: list[dict[str, Any]]) -> bool:
        """Whether every one of ``presses`` was answered (the button stopped spinning)."""
        asked = {press["callback_query"]["id"] for press in presses}
        done = {event.answer.query_id for event in self.telegram.chats[chat_id].events
                if event.kind == "answered" and event.answer is not None}
        return asked <= done


@pytest.fixture
async def customers(pg: FreshDatabase) -> AsyncIterator[Customers]:
    async with BotApiServer(token="123456:TEST-TOKEN") as server:
        async with BotProcess.webhook(server, pg.url, workers=2, env=SERVICE_ENV) as bot:
            await bot.serving()
            yield Customers(bot, server.telegram)
            bot.signal(signal.SIGTERM)
            assert await bot.wait() == 0, bot.output
        assert "Traceback" not in bot.output, bot.output


async def walk_to_final_button(customers: Customers, chat_id: int, account: str) -> None:
    await customers.say(chat_id, "/start", until="Close account")
    await customers.press(chat_id, "Close account", until="Continue to close")
    await customers.press(chat_id, "Continue to close", until="type the account name")
    await customers.say(chat_id, account, until="permanently")


async def test_a_triple_press_on_two_workers_closes_once(
    customers: Customers, pg: FreshDatabase
) -> None:
    telegram = customers.telegram
    for n in range(ROUNDS):
        chat_id = FIRST_CHAT + n
        await walk_to_final_button(customers, chat_id, proof_account(n))
        presses = [telegram.press_button(chat_id, "permanently", queue=False)
                   for _ in range(PRESSES)]
        statuses = await asyncio.gather(*(customers.post(update) for update in presses))
        assert statuses == [200] * PRESSES
        await customers.until(lambda chat_id=chat_id, presses=presses:
                              customers.answered(chat_id, presses),
                              f"not every press in chat {chat_id} was answered")
        texts = customers.texts(chat_id)
        assert sum("is now closed" in text for text in texts) == 1, texts
        # The later presses are told the account is closed (the same notice twice may
        # leave the message as it was: Telegram does not edit a message into itself).
        assert any("was closed on" in text for text in texts), texts
        assert not [text for text in texts if SORRY in text]

    async with pg.database.reading() as connection:
        for n in range(ROUNDS):
            account = (await connection.execute(
                select(m.Account).where(m.Account.name == proof_account(n))
            )).one()
            assert account.status == "closed"
            closures = await connection.scalar(
                select(func.count()).select_from(m.AuditEntry).where(
                    m.AuditEntry.account_id == account.id,
                    m.AuditEntry.action == "account.closed",
                )
            )
            assert closures == 1
    assert len(customers.pids) == 2, customers.pids  # both workers took posts


async def test_two_people_saving_one_field_at_once(
    customers: Customers, pg: FreshDatabase
) -> None:
    owner, admin = FIRST_CHAT + 100, FIRST_CHAT + 101
    async with pg.database.transaction() as connection:
        await ensure_identity(connection, CHANNEL, str(owner), "owner@acme.example")
        await ensure_identity(connection, CHANNEL, str(admin), "admin@acme.example")
    for chat_id, name in ((owner, "Olivia O'Brien"), (admin, "Adam Admin")):
        await customers.say(chat_id, "/start", until="Edit details")
        await customers.press(chat_id, "Edit details", until="Which detail")
        await customers.press(chat_id, "Contact person", until="Please type the new value")
        await customers.say(chat_id, name, until="Please review your changes")
    saves = [customers.telegram.press_button(chat_id, "Save", queue=False)
             for chat_id in (owner, admin)]
    assert await asyncio.gather(*(customers.post(update) for update in saves)) == [200, 200]

    def outcomes() -> tuple[list[int], list[int]]:
        saved = [chat for chat in (owner, admin)
                 if any("✅ Saved." in t for t in customers.texts(chat))]
        told = [chat for chat in (owner, admin)
                if any("Someone else saved changes" in t for t in customers.texts(chat))]
        return saved, told

    await customers.until(lambda: sum(map(len, outcomes())) >= 2, "a save was not answered")
    saved, told = outcomes()
    assert len(saved) == len(told) == 1 and saved != told, [customers.texts(c) for c in saved]
