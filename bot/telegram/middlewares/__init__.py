"""Outer middlewares on every update: metrics, language hint, shedding, chat order, flood
guard, update progress."""

from bot.telegram.middlewares.flood import FloodGuardMiddleware
from bot.telegram.middlewares.language import LanguageHintMiddleware
from bot.telegram.middlewares.metrics import UpdateMetricsMiddleware
from bot.telegram.middlewares.ordering import ChatOrderMiddleware
from bot.telegram.middlewares.progress import UpdateProgress, UpdateProgressMiddleware
from bot.telegram.middlewares.shedding import SheddingMiddleware

__all__ = [
    "ChatOrderMiddleware",
    "FloodGuardMiddleware",
    "LanguageHintMiddleware",
    "SheddingMiddleware",
    "UpdateMetricsMiddleware",
    "UpdateProgress",
    "UpdateProgressMiddleware",
]
