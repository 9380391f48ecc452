"""How every process of the bot logs: one line per record, secrets masked."""

from __future__ import annotations

import logging

from bot.redaction import mask_logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
WORKER_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


def configure_logging(*, worker: bool = False) -> None:
    """Log warnings and up to standard error, masked; a worker's lines name its pid
    (several workers write to the same stream)."""
    logging.basicConfig(level=logging.WARNING, format=WORKER_FORMAT if worker else FORMAT)
    mask_logging()
