"""Collect every conversation script here as a pytest test, one per conversation.

``pytest tests/conversations`` runs the same runner as ``python -m bot script run``,
so a script that passes one way passes the other; failures read the same, too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.scripts.library import SUFFIXES
from bot.scripts.model import Script, ScriptMistake
from bot.scripts.parser import load_file
from bot.scripts.report import result_text
from bot.scripts.results import ScriptResult
from bot.scripts.runner import run_script


class ConversationFailed(Exception):
    """The conversation did not pass; carries the runner's result for the report."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in SUFFIXES:
        return ConversationFile.from_parent(parent, path=file_path)
    return None


class ConversationFile(pytest.File):
    """One YAML file; each conversation in it (separated by ``---``) is an item."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            scripts = load_file(self.path)
        except ScriptMistake as mistake:
            # A broken file is one failing item, not a collection error with a traceback.
            yield BrokenFile.from_parent(self, name=self.path.name, mistake=mistake)
            return
        for script in scripts:
            yield Conversation.from_parent(self, name=script.name, script=script)


class Conversation(pytest.Item):
    def __init__(self, *, script: Script, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.script = script

    def runtest(self) -> None:
        result: ScriptResult = asyncio.run(run_script(self.script))
        if not result.passed:
            raise ConversationFailed(result_text(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ConversationFailed):
            return excinfo.value.text
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.script.where.line - 1, f"conversation: {self.script.name}"


class BrokenFile(pytest.Item):
    def __init__(self, *, mistake: ScriptMistake, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mistake = mistake

    def runtest(self) -> None:
        raise ConversationFailed(f"Mistake in the script: {self.mistake}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ConversationFailed):
            return excinfo.value.text
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.mistake.where.line - 1, f"script file: {self.path.name}"
