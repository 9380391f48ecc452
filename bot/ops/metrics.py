"""The bot's Prometheus metrics, defined once for every module that counts something.

Names follow Prometheus conventions (``_total`` for counters, base units: seconds).
With several worker processes ``PROMETHEUS_MULTIPROC_DIR`` is set by the supervisor
and prometheus-client aggregates the workers' files when ``/metrics`` is scraped
(:mod:`bot.ops.http`). It must be set before this module is first imported: the
metrics choose where their values live when they are created.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

UPDATES = Counter(
    "bot_updates_total",
    "Updates received, by kind (message, callback_query, ...) and outcome "
    "(ok, failed, unlinked, closed_account, flooded, shed).",
    ["kind", "outcome"],
)
TURN_SECONDS = Histogram(
    "bot_turn_seconds",
    "Time from receiving an update to its replies being sent.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DATABASE_ERRORS = Counter("bot_database_errors_total", "Turns rolled back by a database error.")
VERSION_CONFLICTS = Counter(
    "bot_version_conflicts_total",
    "Turns run again because their conversation changed meanwhile.",
)
FLOWS = Counter(
    "bot_flows_total",
    "Flows by name and event: started, finished (reached an end state), left (ended "
    "early: cancel, menu, another flow), expired (left idle too long).",
    ["flow", "event"],
)
CLOSURES = Counter("bot_account_closures_total", "Accounts closed.")
LINK_ATTEMPTS = Counter(
    "bot_link_attempts_total",
    "Attempts to link a chat, by method (code, contact, web_link: the web chat's sign-in "
    "link) and outcome (linked; wrong: an "
    "unknown, expired or used code, or an unknown phone; locked_out: a code sent while "
    "locked out, not checked; failed: rolled back by an error).",
    ["method", "outcome"],
)
LOCKOUTS = Counter(
    "bot_link_lockouts_total",
    "Wrong link codes that reached a limit (per chat or in total) and locked a chat out.",
)
SHED = Counter(
    "bot_updates_shed_total",
    "Updates refused because the worker had too much in flight, by channel answer "
    "(http_503, busy_reply).",
    ["answer"],
)
