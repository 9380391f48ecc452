"""A turn speaks the user's language: their stored choice, else the channel's hint, else
English; through the real engine on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from flows.engine import Engine
from flows.i18n import use_language
from flows.ports import Money
from flows.types import Inbound, Reply
from flows.wording import day, money, when
from storage.models import User
from storage.sandbox import FreshDatabase
from tests.flows.talk import Talk, make_engine


class SpanishTalk(Talk):
    """A chat whose channel hints ``language`` (Telegram's language_code, ``--language``)."""

    language: str | None = "es-ES"

    async def say(self, text: str) -> list[Reply]:
        inbound = Inbound.typed(self.key, text, language=self.language)
        return self._seen(await self.engine.handle(inbound))

    async def press(self, label: str) -> list[Reply]:
        inbound = Inbound.pressed(self.key, self.token(label), language=self.language)
        return self._seen(await self.engine.handle(inbound))


async def open_talk(engine: Engine, db: FreshDatabase, email: str) -> SpanishTalk:
    talk = await Talk.open(engine, db, email)
    return SpanishTalk(engine, talk.key)


async def stored_language(db: FreshDatabase, email: str) -> str | None:
    async with db.database.reading() as connection:
        return await connection.scalar(select(User.language).where(User.email == email))


async def test_a_spanish_hint_answers_in_spanish(db: FreshDatabase) -> None:
    talk = await open_talk(make_engine(db), db, "owner@acme.example")
    await talk.say("menú")
    assert "¡Hola, Olivia! Está gestionando Acme Trading Ltd como titular." in talk.text
    assert "🌐 Language / Idioma" in talk.labels and "❓ Ayuda" in talk.labels
    await talk.say("ayuda")
    assert "• cancelar: detener lo que está haciendo" in talk.text


async def test_no_hint_and_no_choice_is_english(db: FreshDatabase) -> None:
    talk = await open_talk(make_engine(db), db, "owner@acme.example")
    talk.language = None
    await talk.say("menu")
    assert "Hi Olivia! You're managing Acme Trading Ltd as owner." in talk.text


async def test_choosing_a_language_answers_in_it_and_wins_over_the_hint(
    db: FreshDatabase,
) -> None:
    engine = make_engine(db)
    talk = await open_talk(engine, db, "admin@acme.example")
    await talk.say("idioma")
    assert "Le escribo en español, según la configuración de su aplicación." in talk.text
    assert talk.labels == ["English", "Español", "🏠 Menú"]
    await talk.press("English")  # the reply comes in the new language at once
    assert "From now on I will write in English." in talk.text
    assert "Acme Trading Ltd: main menu" in talk.text
    assert await stored_language(db, "admin@acme.example") == "en"
    await talk.say("menú")  # the app still says Spanish; the stored choice wins
    assert "Hi Adam!" in talk.text

    talk.language = None  # another channel, no hint: still the stored choice
    await talk.say("language")
    await talk.press("Español")
    assert "✅ A partir de ahora le escribiré en español." in talk.text
    assert await stored_language(db, "admin@acme.example") == "es"
    await talk.say("menu")
    assert "¡Hola, Adam!" in talk.text


async def test_spanish_keywords_work_with_or_without_accents(db: FreshDatabase) -> None:
    talk = await open_talk(make_engine(db), db, "owner@acme.example")
    await talk.say("menú")
    await talk.press("Cerrar la cuenta")
    assert "⚠️ El cierre de Acme Trading Ltd es definitivo." in talk.text
    await talk.press("Continuar con el cierre")
    await talk.say("atras")
    assert "¿Desea continuar?" in talk.text
    await talk.press("Continuar con el cierre")
    await talk.say("ATRÁS")
    assert "¿Desea continuar?" in talk.text
    await talk.say("cancelar")
    assert "Cancelado. No se ha cambiado nada." in talk.text


async def test_a_refusal_and_a_validation_error_in_spanish(db: FreshDatabase) -> None:
    viewer = await open_talk(make_engine(db), db, "viewer@acme.example")
    await viewer.say("change my email")  # typed in English, answered in Spanish
    assert "solo el titular de la cuenta o un administrador pueden modificar" in viewer.text
    assert "Olivia Owner puede hacerlo, o puede hacerle administrador." in viewer.text
    assert "Su rol en Acme Trading Ltd es lector." in viewer.text

    admin = await open_talk(make_engine(db), db, "admin@acme.example")
    await admin.say("menu")
    await admin.press("Editar datos")
    await admin.press("País")
    await admin.say("Alemania")  # a country named in Spanish is understood
    assert "País: United States (US) → Alemania (DE)" in admin.text or "→ Alemania (DE)" in (
        admin.text
    )
    await admin.press("Cambiar otro dato")
    await admin.press("Zona horaria")
    await admin.say("Europe/Lodnon")
    assert "no es una zona horaria que conozca" in admin.text
    assert "¿Quiso decir Europe/London" in admin.text


def test_money_numbers_and_dates_follow_the_language() -> None:
    from datetime import UTC, date, datetime
    from decimal import Decimal

    amount = Money(Decimal("1125.40"), "USD")
    moment = datetime(2026, 3, 5, 14, 5, tzinfo=UTC)
    with use_language("es"):
        assert money(amount) == "1.125,40 USD"
        assert day(date(2026, 3, 5)) == "05 mar 2026"
        assert when(moment) == "05 mar 2026 a las 14:05 UTC"
    with use_language("en"):
        assert money(amount) == "1,125.40 USD"
        assert when(moment) == "05 Mar 2026 at 14:05 UTC"
