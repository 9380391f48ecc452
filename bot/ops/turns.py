"""Counting the engine's turns: the :class:`~flows.observing.TurnObserver` of the service.

:class:`MetricsObserver` turns each :class:`~flows.observing.TurnReport` into metrics
(version conflicts, database errors, flows by event, closures) and hands the report to
the update being handled, if a channel is tracing one (:func:`tracing`): Telegram's
update middleware reads it back for the update's outcome and its log line. A context
variable carries the trace because the engine is called deep inside the update's
handlers, in the same task.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.exc import SQLAlchemyError

from bot.ops.metrics import CLOSURES, DATABASE_ERRORS, FLOWS, VERSION_CONFLICTS
from flows.observing import TurnReport

__all__ = ["MetricsObserver", "UpdateTrace", "current_trace", "is_database_error", "tracing"]

class UpdateTrace:
    """What the engine reported about the update being handled (None: no turn ran)."""

    __slots__ = ("report",)

    def __init__(self) -> None:
        self.report: TurnReport | None = None


_current: ContextVar[UpdateTrace | None] = ContextVar("update_trace", default=None)


def current_trace() -> UpdateTrace | None:
    """The trace of the update this task is handling, if its channel traces updates."""
    return _current.get()


@contextmanager
def tracing() -> Iterator[UpdateTrace]:
    """Trace the update handled inside the block (a channel's middleware wraps it)."""
    trace = UpdateTrace()
    token = _current.set(trace)
    try:
        yield trace
    finally:
        _current.reset(token)


def is_database_error(error: BaseException | None) -> bool:
    """Whether ``error`` came from the database: SQLAlchemy's errors wrap the drivers'
    (a lost connection, a constraint); a refused or reset connection is an OSError.
    Inside a turn nothing but storage does I/O, so an OSError is the database's."""
    return isinstance(error, SQLAlchemyError | OSError)


class MetricsObserver:
    """Counts what each turn did; cheap (a few dictionary look-ups per turn)."""

    def turn_done(self, report: TurnReport) -> None:
        if report.conflicts:
            VERSION_CONFLICTS.inc(report.conflicts)
        if report.error is not None and is_database_error(report.error):
            DATABASE_ERRORS.inc()
        for event in report.flow_events:
            FLOWS.labels(event.flow, event.event).inc()
        if report.account_closed:
            CLOSURES.inc()
        trace = _current.get()
        if trace is not None:
            trace.report = report
