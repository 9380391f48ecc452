"""The script format: what the parser reads, and how text, buttons and durations match."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.scripts.channels import ScriptReply
from bot.scripts.durations import parse_duration
from bot.scripts.expectations import NoSuchButton, check_replies, find_button, fold
from bot.scripts.library import find_files
from bot.scripts.model import ScriptMistake, Where
from bot.scripts.parser import load_file
from tests.scripts.helpers import write

GUIDE_EXAMPLE = """
name: Viewer cannot close the account
as: viewer@acme.example          # the demo user who talks
channel: telegram                # telegram (default) | terminal
steps:
  - say: /start                  # the user types this
    expect:                      # replies to this step, in order; each item matches one reply
      - text: Acme Trading Ltd   # case-insensitive substring of the reply text
        buttons: [Account details, Package]   # each is part of one button label
        no_buttons: [Close]      # no button label contains these
  - press: package               # press the one button of the latest menu whose label contains this
    expect:
      - text: Interact
      - regex: '\\d+%'
  - say: close my account
    expect:
      - text: only the account owner
then:                            # optional checks on stored data after the conversation
  account: {name: Acme Trading Ltd, status: open}
---
name: Second conversation in the same file
as: Owner@Acme.example
steps:
  - say: yes
  - wait: 1h 30m
  - as: admin@acme.example
    say: 0042
then:
  of: viewer@acme.example
  balance: 125.40
  subscriptions: 2
"""


def test_the_design_example_parses(tmp_path: Path) -> None:
    first, second = load_file(write(tmp_path, GUIDE_EXAMPLE))
    assert first.name == "Viewer cannot close the account"
    assert (first.user, first.channel, first.where.line, first.user_where.line) == (
        "viewer@acme.example",
        "telegram",
        1,
        2,
    )
    start, press, close = first.steps
    assert (start.action, start.value, start.number, start.where.line) == ("say", "/start", 1, 5)
    [item] = start.expect
    assert item.text == ("Acme Trading Ltd",)
    assert item.buttons == ("Account details", "Package")
    assert item.no_buttons == ("Close",)
    assert [e.regex for e in press.expect] == [None, r"\d+%"]
    assert close.expect[0].text == ("only the account owner",)
    assert first.then is not None and first.then.account == {
        "name": "Acme Trading Ltd",
        "status": "open",
    }
    # Values stay as typed: "yes" is not a boolean, 0042 not a number, 125.40 exact.
    assert second.channel == "telegram" and second.user == "owner@acme.example"
    assert [s.value for s in second.steps] == ["yes", "1h 30m", "0042"]
    assert second.steps[1].seconds == 5400
    assert second.steps[2].user == "admin@acme.example"
    assert second.then is not None
    assert second.then.balance == Decimal("125.40") and second.then.subscriptions == 2
    assert second.then.of_user == "viewer@acme.example"


def test_find_files_searches_folders(tmp_path: Path) -> None:
    write(tmp_path, "x", "b.yaml")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "x", "a.yml")
    write(tmp_path, "x", "notes.txt")
    assert [p.name for p in find_files([tmp_path])] == ["b.yaml", "a.yml"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("11m", 660),
        ("2 minutes", 120),
        ("1h 30m", 5400),
        ("1h30m", 5400),
        ("90", 90),
        ("1.5h", 5400),
        ("1 day", 86400),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text, Where(Path("x.yaml"), 3)) == seconds


@pytest.mark.parametrize("text", ["", "soon", "11x", "m", "11m and then some"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ScriptMistake, match="is not a duration"):
        parse_duration(text, Where(Path("x.yaml"), 3))


def test_fold_ignores_case_spacing_and_quote_style() -> None:
    assert fold("Sorry, I didn’t  understand\n“this”") == 'sorry, i didn\'t understand "this"'


def test_find_button() -> None:
    labels = ["✅ Save my changes", "✏️ Change fields", "🗑 Discard"]
    assert find_button("save", labels) == "✅ Save my changes"
    assert find_button("DISCARD", labels) == "🗑 Discard"
    # Several contain the text, but one label is exactly it: that one wins.
    assert find_button("Save", ["✅ Save", "Save as draft"]) == "✅ Save"
    with pytest.raises(NoSuchButton, match="2 buttons have"):
        find_button("change", ["Change fields", "Change another field"])
    with pytest.raises(NoSuchButton, match="no button has"):
        find_button("Close", labels)


def test_expect_items_match_in_order(tmp_path: Path) -> None:
    text = (
        "name: x\nas: a@b.example\nsteps:\n  - say: hi\n    expect:\n"
        "      - text: main menu\n      - text: Saved\n"
    )
    [script] = load_file(write(tmp_path, text))
    items = script.steps[0].expect
    replies = [ScriptReply("✅ Saved."), ScriptReply("main menu", ["Help"])]
    assert check_replies(items, replies) == ['line 7: reply 2 should contain "Saved"']
    assert check_replies(items[::-1], replies) == []
