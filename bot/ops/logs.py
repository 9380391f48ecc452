"""Log output: the readable text lines, or one JSON object per line (``LOG_FORMAT=json``).

``python -m bot`` installs one handler on the root logger (:func:`setup_logging`) with
:class:`~bot.redaction.SecretFilter` on it; :func:`use_format` switches that handler to
JSON once the settings are read. Every JSON line has ``time``, ``level``, ``logger``,
``pid`` and ``message``, plus the fields a caller passed as ``extra`` (the per-update
line: see :mod:`bot.telegram.middlewares.metrics`). Secrets are masked in JSON too:
the filter masks the message, and the finished line is masked once more, because the
JSON formatter renders a traceback itself rather than the filter's masked copy.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Literal

from pythonjsonlogger.json import JsonFormatter

from bot.redaction import mask, mask_logging

__all__ = ["TEXT_FORMAT", "LogFormat", "MaskedJsonFormatter", "conversation_hash",
           "setup_logging", "use_format"]

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Several workers write to one stream: their lines name their pid.
WORKER_TEXT_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"

_ours: list[logging.Handler] = []  # the handlers setup_logging installed
_text = [TEXT_FORMAT]  # the text format of this process


class MaskedJsonFormatter(JsonFormatter):
    """python-json-logger's formatter with fixed field names, secrets masked."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(process)d %(message)s",
            rename_fields={"levelname": "level", "name": "logger", "process": "pid"},
            timestamp="time",  # ISO 8601, UTC
            json_ensure_ascii=False,  # secrets are masked as written, not \\u-escaped
        )

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


def setup_logging(level: int = logging.WARNING, *, worker: bool = False) -> None:
    """The text handler on the root logger, secrets masked (nothing if one is there);
    a worker process's lines name its pid."""
    _text[0] = WORKER_TEXT_FORMAT if worker else TEXT_FORMAT
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_text[0]))
        root.addHandler(handler)
        root.setLevel(level)
        _ours.append(handler)
    mask_logging()


def use_format(log_format: LogFormat) -> None:
    """Write the lines of :func:`setup_logging`'s handler as text or as JSON."""
    for handler in _ours:
        if log_format == "json":
            handler.setFormatter(MaskedJsonFormatter())
        else:
            handler.setFormatter(logging.Formatter(_text[0]))


def conversation_hash(key: str) -> str:
    """A conversation's pseudonym in logs: 12 hex digits of SHA-256 of ``channel:chat_id``.

    Raw chat ids stay out of log pipelines, and support can still find one chat's lines
    by hashing its key. A pseudonym, not encryption: whoever knows a chat id can hash it.
    """
    return hashlib.sha256(key.encode()).hexdigest()[:12]
