"""The language machinery itself: hints, the per-turn language, folding, the recorder."""

from __future__ import annotations

import pytest

from bot.scripts.recorder import Recorder
from flows.i18n import _, current_language, fold, language_of, ngettext, use_language


@pytest.mark.parametrize(
    ("hint", "language"),
    [("es", "es"), ("es-ES", "es"), ("es_MX", "es"), ("ES", "es"), ("es-419", "es"),
     ("en-GB", "en"), ("fr", None), ("", None), (None, None)],
)
def test_a_channel_hint_names_a_supported_language(
    hint: str | None, language: str | None
) -> None:
    assert language_of(hint) == language


def test_the_language_is_per_block_and_english_outside() -> None:
    assert current_language() == "en"
    with use_language("es-ES"):
        assert _("Nothing was changed.") == "No se ha cambiado nada."
        assert ngettext("{count} minute", "{count} minutes", 2) == "{count} minutos"
        with use_language("fr"):  # unsupported: English
            assert _("Nothing was changed.") == "Nothing was changed."
        assert current_language() == "es"
    assert current_language() == "en"
    assert _("Nothing was changed.") == "Nothing was changed."


def test_typed_words_are_folded_without_accents() -> None:
    assert fold("Menú") == fold("MENU") == "menu"
    assert fold("Atrás") == "atras"


def test_a_recorded_spanish_chat_says_so() -> None:
    script = Recorder("owner@acme.example", language="es").script("Grabado")
    assert "language: es\n" in script
