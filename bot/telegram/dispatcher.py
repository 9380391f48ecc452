"""The dispatcher: routers and middlewares around the engine, ready to feed updates."""

from __future__ import annotations

import logging

from aiogram import Dispatcher
from aiogram.types import BotCommand

from bot.config import Settings
from bot.telegram.handlers import routers
from bot.telegram.middlewares import (
    ChatOrderMiddleware,
    FloodGuardMiddleware,
    UpdateMetricsMiddleware,
    UpdateProgressMiddleware,
)
from flows.engine import Engine

COMMANDS = [
    BotCommand(command="menu", description="Main menu"),
    BotCommand(command="help", description="What I can do"),
    BotCommand(command="cancel", description="Stop what we are doing (nothing is saved)"),
    BotCommand(command="logout", description="Unlink this chat from your account"),
]


def build_dispatcher(engine: Engine, settings: Settings) -> Dispatcher:
    """A dispatcher whose handlers get ``engine`` and ``settings``.

    aiogram's FSM is off: conversation state lives in the database, in the engine's
    records, so a restart resumes every chat where it was.
    """
    dispatcher = Dispatcher(disable_fsm=True, engine=engine, settings=settings)
    # The per-update log line is for log pipelines (JSON); on a terminal (text) one line
    # per update would bury everything else, so there it is DEBUG.
    per_update = logging.INFO if settings.log_format == "json" else logging.DEBUG
    # Metrics outermost: an update's time includes waiting for its chat's turn. It does
    # not suspend before passing the update on, so chat order is taken as before.
    dispatcher.update.outer_middleware(UpdateMetricsMiddleware(per_update))
    # Then order matters: the chat lock (taken in arrival order; it keeps linking,
    # the engine and the replies of one chat in order), then the flood guard (a flood
    # queues behind the lock and is dropped in order).
    dispatcher.update.outer_middleware(ChatOrderMiddleware())
    dispatcher.update.outer_middleware(FloodGuardMiddleware(settings.flood_limit_per_minute))
    dispatcher.update.outer_middleware(UpdateProgressMiddleware())
    dispatcher.include_routers(*routers())
    return dispatcher
