"""Handler modules, one Router each; ``routers()`` builds a fresh set in the order that
matters: errors, then group chats (before anything can reveal account data), then
linking (before the engine sees ``/start CODE``), then the conversation itself."""

from __future__ import annotations

from aiogram import Router

from bot.telegram.handlers import conversation, errors, linking, private_only


def routers() -> list[Router]:
    """New routers (a router can belong to one dispatcher only)."""
    return [errors.router(), private_only.router(), linking.router(), conversation.router()]
