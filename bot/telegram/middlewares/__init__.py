"""Outer middlewares on every update (chat order, flood guard, turn), and the database
session middleware for the routers that need a session."""

from bot.telegram.middlewares.database import DatabaseSessionMiddleware, Turn, TurnMiddleware
from bot.telegram.middlewares.flood import FloodGuardMiddleware
from bot.telegram.middlewares.ordering import ChatOrderMiddleware

__all__ = [
    "ChatOrderMiddleware",
    "DatabaseSessionMiddleware",
    "FloodGuardMiddleware",
    "Turn",
    "TurnMiddleware",
]
