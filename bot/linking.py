"""What every channel that takes link codes shares: the wrong-code limits as configured,
how a lock-out is worded, and how attempts are counted (Telegram's ``/start CODE``, the
web chat's sign-in link)."""

from __future__ import annotations

import math
from datetime import datetime

from bot.config import Settings
from bot.ops.metrics import LINK_ATTEMPTS, LOCKOUTS
from flows.i18n import N_, _, ngettext
from storage.identities import LinkOutcome, LinkResult
from storage.link_limits import LinkLimits

TOO_MANY_CODES = N_("Too many wrong codes: try again in {wait}.")


def link_limits(settings: Settings) -> LinkLimits:
    """The wrong-code limits configured by ``LINK_ATTEMPTS_*`` and ``LINK_LOCKOUT_SECONDS``."""
    return LinkLimits(
        per_chat=settings.link_attempts_per_chat,
        total=settings.link_attempts_total,
        window_seconds=settings.link_lockout_seconds,
    )


def too_many_codes(locked_until: datetime, now: datetime) -> str:
    """The lock-out notice, with the wait rounded up to whole minutes (at least one)."""
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    wait = ngettext("{count} minute", "{count} minutes", minutes).format(count=minutes)
    return _(TOO_MANY_CODES).format(wait=wait)


def count_code(method: str, result: LinkResult | None, *, linked: bool | None) -> None:
    """Count an attempt with a code (``bot_link_attempts_total``) by what was committed:
    ``linked`` None means rolled back by an error."""
    if linked is None or result is None:
        LINK_ATTEMPTS.labels(method, "failed").inc()
    elif linked:
        LINK_ATTEMPTS.labels(method, "linked").inc()
    elif result.outcome is LinkOutcome.LOCKED:
        LINK_ATTEMPTS.labels(method, "locked_out").inc()
    else:
        LINK_ATTEMPTS.labels(method, "wrong").inc()
        if result.locked_until is not None:  # this wrong code reached a limit
            LOCKOUTS.inc()
