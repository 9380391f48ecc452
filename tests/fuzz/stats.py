"""Counts over a fuzz run: steps by rule, closures, saves, refusals by kind, violations.

Refusals are recognised by their wording in what the acting chat was sent; they are
reported, not judged (a refusal is often exactly right).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from tests.fuzz.world import CLOSE_LABEL, StepResult

# Lower-case phrase in a reply or toast -> kind of refusal.
REFUSALS: dict[str, str] = {
    "only the account owner can close": "not the owner",
    "closed by our support team": "closure goes through support (Connect)",
    "only the account owner or an admin can edit": "may not edit",
    "that menu has expired": "old menu",
    "can't use that button": "forged button",
    "confirmation button has expired": "close button expired",
    "you were away for more than": "flow timed out",
    "typing doesn't": "typed at a step that writes",
    "does not match the account name": "account name mismatch",
    "stopped the closure for your safety": "closure stopped after mismatches",
    "nothing in it can be changed": "account is closed",
    "not available at this step": "not available at this step",
    "not linked to a platform account": "chat not linked",
    "cannot be changed once set": "read-only detail",
    "nothing was saved": "save refused",
    "nothing was closed": "closure refused",
    "that link code": "link code refused",
    "too many wrong codes": "link code refused",
    "already the current": "invalid value",
    "is too long": "invalid value",
    "is too short": "invalid value",
    "cannot be empty": "invalid value",
    "control characters": "invalid value",
    "not valid": "invalid value",
    "not an e-mail": "invalid value",
    "not a phone number": "invalid value",
    "phone number has": "invalid value",
    "could not read that as a phone": "invalid value",
    "country code does not exist": "invalid value",
    "a phone number needs digits": "invalid value",
    "don't know a country": "invalid value",
    "is not a time zone": "invalid value",
    "not an iso 4217": "invalid value",
}


@dataclass
class Stats:
    """Running totals; one instance per process is shared by every example."""

    started: float = field(default_factory=time.monotonic)
    examples: int = 0
    steps: int = 0
    rules: Counter[str] = field(default_factory=Counter)
    close_screens: int = 0  # times the final close step was reached
    closures: int = 0
    saves: int = 0
    refusals: Counter[str] = field(default_factory=Counter)
    violations: int = 0
    # Steps done when the first invariant broke; later steps are Hypothesis replaying
    # shorter variants of the failure while it shrinks it.
    first_violation_at: int | None = None

    @property
    def refused_steps(self) -> int:
        return self.refusals["(steps with a refusal)"]

    def record(self, result: StepResult, chat_id: int | None) -> None:
        """Count one step (setup steps count apart, as rule ``setup``)."""
        step = result.step
        self.rules[step.rule] += 1
        if step.kind != "setup":
            self.steps += 1
        for account_id, after in result.after.accounts.items():
            before = result.before.accounts[account_id]
            if before.status == "open" and after.status == "closed":
                self.closures += 1
            if after.details != before.details:
                self.saves += 1
        texts = [m.text.casefold() for m in result.sent.get(chat_id or 0, [])]
        texts += [t.casefold() for t in result.answers]
        kinds = {kind for text in texts for phrase, kind in REFUSALS.items() if phrase in text}
        self.refusals.update(kinds)
        if kinds:
            self.refusals["(steps with a refusal)"] += 1
        if chat_id is not None and result.close_shown_at is None and any(
            CLOSE_LABEL.match(label) for m in result.sent.get(chat_id, []) for label in m.labels
        ):
            self.close_screens += 1

    def report(self) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.steps / elapsed if elapsed else 0.0
        refusals = {k: v for k, v in self.refusals.items() if not k.startswith("(")}
        lines = [
            f"steps: {self.steps:,} in {self.examples:,} examples "
            f"({elapsed:.1f} s, {rate:.0f} steps/s)",
            f"final close step reached: {self.close_screens:,}",
            f"closures: {self.closures:,}",
            f"saves: {self.saves:,}",
            f"refusals: {self.refused_steps:,} steps",
            *(f"    {kind}: {count:,}" for kind, count in sorted(refusals.items(),
                                                               key=lambda kv: -kv[1])),
            "rules: " + ", ".join(f"{rule} {count:,}" for rule, count in
                                  sorted(self.rules.items())),
            f"violations: {self.violations}",
        ]
        if self.first_violation_at is not None:
            lines.append(f"(the first violation came after {self.first_violation_at:,} steps; "
                         "the steps after it were replays while shrinking it)")
        return "\n".join(lines)


STATS = Stats()
