"""Telegram's message limits, as the Bot API enforces them, and how it measures text.

The one definition: the renderer keeps replies within these limits, and the test
kit's emulated Telegram refuses what breaks them, in Telegram's own words.
"""

from __future__ import annotations

MAX_TEXT = 4096
"""A message's text, in UTF-16 code units (:func:`utf16_length`)."""

MAX_CAPTION = 1024
"""A photo's caption, in UTF-16 code units."""

MAX_CALLBACK_DATA = 64
"""An inline button's callback data, in bytes (UTF-8); at least one byte."""


def utf16_length(text: str) -> int:
    """Telegram measures text in UTF-16 code units: most emoji count twice."""
    return len(text.encode("utf-16-le")) // 2
