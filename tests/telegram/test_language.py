"""Telegram's ``language_code`` is the engine's hint, through the real dispatcher; the
bot keeps it per user (``users.app_language``) for messages nobody asked for."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select

from flows.engine import Engine
from storage import models as m
from storage.identities import issue_link_code
from storage.sandbox import FreshDatabase
from testkit.telegram.harness import TelegramHarness, TelegramTestClient
from tests.usage.helpers import add


async def test_a_spanish_app_gets_the_bot_in_spanish(harness: TelegramHarness) -> None:
    client = harness.client(2001, language_code="es-ES")  # a region is no obstacle
    await client.link_as("owner@acme.example")
    menu = await client.send("menú")
    assert "¡Hola, Olivia!" in menu[-1].text
    assert "🛑 Cerrar la cuenta" in menu[-1].labels
    assert harness.errors == []


async def test_an_unlinked_spanish_chat_is_told_how_to_link_in_spanish(
    harness: TelegramHarness,
) -> None:
    client = harness.client(2002, language_code="es")
    replies = await client.send("hola")
    assert "Este chat aún no está vinculado" in replies[0].text
    assert "/start CÓDIGO" in replies[0].text
    share = replies[0].buttons[0][0]
    assert share.label == "📱 Compartir mi número de teléfono"


async def test_an_unsupported_language_falls_back_to_english(harness: TelegramHarness) -> None:
    client = harness.client(2003, language_code="fr")
    await client.link_as("viewer@acme.example")
    menu = await client.send("menu")
    assert "Hi Vera!" in menu[-1].text


async def test_the_stored_choice_wins_over_the_app(harness: TelegramHarness) -> None:
    client = harness.client(2004, language_code="es")
    await client.link_as("admin@acme.example")
    await client.send("idioma")
    chosen = await client.click("English")
    assert "From now on I will write in English." in chosen[-1].text
    assert "Hi Adam!" in (await client.send("menú"))[-1].text


# -- the app's language, kept for messages nobody asked for (both backends) -------------


@pytest.fixture
async def harness_any_db(db: FreshDatabase) -> AsyncIterator[TelegramHarness]:
    """The real dispatcher in process on each backend (the ``db`` fixture's)."""
    harness = TelegramHarness(Engine(db.stores), db.database)
    yield harness
    await harness.close()


async def link_with_code(client: TelegramTestClient, email: str) -> None:
    """Link as a user does: ``/start CODE``, sent from the client's app."""
    async with client.harness.database.transaction() as connection:
        code = await issue_link_code(connection, email, datetime.now(UTC), 60)
    await client.send(f"/start {code}")


async def languages(db: FreshDatabase, email: str) -> tuple[str | None, str | None]:
    """(chosen, the app's) as stored for the user with ``email``."""
    async with db.database.reading() as connection:
        row = (await connection.execute(
            select(m.User.language, m.User.app_language).where(m.User.email == email)
        )).one()
    return row.language, row.app_language


@contextmanager
def statements(db: FreshDatabase) -> Iterator[list[str]]:
    """Every SQL statement sent to ``db`` inside the block, on either engine."""
    seen: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    engines = {id(e.sync_engine): e.sync_engine
               for e in (db.database.engine, db.database.readers)}.values()
    for engine in engines:
        event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", remember)


def user_writes(seen: list[str]) -> list[str]:
    return [s for s in seen if s.upper().startswith("UPDATE USERS")]


async def test_a_spanish_app_gets_usage_alerts_in_spanish_without_choosing(
    db: FreshDatabase, harness_any_db: TelegramHarness
) -> None:
    client = harness_any_db.client(2101, language_code="es-ES")
    await link_with_code(client, "owner@acme.example")  # the linking turn keeps the app's
    assert await languages(db, "owner@acme.example") == (None, "es")
    assert (await add(db, "conversations", 800)).alert == 80
    [alert] = await client.notices()
    assert "⚠️ Aviso de consumo de Acme Trading Ltd: Conversations casi agotado" in alert.text
    assert "800 / 1.000 conversations (80 %)" in alert.text
    assert alert.labels == ["📊 Ver consumo"]
    assert harness_any_db.errors == []


async def test_a_chosen_english_wins_over_a_spanish_app_in_alerts(
    db: FreshDatabase, harness_any_db: TelegramHarness
) -> None:
    client = harness_any_db.client(2102, language_code="es")
    await link_with_code(client, "admin@acme.example")
    await client.send("idioma")
    await client.click("English")
    assert await languages(db, "admin@acme.example") == ("en", "es")
    await add(db, "conversations", 800)
    [alert] = await client.notices()
    assert "⚠️ Usage alert for Acme Trading Ltd: Conversations nearly used up" in alert.text


async def test_the_app_language_is_written_only_when_it_changes(
    db: FreshDatabase, harness_any_db: TelegramHarness
) -> None:
    spanish = harness_any_db.client(2103, language_code="es")
    await spanish.link_as("owner@acme.example")
    with statements(db) as first:
        await spanish.send("menú")
    assert len(user_writes(first)) == 1
    with statements(db) as steady:  # the app says what is stored: no statement more
        await spanish.send("menú")
    assert user_writes(steady) == []
    # The same turn as the first, less the write (and the savepoint it ran in).
    assert steady == [s for s in first if s not in user_writes(first) and "SAVEPOINT" not in s]
    assert await languages(db, "owner@acme.example") == (None, "es")

    french = harness_any_db.client(2104, language_code="fr")  # not a supported language
    await french.link_as("owner@acme.example")
    with statements(db) as unsupported:
        assert "Hi Olivia!" in (await french.send("menu"))[-1].text
    assert user_writes(unsupported) == []
    assert await languages(db, "owner@acme.example") == (None, "es")  # kept as it was

    english = harness_any_db.client(2105, language_code="en")  # the app changed
    await english.link_as("owner@acme.example")
    await english.send("menu")
    assert await languages(db, "owner@acme.example") == (None, "en")
