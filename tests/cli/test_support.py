"""``python -m bot support list|show|reply|close`` as operators run it (``bot.__main__``),
on a demo database where a customer has asked for a person."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.__main__ import main
from bot.config import get_settings
from storage import models as m
from storage.sandbox import FreshDatabase
from storage.ticket_queries import open_tickets
from tests.storage.test_tickets import outbox, talk


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


async def cli(monkeypatch: pytest.MonkeyPatch, db: FreshDatabase, *argv: str) -> int:
    monkeypatch.setenv("DATABASE_URL", db.url)
    get_settings.cache_clear()
    return await asyncio.to_thread(main, list(argv))  # its own event loop, as from a shell


async def test_list_show_reply_close(
    db: FreshDatabase, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await talk(db, "agent", "my invoice is wrong")
    async with db.database.reading() as connection:
        [ticket] = await open_tickets(connection)
    ref = ticket.reference

    assert await cli(monkeypatch, db, "support", "list") == 0
    listed = capsys.readouterr().out
    assert ref in listed and "Acme Trading Ltd" in listed and "my invoice is wrong" in listed
    assert await cli(monkeypatch, db, "support", "show", ref) == 0
    shown = capsys.readouterr().out
    assert f"{ref} · Acme Trading Ltd · Olivia Owner" in shown
    assert "Who: Olivia Owner <owner@acme.example>, owner" in shown
    assert "my invoice is wrong" in shown

    assert await cli(monkeypatch, db, "support", "reply", ref, "Hello,", "this is Sam",
                     "--as", "Sam") == 0
    assert f"Sent to Olivia Owner ({ref})" in capsys.readouterr().out
    assert ("terminal", "owner@acme.example", "💬 Sam: Hello, this is Sam") in await outbox(db)
    assert await cli(monkeypatch, db, "support", "close", ref) == 0
    assert "talking to the bot again" in capsys.readouterr().out
    assert await cli(monkeypatch, db, "support", "list") == 0
    assert capsys.readouterr().out == "No open tickets.\n"


async def test_unknown_or_closed_reference_is_bad_input(
    db: FreshDatabase, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await cli(monkeypatch, db, "support", "show", "T-0000") == 2
    assert capsys.readouterr().err == "There is no ticket T-0000.\n"
    await talk(db, "agent", "end chat")
    async with db.database.reading() as connection:
        assert await open_tickets(connection) == []
    async with db.database.reading() as connection:
        ref = (await connection.scalars(select(m.Ticket.reference))).one()
    assert await cli(monkeypatch, db, "support", "reply", ref, "hello?") == 2
    assert "is closed; the customer was not sent anything" in capsys.readouterr().err
    assert await cli(monkeypatch, db, "support", "close", ref) == 2
