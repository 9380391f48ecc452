"""Replies to Telegram messages: splitting, keyboards, callback data within 64 bytes."""

from __future__ import annotations

import pytest
from aiogram.filters.callback_data import MAX_CALLBACK_LENGTH
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.telegram.callbacks import MenuButton, pack_token
from bot.telegram.limits import MAX_CALLBACK_DATA, MAX_TEXT, utf16_length
from bot.telegram.rendering import HOW_TO_LINK, plan, split_text
from flows.fields import FIELDS
from flows.types import Choice, Reply, ReplyKind

TOKEN = "Ab3_x-9Z"  # the engine's menu tokens are 8 URL-safe characters


def test_short_text_is_one_part() -> None:
    assert split_text("hello") == ["hello"]


def test_long_text_splits_at_lines_under_the_limit() -> None:
    text = "\n".join(f"line {n} " + "é" * 50 for n in range(400))
    parts = split_text(text)
    assert len(parts) > 1
    assert all(utf16_length(part) <= MAX_TEXT for part in parts)
    assert "\n".join(parts) == text  # nothing lost, cut only at line breaks


def test_emoji_count_double_and_huge_lines_are_cut() -> None:
    parts = split_text("😀" * 3000)  # 6,000 UTF-16 units on one line
    assert [utf16_length(p) for p in parts] == [4096, 1904]
    assert "".join(parts) == "😀" * 3000


def test_keyboard_goes_on_the_last_part_and_results_are_kept() -> None:
    long = Reply(text="x\n" * 3000, choices=[Choice("Menu", f"{TOKEN}:menu")])
    out = plan([long, Reply(text="✅ Saved", keep=True)])
    assert [o.markup is not None for o in out] == [False, True, False]
    assert not out[1].navigates  # a split screen cannot replace one message
    assert out[2].keep and not out[2].navigates


def test_image_first_then_text_and_contact_requests() -> None:
    out = plan([Reply(text="usage", image=b"png", choices=[Choice("Menu", f"{TOKEN}:menu")])])
    assert out[0].photo == b"png" and out[1].text == "usage" and not out[1].navigates
    contact = plan([Reply(text="not linked", kind=ReplyKind.UNLINKED)])[0]
    assert contact.text == HOW_TO_LINK  # Telegram's own words: /start CODE, or share
    assert isinstance(contact.markup, ReplyKeyboardMarkup)
    assert contact.markup.keyboard[0][0].request_contact


def test_long_menus_pair_short_labels() -> None:
    choices = [Choice(f"Option {n}", f"{TOKEN}:pick.{n}") for n in range(8)]
    markup = plan([Reply(text="pick", choices=choices)])[0].markup
    assert isinstance(markup, InlineKeyboardMarkup)
    assert [len(row) for row in markup.inline_keyboard] == [2, 2, 2, 2]


@pytest.mark.parametrize("action", [f"pick.{f.name}" for f in FIELDS] + ["start.details",
                                                                        "discard", "confirm"])
def test_every_engine_action_fits_in_callback_data(action: str) -> None:
    data = pack_token(f"{TOKEN}:{action}")
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    assert MenuButton.unpack(data).token == f"{TOKEN}:{action}"


def test_an_action_too_long_for_telegram_is_refused_early() -> None:
    with pytest.raises(ValueError):
        pack_token(f"{TOKEN}:" + "a" * 60)


def test_pack_token_refuses_exactly_what_aiogram_would() -> None:
    # pack_token skips pydantic for speed; it keeps to the limit MenuButton.pack() keeps to.
    assert MAX_CALLBACK_DATA == MAX_CALLBACK_LENGTH
    room = MAX_CALLBACK_DATA - len(f"m:{TOKEN}:")
    fits = "a" * room
    assert pack_token(f"{TOKEN}:{fits}") == MenuButton(menu=TOKEN, action=fits).pack()
    with pytest.raises(ValueError):
        pack_token(f"{TOKEN}:{fits}a")
    with pytest.raises(ValueError):
        MenuButton(menu=TOKEN, action=fits + "a").pack()
