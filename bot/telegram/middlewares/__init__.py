"""Outer middlewares on every update: chat order, flood guard, turn."""

from bot.telegram.middlewares.database import Turn, TurnMiddleware
from bot.telegram.middlewares.flood import FloodGuardMiddleware
from bot.telegram.middlewares.ordering import ChatOrderMiddleware

__all__ = [
    "ChatOrderMiddleware",
    "FloodGuardMiddleware",
    "Turn",
    "TurnMiddleware",
]
