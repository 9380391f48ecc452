"""What a conversation script says, as plain dataclasses (format: docs/support-guide.md).

The parser builds these from YAML; the runner only reads them. Every part
remembers where it was written (:class:`Where`) so that a failure can point
support staff at the exact file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

Channel = Literal["telegram", "terminal", "web"]
CHANNELS: tuple[Channel, ...] = ("telegram", "terminal", "web")
DEFAULT_CHANNEL: Channel = "telegram"


def shown_path(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it (shorter to read)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass(frozen=True, slots=True)
class Where:
    """A place in a script file; ``line`` counts from 1 like every editor does."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{shown_path(self.path)}, line {self.line}"


class ScriptMistake(Exception):
    """The script itself is wrong (bad YAML, unknown key, unknown user...), not the bot."""

    def __init__(self, where: Where, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True, slots=True)
class Expectation:
    """Checks on one reply. Text checks ignore case; ``buttons=()`` means "no buttons at all"."""

    where: Where
    text: tuple[str, ...] = ()  # each must appear in the reply
    not_text: tuple[str, ...] = ()  # none may appear
    regex: str | None = None
    buttons: tuple[str, ...] | None = None  # each must be part of one button label
    no_buttons: tuple[str, ...] = ()  # no button label may contain any of these


@dataclass(frozen=True, slots=True)
class Step:
    """One thing the user does: ``say`` text, ``press`` a button, or ``wait`` (seconds);
    or ``usage`` recorded for the user's account (``meter``, ``quantity``), whose replies
    are the notices it brings the user's chat; or a support agent answers the user's
    ticket (``agent``)."""

    where: Where
    number: int  # 1-based position in the script, as people count steps
    action: Literal["say", "press", "wait", "usage", "agent"]
    value: str  # the text, the button text, the duration as written ("11m"), the usage
    seconds: float = 0.0  # for ``wait``
    user: str | None = None  # who does it, when not the script's ``as`` user
    expect: tuple[Expectation, ...] = ()
    meter: str = ""  # for ``usage``: the meter's label or code
    quantity: int = 0  # for ``usage``: how much to add
    agent_sees: tuple[Expectation, ...] | None = None  # what reached the agent in this step

    def describe(self) -> str:
        """The step as a person would say it: ``press "Save"``."""
        who = f" (as {self.user})" if self.user else ""
        return f'{self.action} "{self.value}"{who}'


@dataclass(frozen=True, slots=True)
class Then:
    """Checks on stored data once the conversation is over."""

    where: Where
    of_user: str | None = None  # whose account to check; default the script's ``as`` user
    account: dict[str, str | None] = field(default_factory=dict)
    account_lines: dict[str, int] = field(default_factory=dict)  # field -> line, for reports
    subscriptions: int | None = None
    balance: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Script:
    """One conversation: who talks, on which channel, the steps, and the final checks."""

    where: Where
    name: str
    user: str
    user_where: Where  # where ``as`` was written, to point at an unknown user
    channel: Channel
    steps: tuple[Step, ...]
    then: Then | None = None
    language: str | None = None  # ``language: es``: the app's language (the channel's hint)

    @property
    def id(self) -> str:
        """A stable identifier: file name and conversation name."""
        return f"{self.where.path.name}::{self.name}"
