"""Writing small scripts into a temporary folder and running them, for the runner's tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.scripts.library import run_paths
from bot.scripts.results import ScriptResult


def write(folder: Path, text: str, name: str = "script.yaml") -> Path:
    """``text`` (dedented) as ``folder/name``."""
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


async def run_text(folder: Path, text: str) -> list[ScriptResult]:
    """Run the script ``text`` and return its results."""
    return await run_paths([write(folder, text)])


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """``python -m bot ARGV``: exit status, and standard output and error together."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out + captured.err
