"""Knobs of the conversation engine (filled from the bot's configuration)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """Timeouts and wording the engine needs; defaults as in the README's configuration table."""

    flow_timeout_seconds: int = 600
    close_confirm_seconds: int = 180
    max_name_attempts: int = 3
    support_contact: str = "support@platform.example or +1 555 0100 (Mon–Fri 8:00–18:00 UTC)"
    support_group: bool = False
    """A support group relays handed-over chats (``SUPPORT_CHAT_ID``); without one, tickets
    are answered from the command line and nothing is queued for a group."""
