"""Every update counted and timed, and one log line about it.

The outermost of the bot's middlewares, so its time covers the whole update: waiting
for the chat's earlier updates, the engine's turn, and the replies being sent. The
outcome comes from the engine's report of the turn (:mod:`bot.ops.turns`) when one ran;
an update that raised is ``failed``; one the flood guard dropped (it never reached
``UpdateProgressMiddleware``) is ``flooded``; an inner middleware that drops updates for
a reason of its own names it in ``data[OUTCOME]``.

The log line (logger ``bot.updates``) carries the update id, the conversation's
pseudonym (never the chat id), the update's kind, the flow and state it left the
conversation in, the outcome and the latency; never anything the user typed. It is
written at the level given (INFO for JSON logs, DEBUG for text: see
:func:`bot.telegram.dispatcher.build_dispatcher`) and costs nothing when that level is off.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update

from bot.ops.logs import conversation_hash
from bot.ops.metrics import TURN_SECONDS, UPDATES
from bot.ops.turns import tracing
from bot.telegram.keys import conversation_key
from flows.observing import TurnReport

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

log = logging.getLogger("bot.updates")

OUTCOME = "update_outcome"
"""Handler-data key an inner middleware sets to the outcome of an update it dropped."""


class UpdateMetricsMiddleware(BaseMiddleware):
    """Counts updates by kind and outcome, times them, and logs one line per update."""

    def __init__(self, log_level: int = logging.DEBUG) -> None:
        self.log_level = log_level
        self._counters: dict[tuple[str, str], Any] = {}  # label look-ups, done once

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):  # registered on updates; nothing else comes here
            return await handler(event, data)
        started = perf_counter()
        outcome = "failed"  # unless the handler returns
        with tracing() as trace:
            try:
                result = await handler(event, data)
                if trace.report is not None:
                    outcome = trace.report.outcome.value
                else:
                    outcome = data.get(OUTCOME) or ("ok" if "progress" in data else "flooded")
            finally:
                seconds = perf_counter() - started
                kind = event.event_type
                counter = self._counters.get((kind, outcome))
                if counter is None:
                    counter = self._counters[kind, outcome] = UPDATES.labels(kind, outcome)
                counter.inc()
                if outcome != "flooded":  # dropped at once: it would only flatter the figures
                    TURN_SECONDS.observe(seconds)
                if log.isEnabledFor(self.log_level):
                    self._log(event, data, kind, outcome, seconds, trace.report)
        return result

    def _log(self, update: Update, data: dict[str, Any], kind: str, outcome: str,
             seconds: float, report: TurnReport | None) -> None:
        chat: Chat | None = data.get("event_chat")
        key = report.key if report is not None else (
            conversation_key(chat.id) if chat is not None else None
        )
        conversation = conversation_hash(str(key)) if key is not None else None
        flow = report.flow if report is not None else None
        state = report.state if report is not None else None
        latency_ms = round(seconds * 1000, 2)
        log.log(
            self.log_level,
            "update %s %s %s in %.1f ms (conversation %s, flow %s, state %s)",
            update.update_id, kind, outcome, latency_ms, conversation, flow, state,
            extra={
                "update_id": update.update_id,
                "conversation": conversation,
                "kind": kind,
                "flow": flow,
                "state": state,
                "outcome": outcome,
                "latency_ms": latency_ms,
            },
        )
