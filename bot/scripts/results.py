"""What running a script produced: passed, failed (with the why), or could not run."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"  # the bot did not do what the script expects
    MISTAKE = "mistake"  # the script is wrong (bad YAML, unknown key, unknown user...)
    ERROR = "error"  # the runner could not run it (a crash, a missing channel)


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a script did not pass, in words for the people who wrote it."""

    heading: str  # 'Step 3 (line 14): say "close my account"', or the mistake
    expected: list[str] = field(default_factory=list)
    instead: list[str] = field(default_factory=list)  # what the bot sent, or the buttons there
    transcript: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ScriptResult:
    """The outcome of one conversation (or of a file that could not be read)."""

    path: Path
    line: int
    name: str
    outcome: Outcome
    seconds: float
    failure: Failure | None = None

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED
