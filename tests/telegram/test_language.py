"""Telegram's ``language_code`` is the engine's hint, through the real dispatcher."""

from __future__ import annotations

from testkit.telegram.harness import TelegramHarness


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
