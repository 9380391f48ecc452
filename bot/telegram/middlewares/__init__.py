"""Outer middlewares on every update: metrics, chat order, flood guard, update progress."""

from bot.telegram.middlewares.flood import FloodGuardMiddleware
from bot.telegram.middlewares.metrics import UpdateMetricsMiddleware
from bot.telegram.middlewares.ordering import ChatOrderMiddleware
from bot.telegram.middlewares.progress import UpdateProgress, UpdateProgressMiddleware

__all__ = [
    "ChatOrderMiddleware",
    "FloodGuardMiddleware",
    "UpdateMetricsMiddleware",
    "UpdateProgress",
    "UpdateProgressMiddleware",
]
