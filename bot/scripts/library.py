"""A library of scripts: find the files under some paths, load them, run them all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from bot.scripts.model import Script, ScriptMistake
from bot.scripts.parser import load_file
from bot.scripts.results import Failure, Outcome, ScriptResult
from bot.scripts.runner import run_script
from bot.scripts.telegram_channel import load_telegram

SUFFIXES = (".yaml", ".yml")


def find_files(paths: Iterable[Path]) -> list[Path]:
    """The script files named, folders searched recursively; raises FileNotFoundError."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"There is no file or folder called {path}")
    return found


def mistake_result(mistake: ScriptMistake) -> ScriptResult:
    """A file that could not be read as scripts, reported like a script that failed."""
    failure = Failure(f"Mistake in the script: {mistake}")
    return ScriptResult(
        mistake.where.path,
        mistake.where.line,
        mistake.where.path.name,
        Outcome.MISTAKE,
        0.0,
        failure,
    )


async def run_paths(
    paths: Iterable[Path], on_result: Callable[[ScriptResult], None] | None = None
) -> list[ScriptResult]:
    """Run every script in ``paths`` (files or folders), one after another.

    Every file is read first, so mistakes show up without waiting for the rest.
    ``on_result`` sees each result as soon as it is known (for live output).
    Raises FileNotFoundError for a path that does not exist.
    """
    loaded: list[Script | ScriptResult] = []
    for path in find_files(paths):
        try:
            loaded += load_file(path)
        except ScriptMistake as mistake:
            loaded.append(mistake_result(mistake))
    if any(isinstance(item, Script) and item.channel == "telegram" for item in loaded):
        load_telegram()  # seconds of imports, paid once rather than by the first script
    results: list[ScriptResult] = []
    for item in loaded:
        results.append(item if isinstance(item, ScriptResult) else await run_script(item))
        if on_result is not None:
            on_result(results[-1])
    return results
