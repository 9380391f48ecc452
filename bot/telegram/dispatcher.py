"""The dispatcher: routers and middlewares around the engine, ready to feed updates."""

from __future__ import annotations

import logging

from aiogram import Dispatcher
from aiogram.types import BotCommand

from bot.chat_isolation import ChatIsolation
from bot.config import Settings
from bot.telegram import support
from bot.telegram.admission import WORKFLOW_KEY, Admission
from bot.telegram.handlers import routers
from bot.telegram.middlewares import (
    ChatOrderMiddleware,
    FloodGuardMiddleware,
    SheddingMiddleware,
    UpdateMetricsMiddleware,
    UpdateProgressMiddleware,
)
from bot.telegram.notices import deliver_notices
from bot.telegram.support_delivery import deliver_to_support
from flows.engine import Engine
from storage.unit_of_work import Database

COMMANDS = [
    BotCommand(command="menu", description="Main menu"),
    BotCommand(command="help", description="What I can do"),
    BotCommand(command="cancel", description="Stop what we are doing (nothing is saved)"),
    BotCommand(command="logout", description="Unlink this chat from your account"),
]


def build_dispatcher(
    engine: Engine,
    settings: Settings,
    isolation: ChatIsolation | None = None,
    database: Database | None = None,
) -> Dispatcher:
    """A dispatcher whose handlers get ``engine`` and ``settings``.

    ``isolation`` is the cross-process chat lock when several processes serve the
    bot (``bot.chat_isolation``); None keeps order within this process only. With
    ``database``, the outbox's notices to Telegram chats are delivered while the
    dispatcher runs (``bot.telegram.notices``).

    aiogram's FSM is off: conversation state lives in the database, in the engine's
    records, so a restart resumes every chat where it was.
    """
    dispatcher = Dispatcher(disable_fsm=True, engine=engine, settings=settings)
    admission = dispatcher[WORKFLOW_KEY] = Admission(settings.max_in_flight)  # webhook's too
    # The per-update log line is for log pipelines (JSON); on a terminal (text) one line
    # per update would bury everything else, so there it is DEBUG.
    per_update = logging.INFO if settings.log_format == "json" else logging.DEBUG
    # Order matters. Metrics outermost: an update's time includes waiting for its chat's
    # turn; it does not suspend before passing the update on, so chat order is taken as
    # before. Then shedding (past MAX_IN_FLIGHT nothing else runs, not even a wait for
    # the chat lock), then the chat lock (taken in arrival order; it keeps linking, the
    # engine and the replies of one chat in order), then the flood guard (a flood
    # queues behind the lock and is dropped in order).
    dispatcher.update.outer_middleware(UpdateMetricsMiddleware(per_update))
    dispatcher.update.outer_middleware(SheddingMiddleware(admission))
    dispatcher.update.outer_middleware(ChatOrderMiddleware(isolation))
    dispatcher.update.outer_middleware(FloodGuardMiddleware(settings.flood_limit_per_minute))
    dispatcher.update.outer_middleware(UpdateProgressMiddleware())
    if database is not None and settings.support_chat_id is not None:
        # Before the other routers: the group's messages are for agents, not refused.
        dispatcher.include_router(support.router(settings.support_chat_id, database))
        deliver_to_support(dispatcher, database, settings.support_chat_id)
    dispatcher.include_routers(*routers())
    if database is not None:
        deliver_notices(dispatcher, database)
    return dispatcher
