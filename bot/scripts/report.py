"""Results as text for people: one line per script, and the why of every failure."""

from __future__ import annotations

from collections import Counter

from bot.scripts.model import shown_path
from bot.scripts.results import Failure, Outcome, ScriptResult

MARKS = {
    Outcome.PASSED: "PASS",
    Outcome.FAILED: "FAIL",
    Outcome.MISTAKE: "MISTAKE",
    Outcome.ERROR: "ERROR",
}
PAD = "      "


def result_line(result: ScriptResult) -> str:
    """``PASS  tests/conversations/x.yaml: Viewer cannot close  (0.12 s)``."""
    mark = MARKS[result.outcome]
    return f"{mark:<7} {shown_path(result.path)}: {result.name}  ({result.seconds:.2f} s)"


def failure_lines(failure: Failure) -> list[str]:
    """The step, what was expected, what came instead, and the conversation so far."""
    lines = [f"{PAD}{failure.heading}"]
    if failure.transcript:
        lines.append(f"{PAD}The conversation so far:")
        lines += [f"{PAD}{item}" for item in failure.transcript]
    if failure.expected:
        lines.append(f"{PAD}Expected:")
        lines += [f"{PAD}  - {item}" for item in failure.expected]
    if failure.instead:
        lines.append(f"{PAD}What came instead:")
        lines += [f"{PAD}  | {item}" for item in failure.instead]
    return lines


def result_text(result: ScriptResult) -> str:
    """The result line, followed by the failure explained when it did not pass."""
    lines = [result_line(result)]
    if result.failure is not None:
        lines += [*failure_lines(result.failure), ""]
    return "\n".join(lines)


def summary(results: list[ScriptResult], seconds: float) -> str:
    """``34 scripts: 33 passed, 1 failed in 6.02 s``."""
    counts = Counter(result.outcome for result in results)
    parts = [f"{counts[outcome]} {outcome.value}" for outcome in Outcome if counts[outcome]]
    noun = "script" if len(results) == 1 else "scripts"
    return f"{len(results)} {noun}: {', '.join(parts) or 'none run'} in {seconds:.2f} s"
