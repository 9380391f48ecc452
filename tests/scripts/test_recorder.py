"""``chat --record``: the conversation just had becomes a script that passes as it is."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from bot.scripts.channels import ScriptReply
from bot.scripts.library import run_paths
from bot.scripts.parser import load_file
from bot.scripts.recorder import Recorder, short_label
from tests.scripts.helpers import cli

TURNS = [
    "1",  # Account details (a press: typed as its number)
    "1",  # More details
    "edit details",  # typed words
    "6",  # Contact e-mail
    "not an address",
    "billing@acme.example",
    "1",  # Save
    "package",
]


def test_recorded_chat_replays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "recorded.yaml"
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(TURNS) + "\n"))
    status, out = cli(capsys, "chat", "--as", "admin@acme.example", "--record", str(target))
    assert status == 0
    assert f"Wrote {target}" in out
    text = target.read_text(encoding="utf-8")
    assert "as: admin@acme.example\nchannel: terminal\nsteps:\n" in text
    assert '  - say: "menu"' in text
    assert '  - press: "Account details"' in text
    assert '  - say: "edit details"' in text
    assert '  - press: "Contact e-mail"' in text
    assert '  - press: "Save"' in text
    assert '  - press: "More details"' in text
    assert '        buttons: ["Back", "Edit details", "Menu"]' in text
    # The local time on the More details screen changes by itself: written commented out.
    assert '          # - "Time zone: Europe/London, local time' in text
    assert 'then:\n  account: {name: "Acme Trading Ltd", status: open}\n' in text
    assert '  balance: "125.40"' in text
    [script] = load_file(target)
    assert len(script.steps) == len(TURNS) + 1
    [result] = asyncio.run(run_paths([target]))
    assert result.passed, result.failure


def test_short_labels_still_press_the_same_button() -> None:
    labels = ["✅ Save", "✏️ Change another field", "🗑 Discard"]
    assert short_label("✅ Save", labels) == "Save"
    assert short_label("🗑 Discard", labels) == "Discard"
    # Without the emoji two labels would read alike: the full label is kept.
    assert short_label("📄 Details", ["📄 Details", "✏️ Details"]) == "📄 Details"


def test_recorder_writes_valid_yaml(tmp_path: Path) -> None:
    recorder = Recorder("viewer@acme.example")
    recorder.said(
        'He said "hi": #1', [ScriptReply("Line one\n\nClosed on 01 Dec 2026 at 10:00 UTC")]
    )
    path = tmp_path / "r.yaml"
    recorder.write(path, "A name: with a colon")
    [script] = load_file(path)
    assert script.name == "A name: with a colon"
    assert script.steps[0].value == 'He said "hi": #1'
    assert script.steps[0].expect[0].text == ("Line one",)
