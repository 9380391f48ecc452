"""Where the time goes: a cProfile run summed by package, and the top functions."""

from __future__ import annotations

import io
import pstats
from collections import defaultdict

PACKAGES = (
    ("/testkit/telegram/", "emulated Telegram (test double)"),
    ("/testkit/web", "web page (test client)"),
    ("aiohttp", "aiohttp (server and the pages' client)"),
    ("bot/", "bot (channel)"),
    ("flows/", "flows (engine)"),
    ("storage/", "storage"),
    ("sqlalchemy", "SQLAlchemy"),
    ("aiosqlite", "aiosqlite"),
    ("asyncpg", "asyncpg"),
    ("aiogram", "aiogram"),
    ("pydantic", "pydantic"),
    ("statemachine", "python-statemachine"),
    ("matplotlib", "matplotlib"),
    ("asyncio", "asyncio"),
    ("json", "json"),
)


def package_of(filename: str) -> str:
    if filename.startswith("~") or filename == "":
        return "C builtins (sqlite3, fsync, ...)"
    for needle, name in PACKAGES:
        if needle in filename:
            return name
    return "other Python"


def by_package(stats: pstats.Stats) -> str:
    """Own time per package (tottime), then the 25 functions with the most own time."""
    totals: dict[str, float] = defaultdict(float)
    entries = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in entries.items():
        totals[package_of(filename)] += tottime
    whole = sum(totals.values()) or 1.0
    lines = ["", "  own time by package (full stack, concurrent run):"]
    for name, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        lines.append(f"    {name:<36} {seconds:7.2f} s  {seconds / whole:6.1%}")
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(25)
    lines += ["", "  top functions by own time:", out.getvalue()]
    return "\n".join(lines)
