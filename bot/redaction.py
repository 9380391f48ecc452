"""Keep secrets out of everything the bot prints or logs.

:func:`mask` replaces the secrets the settings named (see :func:`remember`) and
anything shaped like one: a Telegram bot token, the ``/bot<token>`` segment of a
Bot API URL, the password in ``scheme://user:password@host``. The shapes matter
because libraries put secrets into their own messages: aiogram's
"Failed to fetch updates" line quotes the request URL, token included.
:class:`SecretFilter` applies :func:`mask` to log records, exception text included.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, quote_plus

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MASK = "***"

# Shorter values are left alone: masking a two-letter password everywhere would mangle
# every line while hiding next to nothing (URL passwords are masked by shape anyway).
MIN_SECRET_LENGTH = 4

_secrets: set[str] = set()

_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # /bot<token> in a Bot API URL: aiogram and aiohttp quote request URLs in errors.
    (re.compile(r"/bot\d+:[^/\s'\"]*"), "/bot" + MASK),
    # A Telegram bot token anywhere: the bot's id, a colon, about 35 characters.
    (re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"), MASK),
    # user:password@ in any URL (DATABASE_URL, a proxy URL).
    (re.compile(r"(?<=://)([^:/@\s]*):[^@\s/]+@"), r"\1:" + MASK + "@"),
)


def remember(*values: str | None) -> None:
    """Mask these values (the configured secrets) in everything :func:`mask` sees."""
    for value in values:
        if value and len(value) >= MIN_SECRET_LENGTH:
            # As written, and as they appear inside URLs and form bodies.
            _secrets.update({value, quote(value, safe=""), quote_plus(value)})


def forget_all() -> None:
    """Drop every remembered secret (for tests)."""
    _secrets.clear()


def url_password(url: str) -> str | None:
    """The password in a database URL, or None (also when the URL does not parse)."""
    try:
        return make_url(url).password
    except (ArgumentError, ValueError):
        return None


def mask(text: str) -> str:
    """``text`` with every remembered secret and every secret-shaped part masked."""
    for secret in sorted(_secrets, key=len, reverse=True):  # longest first: no partial leftovers
        text = text.replace(secret, MASK)
    for pattern, replacement in _SHAPES:
        text = pattern.sub(replacement, text)
    return text


class SecretFilter(logging.Filter):
    """A handler filter that masks secrets in a record's message and exception text.

    On a handler (not a logger) it sees every record that reaches the handler,
    including those propagated from aiogram's and aiohttp's own loggers. A formatter
    of one's own must print ``exc_text`` (as ``logging.Formatter`` does), not format
    ``exc_info`` itself.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: let the handler report it as it would
            return True
        record.msg, record.args = mask(message), None
        # logging.Formatter prints exc_text when it is set rather than formatting
        # exc_info again, so a masked exc_text is what every stock handler shows.
        # exc_info stays: whoever inspects records (tests, error trackers) still sees it.
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


def mask_logging(logger: logging.Logger | None = None) -> None:
    """Install :class:`SecretFilter` on every handler of ``logger`` (default: the root)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(existing, SecretFilter) for existing in handler.filters):
            handler.addFilter(SecretFilter())
