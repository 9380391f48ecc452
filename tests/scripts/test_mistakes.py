"""A script with a mistake fails with a message naming the file and line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.scripts.results import Outcome
from tests.scripts.helpers import cli, run_text, write

HEAD = "name: A script\nas: viewer@acme.example\nchannel: terminal\n"


def assert_mistake(out: str, line: int, *words: str) -> None:
    assert "Traceback" not in out
    assert f"script.yaml, line {line}:" in out, out
    for word in words:
        assert word in out, out


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        # bad YAML: the closing bracket is missing
        (HEAD + "steps:\n  - say: [hello\n", 5, ["not valid YAML"]),
        # a question mark inside [ ]: the most common slip, with its own hint
        (
            HEAD + "steps:\n  - say: hi\n    expect:\n      - text: [a, b?]\n",
            7,
            ["question mark inside [ ] must be in double quotes"],
        ),
        # unknown key, with a suggestion
        (
            HEAD + "steps:\n  - say: hi\n    expext:\n      - text: Hi\n",
            6,
            ['unknown key "expext" in a step', 'Did you mean "expect"?'],
        ),
        (
            HEAD + "steps:\n  - say: hi\n    expect:\n      - txt: Hi\n",
            7,
            ['unknown key "txt" in an expect item', 'Did you mean "text"?'],
        ),
        ("nmae: x\n" + HEAD + "steps:\n  - say: hi\n", 1, ['unknown key "nmae"']),
        (
            HEAD + "steps:\n  - say: hi\nthen:\n  account: {colour: red}\n",
            7,
            ['unknown key "colour" in account'],
        ),
        # the shape of a step
        (
            HEAD + "steps:\n  - say: hi\n    press: Help\n",
            5,
            ["exactly one of say:, press:, wait:, usage: or agent:"],
        ),
        # the usage step
        (HEAD + "steps:\n  - usage: lots\n", 5, ["must be a set of key: value lines"]),
        (HEAD + "steps:\n  - usage: {meter: conversations}\n", 5, ['"usage" needs "add:"']),
        (HEAD + "steps:\n  - usage: {meter: x, add: 0}\n", 5, ['"add" must be a whole number']),
        (HEAD + "steps:\n  - usage: {meter: x, add: two}\n", 5, ["whole number"]),
        (HEAD + "steps:\n  - usage: {meter: x, add: 1, ink: red}\n", 5, ['unknown key "ink"']),
        (HEAD + "steps:\n  - wait: soon\n", 5, ['"soon" is not a duration']),
        # the conversation's language
        (HEAD + "language: fr\nsteps:\n  - say: hi\n", 4, ['unknown language "fr"', "en, es"]),
        (
            HEAD + "steps:\n  - wait: 1m\n    expect:\n      - text: x\n",
            6,
            ["cannot expect replies"],
        ),
        (
            HEAD + "steps:\n  - say: hi\n    expect:\n      - regex: '(('\n",
            7,
            ["regex is not valid"],
        ),
        (HEAD + "steps:\n  - say: hi\n    expect:\n      - {}\n", 7, ["expect item needs one of"]),
        (HEAD + "steps:\n  - say: hi\nthen:\n  balance: lots\n", 7, ["amount like 125.40"]),
        (HEAD + "steps:\n  - say: hi\nthen:\n  subscriptions: two\n", 7, ["whole number"]),
        # the conversation itself
        (HEAD + "steps: []\n", 4, ["has no steps"]),
        ("name: x\nas: viewer@acme.example\n", 1, ['has no "steps:"']),
        ("name: x\nas: Vera\nsteps:\n  - say: hi\n", 2, ['"as" must be the e-mail of a demo user']),
        (
            "name: x\nas: viewer@acme.example\nchannel: sms\nsteps:\n  - say: hi\n",
            3,
            ['unknown channel "sms"'],
        ),
        ("- say: hi\n", 1, ["must start with keys such as name:"]),
        ("", 1, ["holds no conversation"]),
        (HEAD + "name: again\nsteps:\n  - say: hi\n", 4, ['"name" is given twice']),
        (
            HEAD + "steps:\n  - say: hi\n---\n" + HEAD + "steps:\n  - say: hi\n",
            7,
            ['two conversations are called "A script"'],
        ),
    ],
)
def test_mistakes_name_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, words: list[str]
) -> None:
    path = write(tmp_path, text)
    status, out = cli(capsys, "script", "run", str(path))
    assert status == 1
    assert "MISTAKE" in out
    assert_mistake(out, line, *words)


async def test_unknown_user_in_as(tmp_path: Path) -> None:
    [result] = await run_text(
        tmp_path, "name: x\nchannel: terminal\nas: nobody@acme.example\nsteps:\n  - say: hi\n"
    )
    assert result.outcome is Outcome.MISTAKE
    assert result.failure is not None
    assert_mistake(result.failure.heading, 3, "there is no demo user nobody@acme.example")


async def test_unknown_user_in_a_step(tmp_path: Path) -> None:
    [result] = await run_text(
        tmp_path,
        HEAD + "steps:\n  - say: hi\n  - as: ghost@acme.example\n    say: hi\n",
    )
    assert result.outcome is Outcome.MISTAKE
    assert result.failure is not None
    assert_mistake(result.failure.heading, 6, "ghost@acme.example")


async def test_usage_of_an_unknown_meter(tmp_path: Path) -> None:
    [result] = await run_text(tmp_path, HEAD + "steps:\n  - usage: {meter: sms, add: 5}\n")
    assert result.outcome is Outcome.MISTAKE
    assert result.failure is not None
    assert_mistake(result.failure.heading, 5, "usage cannot be recorded", "no meter 'sms'")


async def test_press_without_a_matching_button(tmp_path: Path) -> None:
    [result] = await run_text(tmp_path, HEAD + "steps:\n  - say: /start\n  - press: Close\n")
    assert result.outcome is Outcome.FAILED
    failure = result.failure
    assert failure is not None
    assert failure.heading == 'Step 2 (script.yaml, line 6): press "Close"'
    [problem] = failure.expected
    assert 'no button has "Close" in its label' in problem
    menu = (
        "[📄 Account details], [📦 Package & usage], [🌐 Language / Idioma], "
        "[🙋 Talk to a person], [❓ Help]"
    )
    assert menu in problem


async def test_press_matching_several_buttons(tmp_path: Path) -> None:
    text = HEAD.replace("viewer", "admin") + "steps:\n  - say: /start\n  - press: details\n"
    [result] = await run_text(tmp_path, text)
    assert result.failure is not None
    [problem] = result.failure.expected
    assert '2 buttons have "details" in their label' in problem
    assert "Write more of the label" in problem


async def test_press_with_nothing_on_screen(tmp_path: Path) -> None:
    [result] = await run_text(tmp_path, HEAD + "steps:\n  - press: Help\n")
    assert result.failure is not None
    assert "there was no button to press" in result.failure.expected[0]


def test_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = cli(capsys, "script", "run", str(tmp_path / "nowhere.yaml"))
    assert status == 2
    assert "There is no file or folder called" in out
    assert "Traceback" not in out


def test_folder_without_scripts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = cli(capsys, "script", "run", str(tmp_path))
    assert status == 2
    assert "No conversation scripts" in out
