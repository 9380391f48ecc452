"""Outer middlewares on every update: metrics, shedding, chat order, flood guard, update
progress."""

from bot.telegram.middlewares.flood import FloodGuardMiddleware
from bot.telegram.middlewares.metrics import UpdateMetricsMiddleware
from bot.telegram.middlewares.ordering import ChatOrderMiddleware
from bot.telegram.middlewares.progress import UpdateProgress, UpdateProgressMiddleware
from bot.telegram.middlewares.shedding import SheddingMiddleware

__all__ = [
    "ChatOrderMiddleware",
    "FloodGuardMiddleware",
    "SheddingMiddleware",
    "UpdateMetricsMiddleware",
    "UpdateProgress",
    "UpdateProgressMiddleware",
]
