"""Stopping without dropping work: the updates in progress get a grace period."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Set
from typing import Any

log = logging.getLogger(__name__)


async def finish_in_time(running: Set[asyncio.Task[Any]], seconds: float, source: str) -> None:
    """Let ``running`` finish (their replies sent) within ``seconds``; cancel and log, by
    task name (the update id), what is left. ``source`` names who stopped (webhook,
    polling) in the log lines."""
    if not running:
        return
    log.info("%s stopped: %d update(s) in progress get up to %s s to finish",
             source, len(running), seconds)
    _, late = await asyncio.wait(set(running), timeout=seconds)
    if late:
        log.warning("%s: cancelled after %s s, unfinished: %s", source, seconds,
                    ", ".join(sorted(task.get_name() for task in late)))
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
