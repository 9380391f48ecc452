"""Durations as support staff write them: ``11m``, ``30s``, ``1h 30m``, ``2 minutes``."""

from __future__ import annotations

import re

from bot.scripts.model import ScriptMistake, Where

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]*)")
_UNITS = {
    **dict.fromkeys(("", "s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
}


def parse_duration(text: str, where: Where) -> float:
    """Seconds in ``text``; a bare number counts as seconds."""
    folded = text.strip().casefold()
    total = 0.0
    position = 0
    for match in _PART.finditer(folded):
        gap = folded[position : match.start()].strip()
        if gap or match.group(2) not in _UNITS:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    else:
        if position and not folded[position:].strip():
            return total
    raise ScriptMistake(where, f'"{text}" is not a duration; write it like 30s, 11m, 2h or 1h 30m')
