"""Translation of what the bot says: the one place user-facing text is looked up.

Every user-facing string is written in English inside ``_()`` (translated where it is
used) or ``N_()`` (marked for the catalogue, translated later with ``_()``, for
labels kept in class attributes and tables). ``pybabel extract`` finds both
(``make messages``).

The language is per turn: a context variable that the engine sets for the turn
(:func:`use_language`), from the user's stored choice, else the channel's hint
(Telegram's ``language_code``, ``--language``, a script's ``language:``), else
English. Channels wording their own text outside a turn use :func:`use_language`
too. English is the source language: it needs no catalogue.

Catalogues are the ``.po`` files under ``flows/locales``, read once per process with
Babel's public API (``read_po``, then ``write_mo`` into memory for
``babel.support.Translations``). Reading the ``.po`` at run time, rather than
compiling ``.mo`` files at install, means there is no build step to forget and no
binary in the repository: what the missing-string test checks is exactly what the
bot says. It costs a few milliseconds once per process.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALES",
    "N_",
    "_",
    "current_language",
    "current_locale",
    "fold",
    "language_of",
    "ngettext",
    "switch_language",
    "use_language",
]

DEFAULT_LANGUAGE = "en"
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
"""Supported languages and their names, each in its own language (for the chooser)."""
LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def _(message: str) -> str:
    """``message`` in the language of the current turn."""
    return _translations(_language.get()).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count``, in the language of the current turn."""
    return _translations(_language.get()).ngettext(singular, plural, count)


def current_language() -> str:
    """The language code of the current turn (``en`` outside any)."""
    return _language.get()


def current_locale() -> Locale:
    """The Babel locale of the current turn, for formatting numbers, money and dates."""
    return _locale(_language.get())


def language_of(hint: str | None) -> str | None:
    """A supported language for a channel's hint (``es-ES``, ``es_MX``, ``ES``), or None."""
    if not hint:
        return None
    code = hint.strip().replace("_", "-").split("-")[0].casefold()
    return code if code in LANGUAGES else None


@contextmanager
def use_language(code: str | None) -> Iterator[str]:
    """Speak ``code`` (a hint; unsupported or None: English) inside the block."""
    language = language_of(code) or DEFAULT_LANGUAGE
    token = _language.set(language)
    try:
        yield language
    finally:
        _language.reset(token)


def switch_language(code: str) -> None:
    """Speak ``code`` from now on in this turn (the user just chose it); the enclosing
    :func:`use_language` block still restores what was there before it."""
    _language.set(language_of(code) or DEFAULT_LANGUAGE)


def fold(text: str) -> str:
    """``text`` lower-cased without accents: "Menú" and "menu" read the same."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _translations(language: str) -> NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()  # English is the source: the msgid is the text
    return load_catalogue(language)


def load_catalogue(language: str) -> Translations:
    """The catalogue of ``language`` from its ``.po`` file (fuzzy entries left out)."""
    path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # in memory: gettext's own reader then does the lookups
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)
