"""The choice-token codec: ``<menu token>:<action>``, written and read in one place."""

from __future__ import annotations

import pytest

from flows.tokens import SEPARATOR, ChoiceToken, decode, encode, new_menu_token


@pytest.mark.parametrize("action", ["start.edit", "pick.contact_email", "confirm", "help"])
def test_a_token_decodes_to_what_was_encoded(action: str) -> None:
    menu = new_menu_token()
    assert decode(encode(menu, action)) == ChoiceToken(menu=menu, action=action)
    assert str(ChoiceToken(menu, action)) == encode(menu, action)


def test_only_the_first_separator_splits() -> None:
    assert decode("Ab3_x-9Z:odd:action") == ChoiceToken("Ab3_x-9Z", "odd:action")


@pytest.mark.parametrize("token", ["", ":", "nonsense", "menu:", ":start.close", "☃"])
def test_what_is_not_a_token_decodes_to_none(token: str) -> None:
    assert decode(token) is None


def test_menu_tokens_are_short_url_safe_and_never_hold_the_separator() -> None:
    tokens = {new_menu_token() for _ in range(2000)}
    assert len(tokens) == 2000  # fresh every time
    for token in tokens:
        assert len(token) == 8 and SEPARATOR not in token
        assert all(c.isascii() and (c.isalnum() or c in "-_") for c in token)
