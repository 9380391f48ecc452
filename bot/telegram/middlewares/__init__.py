"""Outer middlewares on every update (chat order, flood guard, update progress), and the
database session middleware for the routers that need a session."""

from bot.telegram.middlewares.database import DatabaseSessionMiddleware
from bot.telegram.middlewares.flood import FloodGuardMiddleware
from bot.telegram.middlewares.ordering import ChatOrderMiddleware
from bot.telegram.middlewares.progress import UpdateProgress, UpdateProgressMiddleware

__all__ = [
    "ChatOrderMiddleware",
    "DatabaseSessionMiddleware",
    "FloodGuardMiddleware",
    "UpdateProgress",
    "UpdateProgressMiddleware",
]
