"""The error ``python -m bot`` prints instead of a traceback, and how to find its cause."""

from __future__ import annotations

import socket
import traceback
from collections.abc import Iterator

from bot.redaction import mask


class StartupError(Exception):
    """The bot cannot start as configured: ``setting`` is wrong in the way ``problem``
    says, and ``fix`` says what to do. Never carries a secret (rendering masks anyway)."""

    def __init__(self, setting: str, problem: str, fix: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting
        self.problem = problem
        self.fix = fix

    def lines(self) -> tuple[str, str]:
        """The two lines shown to whoever started the bot."""
        return mask(f"{self.setting}: {self.problem}"), mask(f"Fix: {self.fix}")


def report(error: StartupError, *, debug: bool = False) -> str:
    """What ``python -m bot`` prints for ``error``; with ``debug``, the traceback first."""
    lines = list(error.lines())
    if debug:
        lines.insert(0, traceback_text(error))
    return "\n".join(lines)


def traceback_text(error: BaseException) -> str:
    """``error``'s traceback (with its causes), secrets masked."""
    return mask("".join(traceback.format_exception(error)).rstrip())


def causes_of(error: BaseException) -> Iterator[BaseException]:
    """``error``, then what it wraps: SQLAlchemy's ``orig``, ``__cause__``, ``__context__``."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # public on SQLAlchemy's DBAPIError
        for wrapped in (orig, current.__cause__, current.__context__):
            if isinstance(wrapped, BaseException):
                pending.append(wrapped)


def network_reason(error: BaseException) -> str:
    """A few words on why a connection failed, from the most telling cause."""
    causes = list(causes_of(error))
    for kind, reason in (
        (ConnectionRefusedError, "connection refused"),
        (socket.gaierror, "unknown host"),
        (TimeoutError, "timed out"),
    ):
        if any(isinstance(cause, kind) for cause in causes):
            return reason
    for cause in causes:
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
    return str(error) or type(error).__name__
