"""The Spanish catalogue has every string the bot says, translated, and nothing else.

Strings are extracted from ``flows/`` and ``bot/`` with Babel's own extractor (what
``make messages`` runs), so a string wrapped in ``_()``, ``N_()`` or ``ngettext()``
anywhere fails here, by file and line, until it is in ``messages.po`` and translated.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from flows.i18n import LANGUAGES, LOCALES

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
PLACEHOLDER = re.compile(r"\{(\w*)\}")
FIX = "run `make messages`, then translate them in flows/locales/{language}/LC_MESSAGES/messages.po"


@cache
def extracted() -> dict[str, list[str]]:
    """Every msgid the code uses (a plural by its singular), with where it is used."""
    found: dict[str, list[str]] = {}
    for folder in ("flows", "bot"):
        for filename, line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            msgid = message if isinstance(message, str) else message[0]
            if msgid:
                found.setdefault(msgid, []).append(f"{folder}/{filename}:{line}")
    return found


def catalogue(language: str) -> Catalog:
    path = LOCALES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as source:
        return read_po(source, locale=language)


def translations(message: Message) -> list[str]:
    string = message.string
    return [string] if isinstance(string, str) else [str(s) for s in string]


def foreign_languages() -> list[str]:
    return [code for code in LANGUAGES if code != "en"]


def test_the_code_has_strings_to_translate() -> None:
    # Guards the extraction itself: a broken mapping would find nothing and pass below.
    assert "Nothing was changed." in extracted()
    assert "🛑 Close account" in extracted()  # N_() on a class attribute


def test_every_string_is_in_each_catalogue_and_translated() -> None:
    for language in foreign_languages():
        messages = catalogue(language)
        missing = []
        for msgid, places in sorted(extracted().items()):
            message = messages.get(msgid)
            if message is None:
                missing.append(f"{places[0]}: not in the catalogue: {msgid!r}")
            elif message.fuzzy or not all(translations(message)):
                missing.append(f"{places[0]}: not translated (or fuzzy): {msgid!r}")
        assert not missing, (
            f"{len(missing)} strings missing from the {language} catalogue; "
            + FIX.format(language=language) + ":\n" + "\n".join(missing)
        )


def test_no_catalogue_keeps_a_string_the_code_no_longer_says() -> None:
    for language in foreign_languages():
        stale = [m.id for m in catalogue(language) if m.id and _singular(m) not in extracted()]
        fix = FIX.format(language=language)
        assert not stale, f"stale entries in the {language} catalogue ({fix}):\n" + "\n".join(
            map(repr, stale)
        )


def test_translations_keep_every_placeholder() -> None:
    # "{account}" missing (or misspelt) in a translation would raise KeyError in .format().
    for language in foreign_languages():
        wrong = []
        for message in catalogue(language):
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            wanted = set().union(*(set(PLACEHOLDER.findall(i)) for i in ids))
            for text in translations(message):
                if text and set(PLACEHOLDER.findall(text)) != wanted:
                    wrong.append(f"{message.id!r} -> {text!r}")
        assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def _singular(message: Message) -> str:
    return message.id if isinstance(message.id, str) else str(message.id[0])
